"""A finished (or running) run directory as queryable tables, read in place.

Every stage's Parquet folder and the final dataset become DuckDB views over pyarrow datasets
(local paths or object storage alike), so a page of rows, a filter or a count is a query that
streams the files with the needed columns only: nothing loads a run into memory, and a
1M-row run answers as fast as the query engine scans one or two columns of it.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads

from synth.run.directory import RunDirectory
from synth.run.storage import arrow_dataset

STAGE_FOLDER = re.compile(r"^(\d+)_(.+)$")
FINAL = "final"
PAGE_SIZE_LIMIT = 200
LONG_TEXT = 400  # characters of a long text column a table row shows (the row view has all)


@dataclass(frozen=True)
class RowFilter:
    """What a user narrowed a table to; every field optional."""

    method: str | None = None
    agreement_min: float | None = None
    agreement_max: float | None = None
    difficulty_min: float | None = None
    difficulty_max: float | None = None
    judge_min: float | None = None
    concept: str | None = None  # a topic or knowledge point, matched as a substring
    text: str | None = None  # searched in question, solution and answer
    drop_reason: str | None = None


@dataclass(frozen=True)
class StageTable:
    """One stage's output folder: its position, name, and the view that reads it."""

    position: int
    name: str
    view: str
    path: Path


