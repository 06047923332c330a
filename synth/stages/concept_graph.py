"""Normalise and merge the seeds' concepts, build the concept graph, and save it in the run.

Concepts are put in canonical text form; GSDP then merges near-duplicate KPs by embedding
clustering (every raw KP keeps a mapping to its cluster) and MathScale drops concepts seen
once. The graph (networkx) is saved under the run's `graph/` folder with its stats, the seeds
with their final concept lists (the few-shot pool), and the KP mapping. Seeds are few (MathScale
20K, GSDP 7.5K) and the graph needs all of them at once, so this stage collects their concept
lists on the driver; generated data never passes through here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import ray
from ray.data import Dataset

from synth.concepts.concept_graph import (
    build_kp_graph,
    build_mathscale_graph,
    save_graph,
)
from synth.concepts.concept_text import canonical_concept
from synth.concepts.kp_merging import merge_knowledge_points
from synth.config.concept_methods import ConceptGraphConfig
from synth.embeddings import EMBEDDING, EmbeddingModel
from synth.engines.model_role import ModelRole
from synth.stages.base import Stage, with_drop_reasons

SEED_COLUMNS = ("id", "question", "solution", "topics", "knowledge_points")
STRINGS = pa.list_(pa.string())


def _canonical_list(values: list[str] | None) -> list[str]:
    out = []
    for value in values or []:
        text = canonical_concept(value)
        if text and text not in out:
            out.append(text)
    return out


def embed_texts(names: list[str], embedder: EmbeddingModel) -> np.ndarray:
    """Unit-normalised embeddings of `names`, computed on a Ray actor (order preserved)."""
    rows = ray.data.from_items([{"index": i, "name": n} for i, n in enumerate(names)])
    embedded = embedder.embed(rows).select_columns(["index", EMBEDDING]).sort("index")
    return np.asarray([row[EMBEDDING] for row in embedded.iter_rows()], dtype=np.float32)


class ConceptGraphStage(Stage):
    """Writes graph/ and passes seeds on with canonical (and merged) `topics`/`knowledge_points`."""

    name = "concept_graph"
    reads, writes = "seeds", "seeds"
    requires = SEED_COLUMNS

    def __init__(self, config: ConceptGraphConfig, method: str, graph_dir: Path) -> None:
        self.config = config
        self.method = method
        self.graph_dir = graph_dir
        self.embedder = EmbeddingModel(config.embedding_model, "name", batch_size=256) \
            if config.merge_similar else None

    @property
    def model_roles(self) -> tuple[ModelRole, ...]:
        return (self.embedder,) if self.embedder is not None else ()

    def describe(self) -> str:
        merge = (f", merge KPs at cosine {self.config.merge_threshold} ({self.config.embedding_model})"
                 if self.config.merge_similar else "")
        return f"{self.name}  [{self.method} graph, min_count {self.config.min_count}{merge}] -> {self.graph_dir}"

    def _kp_mapping(self, seeds: list[dict]) -> dict[str, str]:
        names = sorted({kp for seed in seeds for kp in seed["knowledge_points"]})
        if not self.config.merge_similar or len(names) < 2:
            return {name: name for name in names}
        embeddings = embed_texts(names, self.embedder)
        return merge_knowledge_points(names, embeddings, self.config.merge_threshold)

    def apply(self, rows: Dataset | None) -> Dataset:
        seeds = rows.select_columns(list(SEED_COLUMNS)).take_all()
        for seed in seeds:
            seed["topics"] = _canonical_list(seed["topics"])
            seed["knowledge_points"] = _canonical_list(seed["knowledge_points"])
        mapping = self._kp_mapping(seeds)
        for seed in seeds:
            seed["knowledge_points"] = list(dict.fromkeys(mapping[kp] for kp in seed["knowledge_points"]))
        if self.method == "mathscale":
            graph = build_mathscale_graph(((s["topics"], s["knowledge_points"]) for s in seeds),
                                          self.config.min_count)
        else:
            graph = build_kp_graph((s["knowledge_points"] for s in seeds), self.config.min_count)
        names = {(data["kind"], data["name"]) for _, data in graph.nodes(data=True)}
        for seed in seeds:  # keep only concepts that survived into the graph
            seed["topics"] = [t for t in seed["topics"] if ("topic", t) in names]
            seed["knowledge_points"] = [k for k in seed["knowledge_points"] if ("kp", k) in names]
        table = pa.Table.from_pylist(seeds, schema=pa.schema([
            ("id", pa.string()), ("question", pa.string()), ("solution", pa.string()),
            ("topics", STRINGS), ("knowledge_points", STRINGS)]))
        self.graph_dir.mkdir(parents=True, exist_ok=True)
        save_graph(graph, self.graph_dir)
        with (self.graph_dir / "seeds.parquet").open("wb") as sink:
            pq.write_table(table, sink)
        with (self.graph_dir / "kp_mapping.parquet").open("wb") as sink:
            pq.write_table(pa.table({"raw": list(mapping), "merged": list(mapping.values())}), sink)
        reasons = [None if s["knowledge_points"] else "no_concepts_in_graph" for s in seeds]
        return ray.data.from_arrow(with_drop_reasons(table, reasons))
