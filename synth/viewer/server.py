"""`synth view RUN_DIR`: a local web page over a run directory, read in place.

The page (page.html, plain HTML and JavaScript, no build step) asks a small JSON API served
by FastAPI on uvicorn (both already installed with llama-cpp-python's server): the run at a
glance, pages of final or dropped rows filtered and sorted by DuckDB queries (run_tables.py),
and one row with its samples, vote, judges and concept combination (row_details.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.viewer.row_details import row_details
from synth.viewer.run_tables import FINAL, RowFilter, RunTables

PAGE = Path(__file__).with_name("page.html")


def create_app(run_root: Path):
    """The viewer's FastAPI application for the run directory `run_root`."""
    from fastapi import FastAPI, HTTPException, Query
    from fastapi.responses import HTMLResponse, PlainTextResponse, Response

    tables = RunTables(run_root)
    run = tables.run
    app = FastAPI(title=f"synth view {run_root}", docs_url=None, redoc_url=None)

    def table_view(table: str) -> str:
        if table == FINAL:
            return FINAL
        stage = tables.stage(table)
        if stage is None:
            raise HTTPException(404, f"no stage {table!r} in this run")
        return stage.view

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE.read_text()

    @app.get("/api/overview")
    def overview() -> dict[str, Any]:
        summary = run.read_record(run.summary_path) or {}
        report = run.read_record(run.report_dir / "report.json") or {}
        plots = sorted(p.name for p in run.report_dir.glob("*.png")) \
            if run.report_dir.exists() else []
        graph = run.read_record(run.graph_dir / "stats.json")
        return {"root": str(run_root), "summary": summary, "cost": report.get("cost"),
                "decontamination": report.get("decontamination"), "plots": plots,
                "config": run.config_path.read_text() if run.config_path.exists() else "",
                "graph": graph and {k: graph.get(k) for k in ("nodes", "nodes_by_kind",
                                                              "edges", "top_nodes")},
                "stages": [{"name": t.name, "folder": t.path.name,
                            "dropped": tables.drop_reasons(t.view)} for t in tables.stages],
                "methods": tables.methods(), "final_columns": tables.columns.get(FINAL, [])}

    @app.get("/api/plots/{name}")
    def plot(name: str) -> Response:
        path = run.report_dir / name
        if "/" in name or not name.endswith(".png") or not path.exists():
            raise HTTPException(404, "no such plot")
        return Response(path.read_bytes(), media_type="image/png")

    @app.get("/api/rows/{table}")
    def rows(table: str, page: int = 0, size: int = 25, sort: str | None = None,
             desc: bool = False, method: str | None = None,
             agreement_min: float | None = None, agreement_max: float | None = None,
             difficulty_min: float | None = None, difficulty_max: float | None = None,
             judge_min: float | None = None, concept: str | None = None,
             q: str | None = Query(None), reason: str | None = None) -> dict[str, Any]:
        view = table_view(table)
        row_filter = RowFilter(method, agreement_min, agreement_max, difficulty_min,
                               difficulty_max, judge_min, concept or None, q or None,
                               reason if view != FINAL else None)
        return tables.page(view, row_filter, sort, desc, page, size)

    @app.get("/api/row/{table}/{row_id}")
    def row(table: str, row_id: str) -> dict[str, Any]:
        details = row_details(tables, table_view(table), row_id)
        if details is None:
            raise HTTPException(404, f"no row {row_id!r} in {table}")
        return details

    @app.get("/api/config", response_class=PlainTextResponse)
    def config() -> str:
        return run.config_path.read_text() if run.config_path.exists() else ""

    return app


def serve(run_root: Path, host: str, port: int, announce) -> None:
    """Serve the viewer until interrupted; `announce` gets the address once it listens."""
    import socket

    import uvicorn

    app = create_app(run_root)
    with socket.socket() as probe:  # port 0: a free port, known before the server starts
        probe.bind((host, port))
        port = probe.getsockname()[1]
    announce(f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")