class RunTables:
    """The run's tables behind one DuckDB connection (queries are serialised: one connection
    is not safe across threads, and a viewer's queries are short)."""

    def __init__(self, root: Path) -> None:
        import duckdb

        self.run = RunDirectory(root)
        self.connection = duckdb.connect()
        self.lock = threading.Lock()
        self.stages = self._stage_tables()
        self.columns: dict[str, list[str]] = {}
        self._datasets: dict[str, pads.Dataset] = {}  # kept alive: DuckDB scans them lazily
        for table in [*self.stages, StageTable(0, FINAL, FINAL, self.run.final_path)]:
            self._register(table.view, table.path)
        self._add_difficulty_to_final()

    def _stage_tables(self) -> list[StageTable]:
        folder = self.run.root / "stages"
        if not folder.exists():
            return []
        tables = []
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            match = STAGE_FOLDER.match(entry.name)
            if match and entry.is_dir():
                tables.append(StageTable(int(match.group(1)), match.group(2),
                                         f"stage_{match.group(1)}", entry))
        return tables

    def _register(self, view: str, path: Path) -> None:
        files = sorted(path.glob("*.parquet"), key=str) if path.exists() else []
        if not files:
            return
        dataset = arrow_dataset(files)
        self._datasets[view] = dataset
        self.connection.register(view, dataset)
        self.columns[view] = dataset.schema.names

    def _add_difficulty_to_final(self) -> None:
        """Final rows do not carry the difficulty the difficulty filter predicted (consensus
        writes a fixed schema), so the final view joins it back by question id."""
        scored = self.stage("difficulty_filter")
        if (not self.has(FINAL) or "difficulty" in self.columns[FINAL] or scored is None
                or "difficulty" not in self.columns.get(scored.view, [])):
            return
        self.connection.unregister(FINAL)
        self.connection.register("final_files", self._datasets[FINAL])
        self.connection.execute(
            f"CREATE VIEW {FINAL} AS SELECT f.*, d.difficulty FROM final_files f LEFT JOIN "
            f"(SELECT id, any_value(difficulty) AS difficulty FROM {scored.view} GROUP BY id) d "
            "USING (id)")
        self.columns[FINAL] = [*self.columns[FINAL], "difficulty"]

    def has(self, view: str) -> bool:
        return view in self.columns

    def stage(self, name: str) -> StageTable | None:
        """A stage by name (`solve`) or folder name (`05_solve`)."""
        return next((t for t in self.stages if name in (t.name, t.path.name)), None)

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[dict[str, Any]]:
        with self.lock:
            cursor = self.connection.execute(sql, parameters or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def page(self, view: str, row_filter: RowFilter, sort: str | None, descending: bool,
             page: int, size: int) -> dict[str, Any]:
        """One page of a table's rows (long texts shortened) and how many rows match."""
        if not self.has(view):
            return {"total": 0, "rows": [], "columns": []}
        columns = self.columns[view]
        where, parameters = self._where(view, row_filter)
        size = max(1, min(size, PAGE_SIZE_LIMIT))
        order = f'ORDER BY "{sort}" {"DESC" if descending else "ASC"} NULLS LAST' \
            if sort in columns else ""
        shown = ", ".join(_shortened(c) for c in columns)
        total = self.query(f"SELECT count(*) AS n FROM {view} {where}", parameters)[0]["n"]
        rows = self.query(f"SELECT {shown} FROM {view} {where} {order} LIMIT {size} "
                          f"OFFSET {max(0, page) * size}", parameters)
        return {"total": total, "rows": [_plain(r) for r in rows], "columns": columns}

    def row(self, view: str, row_id: str) -> dict[str, Any] | None:
        """One whole row of a table by its id."""
        if not self.has(view) or "id" not in self.columns[view]:
            return None
        found = self.query(f"SELECT * FROM {view} WHERE id = ? LIMIT 1", [row_id])
        return _plain(found[0]) if found else None

    def rows_with_id(self, view: str, row_id: str) -> list[dict[str, Any]]:
        """Every row of a table with this id (a question's sampled solutions)."""
        if not self.has(view) or "id" not in self.columns[view]:
            return []
        order = "ORDER BY sample_index" if "sample_index" in self.columns[view] else ""
        return [_plain(r) for r in self.query(f"SELECT * FROM {view} WHERE id = ? {order}",
                                              [row_id])]

    def drop_reasons(self, view: str) -> dict[str, int]:
        """A stage's dropped rows counted by reason, most frequent first."""
        if not self.has(view) or "drop_reason" not in self.columns[view]:
            return {}
        found = self.query(f"SELECT drop_reason, count(*) AS n FROM {view} WHERE drop_reason "
                           "IS NOT NULL GROUP BY drop_reason ORDER BY n DESC, drop_reason")
        return {r["drop_reason"]: r["n"] for r in found}

    def methods(self) -> list[str]:
        if not self.has(FINAL) or "method" not in self.columns[FINAL]:
            return []
        return [r["method"] for r in self.query(f"SELECT DISTINCT method FROM {FINAL} ORDER BY 1")]

    def _where(self, view: str, f: RowFilter) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters for a filter, using only the view's columns."""
        columns = set(self.columns[view])
        clauses: list[str] = []
        parameters: list[Any] = []

        def add(column: str, clause: str, *values: Any) -> None:
            if column in columns:
                clauses.append(clause)
                parameters.extend(values)

        if f.method:
            add("method", "method = ?", f.method)
        for column, low, high in (("agreement", f.agreement_min, f.agreement_max),
                                  ("difficulty", f.difficulty_min, f.difficulty_max)):
            if low is not None:
                add(column, f"{column} >= ?", low)
            if high is not None:
                add(column, f"{column} <= ?", high)
        if f.judge_min is not None:
            add("judge_score", "judge_score >= ?", f.judge_min)
        if f.concept:
            term = f"%{f.concept.lower()}%"
            concept_columns = [c for c in ("topics", "knowledge_points", "concepts") if c in columns]
            if concept_columns:
                clauses.append("(" + " OR ".join(
                    f"lower(array_to_string({c}, ' | ')) LIKE ?" for c in concept_columns) + ")")
                parameters.extend([term] * len(concept_columns))
            else:
                clauses.append("FALSE")
        if f.text:
            searched = [c for c in ("question", "solution", "answer") if c in columns]
            clauses.append("(" + " OR ".join(f"{c} ILIKE ?" for c in searched) + ")"
                           if searched else "FALSE")
            parameters.extend([f"%{f.text}%"] * len(searched))
        if f.drop_reason:
            if f.drop_reason == "*":
                add("drop_reason", "drop_reason IS NOT NULL")
            else:
                add("drop_reason", "drop_reason = ?", f.drop_reason)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", parameters


def _shortened(column: str) -> str:
    """A select item that cuts long text columns for a table page."""
    if column in ("question", "solution", "generation_reply", "extraction_reply"):
        return f'left("{column}", {LONG_TEXT}) AS "{column}"'
    return f'"{column}"'


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row with values JSON can carry (DuckDB hands back Decimals, dates and maps)."""
    return json.loads(json.dumps(row, default=str))
