"""Answer equivalence: comparisons per second on one core, and agreement with math-verify.

    python -m bench.answer_equivalence [--quick]

Pairs are built from the final answers of synth's packaged GSM8K and MATH test sets, in the
shapes a consensus vote meets: an answer against itself, against a rewrite a model might
write (`18.00`, `\\$18`, `\\dfrac` for `\\frac`, added spaces and `\\left(`), against a near
miss (off by one), and against another problem's answer. synth's `answers_equivalent` (fast
path, then math-verify under our own time limit) is timed over every pair; the same-run
baseline is plain math-verify (`verify(parse(a), parse(b))`) over the same pairs, which is
also the reference for the agreement share. The speed target is the ratio to that baseline:
plain math-verify's own rate moves 25% between days on the same VM, and the ratio does not.
Targets: >= 10x plain math-verify's comparisons/s and >= 99.5% agreement.
"""

from __future__ import annotations

import random
import time

from bench.figures import Figure, benchmark_main
from synth.benchmarks.benchmark_sets import packaged_benchmark


def golds() -> list[str]:
    from synth.config.common import PackagedBenchmark

    return [a for name in PackagedBenchmark
            for a in packaged_benchmark(name).column("answer").to_pylist() if a]


def rewrite(answer: str, rng: random.Random) -> str:
    """The same answer written as a model might write it."""
    if answer.lstrip("-").isdigit():
        number = int(answer)
        forms = [f"{number}.00", f"\\${number}", f"{number:,}", f" {number} "]
        return rng.choice(forms)
    sized = answer if "\\left" in answer else answer.replace("(", "\\left(").replace(")", "\\right)")
    forms = [answer.replace("\\frac", "\\dfrac"), sized, answer.replace(",", ", "),
             answer.replace("\\frac", "\\tfrac")]
    return rng.choice(forms)


def near_miss(answer: str, others: list[str], rng: random.Random) -> str:
    if answer.lstrip("-").isdigit():
        return str(int(answer) + rng.choice((-1, 1)))
    return rng.choice(others)


def answer_pairs(count: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pool = golds()
    pairs = []
    for _ in range(count):
        gold = rng.choice(pool)
        shape = rng.randrange(4)
        other = (gold if shape == 0 else rewrite(gold, rng) if shape == 1
                 else near_miss(gold, pool, rng) if shape == 2 else rng.choice(pool))
        pairs.append((gold, other))
    return pairs


def plain_math_verify(left: str, right: str) -> bool:
    from math_verify import parse, verify

    try:
        return bool(verify(parse(f"\\boxed{{{left}}}"), parse(f"\\boxed{{{right}}}")))
    except Exception:
        return False


def timed(compare, pairs: list[tuple[str, str]]) -> tuple[list[bool], float]:
    started = time.perf_counter()
    verdicts = [compare(left, right) for left, right in pairs]
    return verdicts, len(pairs) / (time.perf_counter() - started)


def run(quick: bool) -> list[Figure]:
    from synth.answers.equivalence import answers_equivalent

    pairs = answer_pairs(1_000 if quick else 20_000)
    ours, our_rate = timed(answers_equivalent, pairs)
    reference, reference_rate = timed(plain_math_verify, pairs)
    agreement = sum(a == b for a, b in zip(ours, reference)) / len(pairs)
    note = f"{len(pairs)} pairs, {sum(reference)} equivalent by math-verify"
    return [
        Figure("answer_equivalence", "comparisons/s/core (fast path + math-verify)", our_rate,
               "comparisons/s", "plain math-verify", reference_rate, "ratio", ">=", 10, note),
        Figure("answer_equivalence", "agreement with plain math-verify", agreement, "share",
               "all pairs", 1.0, "value", ">=", 0.995, note),
    ]


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
