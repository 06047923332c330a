"""Write the recorded replies the `replayed` model roles of `bench.paper_scale` answer with.

    python -m bench.replies.build_replies --gsm8k ../shared/data/seeds/gsm8k_train.jsonl \\
        --recorded runs/mathscale_cpu runs/gsdp_cpu runs/scalequest_cpu

Run once by a developer; the files it writes next to this module are committed, so the
benchmark never reads ../shared/data. Sources, per file (each file's `synth.source` metadata
says the same):

- questions, solutions, problems: GSM8K train questions and solutions (solutions with their
  calculator annotations removed and `#### 72` written as `\\boxed{72}`; problems as the
  concept methods' JSON reply), plus every such reply SmolLM2 gave in the `--recorded` runs;
- concepts: MathScale-sized concept lists (2,000 topics, 11,000 knowledge points drawn with
  Zipf-like popularity, bench/synthetic_inputs.py), named in letters as the extraction schema
  wants: SmolLM2's own lists, from 48 seeds, name too few concepts for a paper-sized graph;
- verdicts: the judge replies SmolLM2 gave in those runs;
- solvability: " Yes" and " No" in the ratio SmolLM2 answered real GSM8K questions (15 of 20);
- rewards: the generative judge (SmolLM2, the packaged GGUF's tokenizer and weights through
  transformers) scoring GSM8K (question, solution) pairs;
- difficulty: evenly spread fail rates in [0, 1] (no difficulty checkpoint ships with synth).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from synth.engines.replayed_replies import SOURCE, VARIATION

HERE = Path(__file__).resolve().parent
_CALCULATOR = re.compile(r"<<[^>]*>>")
REWARD_PAIRS = 128


def gsm8k(path: Path) -> list[dict[str, str]]:
    """GSM8K rows as question, solution (boxed) and final answer."""
    rows = []
    for line in path.read_text().splitlines():
        item = json.loads(line)
        work, answer = item["answer"].split("####")
        answer = answer.strip().replace(",", "")
        solution = f"{_CALCULATOR.sub('', work).strip()}\nThe answer is \\boxed{{{answer}}}."
        rows.append({"question": item["question"], "solution": solution, "final_answer": answer})
    return rows


def recorded_replies(runs: list[Path]) -> list[str]:
    """Every successful reply in the runs' request stores."""
    texts = []
    for run in runs:
        for store in sorted((run / "requests").glob("*")):
            table = pads.dataset(store).to_table()
            if "generated_text" in table.column_names:
                texts += [t for t, f in zip(table.column("generated_text").to_pylist(),
                                            table.column("finish_reason").to_pylist())
                          if t and f == "stop"]
    return texts


def reply_shape(text: str) -> str:
    """Which replies file a recorded reply belongs in."""
    try:
        reply = json.loads(text)
    except ValueError:
        return "solutions" if "\\boxed" in text else "questions"
    if not isinstance(reply, dict):
        return "questions"
    for key, shape in (("knowledge_points", "concepts"), ("question", "problems"),
                       ("score", "verdicts")):
        if key in reply:
            return shape
    return "questions"


def letters(number: int) -> str:
    """`number` written in letters (0 -> "a", 26 -> "ba"): concept names must hold no digits."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] + word
        if number == 0:
            return word


def concept_lists() -> list[str]:
    """Concept-extraction replies naming a paper-sized concept universe."""
    from bench.synthetic_inputs import PAPER_KP_UNIVERSE, PAPER_TOPICS, synthetic_seed_concepts

    return [json.dumps({"topics": [f"topic {letters(int(t.split()[1]))}" for t in topics],
                        "knowledge_points": [f"concept {letters(int(k.split()[1]))}" for k in kps]})
            for topics, kps in synthetic_seed_concepts(PAPER_TOPICS, PAPER_KP_UNIVERSE, seed=3)]


def write(name: str, columns: dict[str, list], source: str, variation: str = "none") -> None:
    table = pa.table(columns).replace_schema_metadata(
        {SOURCE: source.encode(), VARIATION: variation.encode()})
    pq.write_table(table, HERE / f"{name}.parquet", compression="zstd")
    print(f"{name}: {table.num_rows} rows")


def judge_rewards(pairs: list[dict[str, str]]) -> list[float]:
    """SmolLM2's generative-judge reward for each pair, as the reward stage computes it."""
    from synth.config.scalequest import RewardConfig
    from synth.rewards.generative_judge import GenerativeJudgeWorker

    worker = GenerativeJudgeWorker("smollm2-135m-instruct", RewardConfig().prompt, 2048, 0.0)
    rewards = []
    for start in range(0, len(pairs), 16):
        chunk = pairs[start:start + 16]
        batch = pa.table({"question": [p["question"] for p in chunk],
                          "solution": [p["solution"] for p in chunk]})
        rewards += [float(r) for r in worker.answers(batch)["reward"]]
    return rewards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gsm8k", type=Path, required=True)
    parser.add_argument("--recorded", type=Path, nargs="*", default=[])
    args = parser.parse_args()
    items = gsm8k(args.gsm8k)
    by_shape: dict[str, list[str]] = {}
    for text in recorded_replies(args.recorded):
        by_shape.setdefault(reply_shape(text), []).append(text)
    recorded = {shape: len(texts) for shape, texts in by_shape.items()}
    print(f"recorded SmolLM2 replies: {recorded}")
    note = f"GSM8K train and SmolLM2-135M-Instruct replies recorded in synth runs ({recorded})"
    write("questions", {"text": [i["question"] for i in items] + by_shape.get("questions", [])},
          note, "sentences")
    write("solutions", {"text": [i["solution"] for i in items] + by_shape.get("solutions", [])},
          note, "sentences")
    problems = [json.dumps({k: i[k] for k in ("question", "solution", "final_answer")})
                for i in items] + by_shape.get("problems", [])
    write("problems", {"text": problems}, note, "sentences")
    write("concepts", {"text": concept_lists()},
          "synthetic MathScale-sized concept lists (bench/synthetic_inputs.py)")
    write("verdicts", {"text": by_shape["verdicts"]}, note)
    write("solvability", {"text": [" Yes", " Yes", " Yes", " No"]},
          "the ratio SmolLM2 said Yes to real GSM8K questions (15 of 20)")
    write("rewards", {"score": judge_rewards(items[:REWARD_PAIRS])},
          f"SmolLM2's generative-judge reward on {REWARD_PAIRS} GSM8K train pairs")
    write("difficulty", {"score": [round(i / 100, 2) for i in range(101)]},
          "evenly spread fail rates (no difficulty checkpoint ships with synth)")


if __name__ == "__main__":
    main()
