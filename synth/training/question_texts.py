"""QFT's training texts: each question wrapped in the generator's own user turn.

ScaleQuest fine-tunes the generator on questions only, each text being
`template prefix + question + end-of-turn`. At generation time the model is given the bare
prefix, so it learns to continue a user turn with a question and to close the turn itself.

    questions = load_questions(cfg.questions)
    texts = qft_texts(questions, cfg.template)
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from synth.data_files import DataFileError, read_jsonl


class QuestionSourceError(DataFileError):
    """A question file lacks the configured field or holds no usable question."""


def load_questions(source: DictConfig) -> list[str]:
    """Non-empty questions from packaged CHAMP or the listed files, in order, first `limit`."""
    if source.packaged:
        from synth.concepts.champ_seeds import champ_seed_records

        records = champ_seed_records()
        field = "question"
    else:
        records = [record for path in source.paths for record in _read_records(Path(path))]
        field = source.question_field
    if records and field not in records[0]:
        raise QuestionSourceError(f"questions: no field {field!r} "
                                  f"(fields: {', '.join(records[0])})")
    questions = [str(record[field]).strip() for record in records if record.get(field)]
    questions = [question for question in questions if question]
    if source.limit is not None:
        questions = questions[: source.limit]
    if not questions:
        raise QuestionSourceError("questions: the source holds no non-empty question")
    return questions


def qft_text(question: str, template: DictConfig) -> str:
    """One training text: the user-turn prefix, the question, the end-of-turn marker."""
    return f"{template.prefix}{question.strip()}{template.end_of_turn}"


def qft_texts(questions: list[str], template: DictConfig) -> list[str]:
    return [qft_text(question, template) for question in questions]


def _read_records(path: Path) -> list[dict]:
    path = path.expanduser()
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    return [record for _, record in read_jsonl(path, "questions")]
