"""Inputs the benchmarks share: a paper-sized concept graph and a million perturbed questions.

The graph has MathScale's size (about 2,000 topics and 9,000 KPs) and a heavy-tailed degree
distribution: synthetic seeds name 1-2 topics and 1-5 KPs drawn with Zipf-like popularity,
so a few concepts are everywhere and most are rare, as in the paper's extracted graph.

The questions are real GSM8K/MATH test questions (synth's packaged copies) rewritten the
way generated data varies: numbers changed, names swapped, a sentence dropped or reordered,
casing and punctuation changed. Some rows stay verbatim copies, so dedup and
decontamination both have real work to find.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pyarrow as pa

PAPER_TOPICS = 2000
# KPs named by the synthetic seeds; about 9,000 of them are seen twice and stay in the graph.
PAPER_KP_UNIVERSE = 11_000
_NUMBER = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_NAMES = ("Ava", "Liam", "Noah", "Mia", "Zoe", "Omar", "Ravi", "Lena", "Kofi", "Yuki")


def synthetic_seed_concepts(topics: int, kps: int, seed: int) -> list[tuple[list[str], list[str]]]:
    """(topics, KPs) per synthetic seed question, popular concepts drawn more often."""
    rng = np.random.default_rng(seed)
    topic_p = 1 / np.arange(1, topics + 1) ** 0.8
    kp_p = 1 / np.arange(1, kps + 1) ** 0.8
    topic_p, kp_p = topic_p / topic_p.sum(), kp_p / kp_p.sum()
    records = []
    for _ in range(int(kps * 2.5)):
        chosen_topics = rng.choice(topics, size=rng.integers(1, 3), replace=False, p=topic_p)
        chosen_kps = rng.choice(kps, size=rng.integers(1, 6), replace=False, p=kp_p)
        records.append(([f"topic {t}" for t in chosen_topics], [f"kp {k}" for k in chosen_kps]))
    return records


def paper_sized_graph(directory: Path, seed: int = 0, scale: float = 1.0) -> dict:
    """Build and save the MathScale-shaped graph (`scale` < 1: a smaller one of the same
    shape, for quick checks); returns its node and edge counts."""
    from synth.concepts.concept_graph import KP, TOPIC, build_mathscale_graph, save_graph

    topics, kps = int(PAPER_TOPICS * scale), int(PAPER_KP_UNIVERSE * scale)
    graph = build_mathscale_graph(synthetic_seed_concepts(topics, kps, seed), min_count=2)
    save_graph(graph, directory)
    kinds = [kind for _, kind in graph.nodes(data="kind")]
    return {"topics": kinds.count(TOPIC), "kps": kinds.count(KP),
            "edges": graph.number_of_edges()}


def benchmark_questions() -> list[str]:
    """The packaged GSM8K and MATH test questions (6,319), the seeds of the synthetic rows."""
    from synth.benchmarks.benchmark_sets import packaged_benchmark
    from synth.config.common import PackagedBenchmark

    return [q for name in PackagedBenchmark
            for q in packaged_benchmark(name).column("question").to_pylist()]


def perturbed(question: str, rng: random.Random) -> str:
    """One rewrite of `question` of the kinds generated data shows: one in six verbatim, the
    rest with new numbers and one more change (names, a sentence dropped or reordered, case)."""
    kind = rng.randrange(6)
    if kind == 0:
        return question
    text = _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(1, 99)), question)
    if kind == 2:
        return re.sub(r"\b[A-Z][a-z]{2,}\b", rng.choice(_NAMES), text, count=2)
    sentences = _SENTENCE_END.split(text)
    if kind == 3 and len(sentences) > 2:
        del sentences[rng.randrange(len(sentences) - 1)]
        return " ".join(sentences)
    if kind == 4 and len(sentences) > 2:
        head = sentences[:-1]
        rng.shuffle(head)
        return " ".join(head + sentences[-1:])
    if kind == 5:
        return text.lower().replace(",", "").replace("?", " ?")
    return text


def synthetic_questions(count: int, seed: int = 0) -> pa.Table:
    """`count` rows (`id`, `question`) perturbed from real benchmark questions."""
    rng = random.Random(seed)
    bases = benchmark_questions()
    questions = [perturbed(bases[rng.randrange(len(bases))], rng) for _ in range(count)]
    ids = [f"q{index:08d}" for index in range(count)]
    return pa.table({"id": pa.array(ids, pa.string()), "question": pa.array(questions, pa.string())})
