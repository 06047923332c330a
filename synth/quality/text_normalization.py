"""One normalised word sequence per text, so dedup and decontamination ignore surface noise.

Case, punctuation, LaTeX dollar signs and whitespace are dropped; words and numbers are kept
(thousands commas removed, decimals whole), so "Janet's  ducks lay 1,600 eggs." and
"janet s ducks lay 1600 eggs" are the same sequence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")


def normalized_words(text: str | None) -> list[str]:
    """Lower-case alphanumeric words of `text` (NFKC-folded, so full-width digits match)."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).lower()
    return _TOKEN.findall(_THOUSANDS_COMMA.sub("", folded))


def word_ngrams(words: list[str], n: int) -> list[str]:
    """The n-word shingles of `words`; a text shorter than n is one shingle of all its words."""
    if len(words) <= n:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def hash64(text: str, salt: str = "") -> int:
    """A stable signed 64-bit hash (Python's own `hash` changes between processes)."""
    digest = hashlib.blake2b(f"{salt}\x1f{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)
