"""A generative judge as a reward model: reward = P("Yes") to "is this solution correct?".

Any chat model can play it (the CPU pipeline uses the packaged SmolLM2): the question, the
solution and the Yes/No question go through the tokenizer's chat template, and the next-token
distribution at the start of the assistant turn gives the probability mass of "Yes" and "No"
(each with its capitalisation and leading-space variants), normalised over the two. One forward
pass per candidate, no sampling: the reward is deterministic and graded, so best-of-N can rank
candidates a greedy Yes/No vote would tie.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.engines.model_role import ScoringWorker, on_model_replicas
from synth.engines.request_replay import RequestStore
from synth.prompt_templates import fill_template
from synth.rewards.base import REWARD, REWARD_ANSWER, RewardScorer

VERDICT_WORDS = {"yes": ("Yes", " Yes", "yes", " yes", "YES"),
                 "no": ("No", " No", "no", " no", "NO")}


def single_token_ids(tokenizer: Any, variants: tuple[str, ...]) -> list[int]:
    """Token ids of the variants the tokenizer writes as one token (multi-token ones cannot be
    read off a single next-token distribution)."""
    ids = {tuple(tokenizer.encode(word, add_special_tokens=False)) for word in variants}
    return sorted(token[0] for token in ids if len(token) == 1)


class GenerativeJudgeWorker(ScoringWorker):
    """Holds one causal LM on an actor and turns (question, solution) batches into rewards."""

    def __init__(self, model: str, prompt: str, max_length: int, num_gpus: float,
                 store: RequestStore | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from synth.engines.transformers_engine import checkpoint_location

        super().__init__(REWARD_ANSWER, num_gpus, store)
        self.torch = torch
        self.prompt = prompt
        self.max_length = max_length
        self.device = "cuda" if num_gpus > 0 and torch.cuda.is_available() else "cpu"
        location = checkpoint_location(model)
        # Left side: padding keeps every prompt's last token in the last position, and an
        # over-long solution loses its beginning rather than the question being asked.
        self.tokenizer = AutoTokenizer.from_pretrained(**location, padding_side="left",
                                                       truncation_side="left")
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(**location).to(self.device).eval()
        self.yes_ids = single_token_ids(self.tokenizer, VERDICT_WORDS["yes"])
        self.no_ids = single_token_ids(self.tokenizer, VERDICT_WORDS["no"])
        if not self.yes_ids or not self.no_ids:
            raise ValueError(f"{model}: its tokenizer has no single-token Yes/No")

    def judge_text(self, question: str, solution: str) -> str:
        """The chat-templated judge prompt, with the assistant turn opened."""
        content = fill_template(self.prompt, question=question, solution=solution)
        return self.tokenizer.apply_chat_template([{"role": "user", "content": content}],
                                                  tokenize=False, add_generation_prompt=True)

    def rewards(self, texts: list[str]) -> tuple[list[float], list[int]]:
        """(P(Yes) normalised over Yes + No, input tokens) for each judge prompt."""
        inputs = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                                max_length=self.max_length, add_special_tokens=False)
        with self.torch.no_grad():
            logits = self.model(**inputs.to(self.device)).logits[:, -1, :].float()
        probs = logits.softmax(dim=-1)
        yes = probs[:, self.yes_ids].sum(dim=-1)
        no = probs[:, self.no_ids].sum(dim=-1)
        rewards = (yes / (yes + no).clamp_min(1e-12)).tolist()
        return rewards, inputs["attention_mask"].sum(dim=-1).tolist()

    def answers(self, batch: pa.Table) -> dict[str, list[Any]]:
        questions = batch.column("question").to_pylist()
        solutions = batch.column("solution").to_pylist()
        scored = [i for i, solution in enumerate(solutions) if solution]
        rewards: list[float | None] = [None] * batch.num_rows
        tokens = [0] * batch.num_rows
        if scored:
            values, counts = self.rewards([self.judge_text(questions[i], solutions[i])
                                           for i in scored])
            for index, value, count in zip(scored, values, counts):
                rewards[index], tokens[index] = value, int(count)
        return {REWARD: rewards, "num_input_tokens": tokens}


class GenerativeJudgeScorer(RewardScorer):
    """An autoscaling pool of generative-judge actors (the role's replicas, CPUs, GPUs)."""

    kind = "generative_judge"

    def __init__(self, role: str, model_config: DictConfig, prompt: str) -> None:
        super().__init__(role, model_config)
        self.prompt = prompt

    @property
    def model_identity(self) -> str:
        """The judge's answer also depends on its prompt and on where long inputs are cut."""
        prompt = hashlib.sha256(self.prompt.encode()).hexdigest()[:16]
        return f"{super().model_identity}:{prompt}:{self.config.context_length}"

    def _send(self, rows: Dataset) -> Dataset:
        c = self.config
        return on_model_replicas(rows, GenerativeJudgeWorker, c, model=c.model,
                                 prompt=self.prompt, max_length=c.context_length,
                                 num_gpus=c.num_gpus, store=self.request_store)
