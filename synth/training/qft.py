"""QFT: supervised fine-tuning of a question generator on questions only (ScaleQuest).

    synth train qft pipelines/qft_cpu.yaml            # SmolLM2 on CHAMP, a few steps, 1 CPU worker
    synth train qft pipelines/qft.yaml                # GSM8K + MATH train questions, N GPU workers

The driver loads the questions and wraps each in the generator's user turn
(`question_texts`); every Ray Train worker then runs TRL's SFTTrainer on those texts (`sft`)
with the paper's settings (1 epoch, packing, lr 2e-5, cosine, 3% warm-up, max length 256) and
the run ends with a Hugging Face checkpoint in `output_dir` that the engines serve as a
generator.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from synth.run.directory import RunDirectory
from synth.training.base_models import absolute_model_reference
from synth.training.question_texts import load_questions, qft_texts
from synth.training.ray_train_runner import TrainingOutcome, fit_on_ray_train
from synth.training.sft import sft_worker_loop


def train(cfg: DictConfig) -> TrainingOutcome:
    """Run QFT as `cfg` (pipeline: qft) says; returns where the checkpoint went."""
    from synth.ray_session import start_ray

    texts = qft_texts(load_questions(cfg.questions), cfg.template)
    run_dir = RunDirectory.for_config(cfg)
    output_dir = Path(cfg.output_dir).expanduser().resolve()
    start_ray(cfg.ray)
    loop_config = {
        "texts": texts,
        "base_model": absolute_model_reference(cfg.base_model),
        "end_of_turn": cfg.template.end_of_turn,
        "settings": OmegaConf.to_container(cfg.train, resolve=True),
        "use_gpu": cfg.scaling.use_gpu,
        "output_dir": str(output_dir),
        "seed": cfg.run.seed,
    }
    metrics = fit_on_ray_train(sft_worker_loop, loop_config, cfg.scaling,
                               storage_dir=run_dir.ray_train_dir, name="qft")
    return TrainingOutcome(output_dir, {**metrics, "num_questions": len(texts)})
