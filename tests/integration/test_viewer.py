"""`synth view` end to end: the session's small real quickstart run (SmolLM2 on llama.cpp, a
local Ray cluster), served by the CLI, and Debian's headless Chromium driven by Playwright
through the overview, filtered final rows, one row with its samples and vote, a stage's dropped
rows by reason, and a text search. A screenshot of each step is saved under the test's tmp dir.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as pads
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's package (README test set-up, .ci/run); never downloaded


def table(path: Path):
    return pads.dataset(sorted(str(p) for p in path.glob("*.parquet")), format="parquet").to_table()


@pytest.fixture(scope="module")
def viewer(quickstart_run):
    """`synth view RUN_DIR` on a free port; yields its address."""
    run_dir, _ = quickstart_run
    process = subprocess.Popen([sys.executable, "-m", "synth.cli", "view", str(run_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, line + process.stderr.read()
    yield match.group(0), run_dir
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), \
        "Debian's chromium is missing: apt-get update && apt-get install -y chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


def wait_for_text(page, selector: str, pattern: str, timeout_s: float = 20) -> str:
    """The text of `selector` once it matches `pattern` (the page fills in asynchronously)."""
    deadline = time.time() + timeout_s
    text = ""
    while time.time() < deadline:
        text = page.locator(selector).inner_text()
        if re.search(pattern, text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"{selector} never matched {pattern!r}; last text: {text!r}")


def test_browsing_a_run_in_chromium(viewer, browser, tmp_path):
    url, run_dir = viewer
    summary = json.loads((run_dir / "summary.json").read_text())
    final = table(run_dir / "final" / "data").to_pylist()
    assert final, "the small quickstart run keeps rows (min_votes 1)"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)

    # Overview: the run at a glance, the funnel, the plots.
    assert wait_for_text(page, "#card-final-pairs", r"\d") == str(summary["final_rows"])
    funnel = wait_for_text(page, "#funnel", "consensus")
    for record in summary["stages"]:
        assert record["stage"] in funnel
    assert page.locator("#plots img").count() >= 1
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

    # Final rows, filtered by agreement: the count is the query's, checked against the Parquet.
    page.click("nav button[data-tab=rows]")
    expected = sum(1 for row in final if row["agreement"] >= 0.6)
    page.fill("#f-agreement-min", "0.6")
    page.click("#apply")
    wait_for_text(page, "#page-info", rf"of {expected}$")
    page.fill("#f-agreement-min", "")
    page.click("#apply")
    wait_for_text(page, "#page-info", rf"of {len(final)}$")

    # One row in full: its question, and every sampled solution with its class and the vote.
    row = final[0]
    page.click(f"#rows-table tr[data-id='{row['id']}']")
    assert wait_for_text(page, "#detail-question", r"\S").strip() == row["question"].strip()
    samples = page.locator("#samples tbody tr")
    assert samples.count() == row["num_samples"]
    assert page.locator("#samples tr.chosen").count() == 1
    assert "class 1" in page.locator("#samples tr.chosen").inner_text()
    assert f"agreement {row['agreement']}" in page.locator("#detail-vote").inner_text()
    page.screenshot(path=str(tmp_path / "row.png"), full_page=True)
    page.click("#close-detail")

    # A text search narrows the rows to those whose text contains the word.
    word = max(re.findall(r"[A-Za-z]{5,}", row["question"]), key=len)
    matching = sum(1 for r in final if any(word.lower() in (r[c] or "").lower()
                                           for c in ("question", "solution", "answer")))
    page.fill("#f-search", word)
    page.click("#apply")
    wait_for_text(page, "#page-info", rf"of {matching}$")
    assert word.lower() in page.locator("#rows-table tbody").inner_text().lower()

    # Dropped rows of one stage, by reason, opened like any row.
    dropping = [(r["stage"], reason, count) for r in summary["stages"]
                for reason, count in r["dropped"].items() if r["stage"] != "final_pairs"]
    assert dropping, "a 135M model's run drops rows somewhere"
    stage, reason, count = dropping[0]
    page.click("nav button[data-tab=dropped]")
    folder = next(p.name for p in (run_dir / "stages").iterdir()
                  if p.is_dir() and p.name.endswith(f"_{stage}"))
    page.select_option("#d-stage", folder)
    page.select_option("#d-reason", reason)
    page.click("#d-apply")
    wait_for_text(page, "#d-page-info", rf"^{count} dropped rows")
    page.locator("#dropped-table tbody tr").first.click()
    assert wait_for_text(page, "#detail-reason", r"\S") == reason
    page.screenshot(path=str(tmp_path / "dropped.png"), full_page=True)
    assert all((tmp_path / name).stat().st_size > 10_000
               for name in ("overview.png", "row.png", "dropped.png"))
