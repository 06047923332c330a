"""Count how often engine replicas started each request, so a poison row cannot loop forever.

Ray Data restarts a dead actor and retries its batch without limit, which is what makes an
engine stage survive a killed replica or a lost node. A request that itself kills the replica
(a native crash, an out-of-memory kill) would then be retried forever. Each replica asks the
ledger before it starts a request; once a request has been started `max_attempts` times
without finishing, the replica writes it as an error row (`finish_reason="error"`) instead of
running it again, and the run goes on. The ledger is one tiny actor owned by the driver, so it
lives exactly as long as the stage's run.
"""

from __future__ import annotations


class AttemptLedger:
    """Started-but-unfinished attempts per request key (runs as a Ray actor)."""

    def __init__(self) -> None:
        self._attempts: dict[str, int] = {}

    def start(self, key: str) -> int:
        """Record one more start of `key`; returns how many times it has been started."""
        self._attempts[key] = self._attempts.get(key, 0) + 1
        return self._attempts[key]

    def finish(self, key: str) -> None:
        """`key` completed (with or without an error): its crashes are forgiven."""
        self._attempts.pop(key, None)


def new_ledger():
    """A ledger actor for one stage run; it reserves no CPU."""
    import ray

    return ray.remote(num_cpus=0)(AttemptLedger).remote()
