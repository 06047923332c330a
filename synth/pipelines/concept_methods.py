"""The MathScale and GSDP stage plans: one concept-graph core, two samplers.

    load_seeds -> extract_concepts -> concept_graph -> sample_combinations -> generate_from_concepts
      [GSDP: -> judge_<role> ... -> judge_filter] -> dedup -> decontaminate -> final_pairs

The graph lives in the run directory's `graph/` folder; `synth graph build` runs the first
three stages only, so a user can inspect the graph before spending GPUs on generation.
"""

from __future__ import annotations

import json
from pathlib import Path

from omegaconf import DictConfig

from synth.engines import build_engine
from synth.pipelines.provenance import model_provenance, settings_json
from synth.run_storage import run_path
from synth.stages.base import Stage
from synth.stages.build_concept_graph import ConceptGraphStage
from synth.stages.decontaminate import DecontaminationStage
from synth.stages.deduplicate import DeduplicateStage
from synth.stages.extract_concepts import ConceptExtractionStage
from synth.stages.final_pairs import CONCEPT_COLUMNS, FinalPairsStage
from synth.stages.generate_from_concepts import ConceptGenerationStage
from synth.stages.judge_problems import JudgeFilter, JudgeStage
from synth.stages.load_seeds import SeedLoadingStage
from synth.stages.sample_combinations import CombinationSamplingStage


def graph_dir(cfg: DictConfig) -> Path:
    """Where the run keeps its concept graph."""
    return run_path(cfg.run.output_dir) / cfg.run.name / "graph"


def build_concept_graph_stages(cfg: DictConfig) -> list[Stage]:
    """Seeds -> concepts -> graph: what `synth graph build` runs."""
    extractor = build_engine(cfg.extract.model, cfg.models[cfg.extract.model])
    return [SeedLoadingStage(cfg.seeds),
            ConceptExtractionStage(cfg.extract, extractor, cfg.run.seed,
                                   name_topics=not cfg.seeds.topic_field),
            ConceptGraphStage(cfg.graph, cfg.pipeline, graph_dir(cfg))]


def build_concept_method(cfg: DictConfig) -> list[Stage]:
    """The ordered stages of a `pipeline: mathscale` or `pipeline: gsdp` config."""
    seed = cfg.run.seed
    stages = build_concept_graph_stages(cfg)
    stages.append(CombinationSamplingStage(cfg.sample, cfg.pipeline, graph_dir(cfg), seed,
                                           cfg.dedup.num_partitions))
    generator = build_engine(cfg.generate.model, cfg.models[cfg.generate.model])
    stages.append(ConceptGenerationStage(cfg.generate, generator,
                                         graph_dir(cfg) / "seeds.parquet", seed))
    extra_columns = CONCEPT_COLUMNS
    if cfg.judge.enabled:
        for judge in cfg.judge.judges:
            engine = build_engine(judge.model, cfg.models[judge.model])
            stages.append(JudgeStage(cfg.judge, judge.model, engine, seed))
        stages.append(JudgeFilter(cfg.judge))
        extra_columns = (*extra_columns, "judge_score")
    if cfg.dedup.enabled:
        stages.append(DeduplicateStage(cfg.dedup))
    if cfg.decontamination.enabled:
        stages.append(DecontaminationStage(cfg.decontamination))
    stages.append(FinalPairsStage(cfg.pipeline, _provenance(cfg), extra_columns))
    return stages


def _provenance(cfg: DictConfig) -> dict[str, object]:
    judges = ([model_provenance(cfg, j.model) for j in cfg.judge.judges]
              if cfg.judge.enabled else [])
    return {"extractor": model_provenance(cfg, cfg.extract.model),
            "generator": model_provenance(cfg, cfg.generate.model),
            "judges": json.dumps(judges),
            "generation_sampling": settings_json(cfg.generate.sampling),
            "graph": settings_json(cfg.graph), "sampler": settings_json(cfg.sample),
            "seeds": settings_json(cfg.seeds), "run_seed": cfg.run.seed}
