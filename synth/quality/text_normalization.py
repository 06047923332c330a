"""One normalised word sequence per text, so dedup and decontamination ignore surface noise.

Case, punctuation, LaTeX dollar signs and whitespace are dropped; digits and words are kept,
so "Janet's  ducks lay 16 eggs." and "janet s ducks lay 16 eggs" are the same sequence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalized_words(text: str | None) -> list[str]:
    """Lower-case alphanumeric words of `text` (NFKC-folded, so full-width digits match)."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).lower()
    return _NON_WORD.sub(" ", folded).split()


def word_ngrams(words: list[str], n: int) -> list[str]:
    """The n-word shingles of `words`; a text shorter than n is one shingle of all its words."""
    if len(words) <= n:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def hash64(text: str, salt: str = "") -> int:
    """A stable signed 64-bit hash (Python's own `hash` changes between processes)."""
    digest = hashlib.blake2b(f"{salt}\x1f{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)
