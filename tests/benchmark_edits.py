"""Light edits of benchmark items, the way a generator that memorised them would return them:
numbers changed, names swapped, one clause reworded, sentences reordered. Deterministic for a
seed, so a decontamination test can assert the share of edited items it catches.

Each edit returns None when it does not apply to an item (no name to swap, one sentence only),
so every measured item really was edited.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

NUMBER = re.compile(r"\d+(?:\.\d+)?")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")
NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
NAMES = ["Priya", "Tomas", "Keiko", "Olu", "Marisol", "Dmitri", "Aisha", "Lars", "Wen", "Farah"]
REWORDINGS = ["as it turns out in this case", "according to what we are told",
              "which is what happens here", "for the purposes of this problem",
              "in the situation described"]


def change_numbers(text: str, rng: random.Random) -> str | None:
    """Every number replaced by a different one of similar size."""
    if not NUMBER.search(text):
        return None

    def other(match: re.Match) -> str:
        value = match.group()
        if "." in value:
            return f"{float(value) + rng.randint(1, 9) / 10:.1f}"
        return str(int(value) + rng.randint(1, 9))

    return NUMBER.sub(other, text)


def swap_names(text: str, rng: random.Random) -> str | None:
    """Every capitalised word inside a sentence (a name, usually) replaced by another name."""
    found = sorted(set(NAME.findall(text)))
    if not found:
        return None
    mapping = dict(zip(found, rng.sample(NAMES, k=min(len(found), len(NAMES)))))
    return NAME.sub(lambda m: mapping.get(m.group(), m.group()), text)


def reword_clause(text: str, rng: random.Random) -> str | None:
    """Consecutive words of the longest clause replaced by other words: up to six, and at most
    a quarter of the item (rewording more of it is writing another problem)."""
    clauses = re.split(r"(?<=[,;.?!])\s+", text)
    longest = max(range(len(clauses)), key=lambda i: len(clauses[i].split()))
    words = clauses[longest].split()
    span = min(6, len(words) - 1, len(text.split()) // 4)
    if span < 2:
        return None
    start = rng.randint(0, len(words) - span)
    words[start:start + span] = rng.choice(REWORDINGS).split()
    clauses[longest] = " ".join(words)
    return " ".join(clauses)


def reorder_sentences(text: str, rng: random.Random) -> str | None:
    """The sentences in another order: the last one (usually the question) moved first."""
    sentences = SENTENCE_END.split(text.strip())
    if len(sentences) < 2:
        return None
    return " ".join([sentences[-1], *sentences[:-1]])


EDITS: dict[str, Callable[[str, random.Random], str | None]] = {
    "numbers_changed": change_numbers, "names_swapped": swap_names,
    "clause_reworded": reword_clause, "sentences_reordered": reorder_sentences}


def edited_items(questions: list[str], kind: str, seed: int = 0) -> list[tuple[int, str]]:
    """(item index, edited text) for every item the edit `kind` applies to and changes."""
    rng = random.Random(f"{seed}:{kind}")
    out = []
    for index, question in enumerate(questions):
        edited = EDITS[kind](question, rng)
        if edited is not None and edited != question:
            out.append((index, edited))
    return out
