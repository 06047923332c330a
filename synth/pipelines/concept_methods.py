"""The MathScale and GSDP stage plans: one concept-graph core, two samplers.

    load_seeds -> extract_concepts -> concept_graph -> sample_combinations -> generate_from_concepts
      [GSDP: -> judge_<role> ... -> judge_filter] -> dedup -> decontaminate -> final_pairs

The graph lives in the run directory's `graph/` folder; `synth graph build` runs the first
three stages only, so a user can inspect the graph before spending GPUs on generation.
"""

from __future__ import annotations

import json
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from synth.config.concept_methods import MathScalePipelineConfig
from synth.engines import build_engine
from synth.pipelines.provenance import model_provenance, settings_json
from synth.run.directory import RunDirectory
from synth.stages.base import Stage
from synth.stages.concept_graph import ConceptGraphStage
from synth.stages.decontaminate import DecontaminateStage
from synth.stages.dedup import DedupStage
from synth.stages.extract_concepts import ExtractConceptsStage
from synth.stages.final_pairs import CONCEPT_COLUMNS, FinalPairsStage
from synth.stages.generate_from_concepts import GenerateFromConceptsStage
from synth.stages.judge_problems import JudgeFilter, JudgeStage
from synth.stages.load_seeds import LoadSeedsStage
from synth.stages.sample_combinations import SampleCombinationsStage


def graph_dir(cfg: DictConfig) -> Path:
    """Where the run keeps its concept graph."""
    return RunDirectory.for_config(cfg).graph_dir


def build_concept_graph_stages(cfg: DictConfig) -> list[Stage]:
    """Seeds -> concepts -> graph: what `synth graph build` runs."""
    typed: MathScalePipelineConfig = OmegaConf.to_object(cfg)
    extractor = build_engine(typed.extract.model, cfg.models[typed.extract.model])
    return [LoadSeedsStage(typed.seeds),
            ExtractConceptsStage(typed.extract, extractor, typed.run.seed,
                                   name_topics=not typed.seeds.topic_field),
            ConceptGraphStage(typed.graph, typed.pipeline, graph_dir(cfg))]


def build_concept_method(cfg: DictConfig) -> list[Stage]:
    """The ordered stages of a `pipeline: mathscale` or `pipeline: gsdp` config; each stage
    gets its section as the schema's dataclass, each model role its DictConfig."""
    typed: MathScalePipelineConfig = OmegaConf.to_object(cfg)
    seed = typed.run.seed
    stages = build_concept_graph_stages(cfg)
    stages.append(SampleCombinationsStage(typed.sample, typed.pipeline, graph_dir(cfg), seed,
                                           typed.dedup.num_partitions))
    generator = build_engine(typed.generate.model, cfg.models[typed.generate.model])
    stages.append(GenerateFromConceptsStage(typed.generate, generator,
                                         graph_dir(cfg) / "seeds.parquet", seed))
    extra_columns = CONCEPT_COLUMNS
    if typed.judge.enabled:
        for judge in typed.judge.judges:
            engine = build_engine(judge.model, cfg.models[judge.model])
            stages.append(JudgeStage(typed.judge, judge.model, engine, seed))
        stages.append(JudgeFilter(typed.judge))
        extra_columns = (*extra_columns, "judge_score")
    if typed.dedup.enabled:
        stages.append(DedupStage(typed.dedup))
    if typed.decontamination.enabled:
        stages.append(DecontaminateStage(typed.decontamination))
    stages.append(FinalPairsStage(typed.pipeline, _provenance(typed), extra_columns))
    return stages


def _provenance(cfg: MathScalePipelineConfig) -> dict[str, object]:
    judges = ([model_provenance(cfg, j.model) for j in cfg.judge.judges]
              if cfg.judge.enabled else [])
    return {"extractor": model_provenance(cfg, cfg.extract.model),
            "generator": model_provenance(cfg, cfg.generate.model),
            "judges": json.dumps(judges),
            "generation_sampling": settings_json(cfg.generate.sampling),
            "graph": settings_json(cfg.graph), "sampler": settings_json(cfg.sample),
            "seeds": settings_json(cfg.seeds), "run_seed": cfg.run.seed}
