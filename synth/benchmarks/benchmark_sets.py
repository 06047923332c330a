"""Load a benchmark test set, from the copies synth ships, a JSONL/Parquet file, or the Hub.

Every source comes back in one shape, a pyarrow table with `benchmark`, `item_index`,
`question` and `answer` (the final answer as text, or null when the set has none), so
decontamination and evaluation never care where a set came from:

    load_benchmark(cfg)  # cfg: a BenchmarkConfig section, e.g. {name: gsm8k, packaged: gsm8k_test}
    packaged_benchmark("math_test", limit=40)  # a shipped copy by name, for tests and benchmarks
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import DictConfig, OmegaConf

from synth.answers.extraction import extract_boxed
from synth.config.common import BenchmarkConfig, PackagedBenchmark
from synth.data_files import DataFileError, read_jsonl

PACKAGED_DIR = Path(__file__).parent / "data"
BENCHMARK_SCHEMA = pa.schema([("benchmark", pa.string()), ("item_index", pa.int64()),
                              ("question", pa.string()), ("answer", pa.string())])


class BenchmarkSourceError(DataFileError):
    """A benchmark cannot be read: missing file, unknown packaged name, absent field."""


def final_answer(raw: object, answer_format: str) -> str | None:
    """The final answer in a benchmark's answer field (`gsm8k`: after ####; `boxed`: last box)."""
    if raw is None:
        return None
    text = str(raw)
    if answer_format == "gsm8k":
        return text.split("####")[-1].strip().replace(",", "") if "####" in text else None
    if answer_format == "boxed":
        return extract_boxed(text)
    return text.strip()


def load_benchmark(cfg: DictConfig) -> pa.Table:
    """The benchmark `cfg` names, as a table in BENCHMARK_SCHEMA (first `limit` items)."""
    records = _read_records(cfg)
    if cfg.limit is not None:
        records = records[: cfg.limit]
    question_field, answer_field = _fields(cfg)
    if records and question_field not in records[0]:
        raise BenchmarkSourceError(f"benchmark {cfg.name}: no field {question_field!r} "
                                   f"(fields: {', '.join(records[0])})")
    answer_format = "plain" if cfg.packaged else cfg.answer_format
    rows = [{"benchmark": cfg.name, "item_index": index, "question": str(record[question_field]),
             "answer": final_answer(record.get(answer_field), answer_format) if answer_field else None}
            for index, record in enumerate(records)]
    return pa.Table.from_pylist(rows, schema=BENCHMARK_SCHEMA)


def packaged_benchmark(name: str, limit: int | None = None) -> pa.Table:
    """A test set synth ships (a PackagedBenchmark), labelled with its own name."""
    return load_benchmark(OmegaConf.structured(BenchmarkConfig(name=name, packaged=name, limit=limit)))


def _fields(cfg: DictConfig) -> tuple[str, str | None]:
    if cfg.packaged:
        return "question", "answer"
    return cfg.question_field, cfg.answer_field


def _read_records(cfg: DictConfig) -> list[dict]:
    if cfg.packaged:
        if cfg.packaged not in tuple(PackagedBenchmark):
            raise BenchmarkSourceError(f"benchmark {cfg.name}: unknown packaged set {cfg.packaged!r} "
                                       f"(have: {', '.join(PackagedBenchmark)})")
        return _read_jsonl(PACKAGED_DIR / f"{cfg.packaged}.jsonl.gz")
    if cfg.path:
        path = Path(cfg.path).expanduser()
        if not path.is_file():
            raise BenchmarkSourceError(f"benchmark {cfg.name}: file not found: {path}")
        if path.suffix == ".parquet":
            try:
                return pq.read_table(path).to_pylist()
            except (OSError, pa.ArrowException) as error:
                raise BenchmarkSourceError(f"benchmark {cfg.name}: {path} is not a readable "
                                           f"Parquet file ({error})") from None
        return _read_jsonl(path, cfg.name)
    return _read_hub(cfg)


def _read_jsonl(path: Path, name: str = "") -> list[dict]:
    """Every record of a JSONL file; a malformed line is an error naming the file and line."""
    return [record for _, record in read_jsonl(path, f"benchmark {name}")]


def _read_hub(cfg: DictConfig) -> list[dict]:
    """A Hugging Face dataset by name (needs the `datasets` package and network or its cache)."""
    try:
        import datasets
    except ImportError:
        raise BenchmarkSourceError(f"benchmark {cfg.name}: hf_dataset needs the `datasets` "
                                   "package (pip install datasets)") from None
    try:
        loaded = datasets.load_dataset(cfg.hf_dataset, cfg.hf_config, split=cfg.split)
    except Exception as error:  # offline, unknown name, unknown split: say which benchmark
        raise BenchmarkSourceError(f"benchmark {cfg.name}: cannot load {cfg.hf_dataset!r} "
                                   f"({type(error).__name__}: {error})") from None
    return list(loaded)
