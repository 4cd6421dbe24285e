"""Replays load what they can: every capture newer than what is loaded, oldest first; the rest skipped with
one line; sources with no capture listed as such; the exit code and JSON status say how it went."""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.crawl import crawl
from aiprices.commands.runs import runs


def openrouter_page(folder: Path, day: str, prompt: str) -> None:
    """Our own OpenRouter-style capture: one model, USD per token as strings."""
    (folder / "openrouter").mkdir(parents=True, exist_ok=True)
    body = {"data": [{"id": "acme/model-1", "pricing": {"prompt": prompt, "completion": "0.000004"}}]}
    (folder / "openrouter" / f"{day}.json").write_text(json.dumps(body))


def replay(pages: Path, db: Path, *args: str):
    return CliRunner().invoke(crawl, ["--from-archive", str(pages), "--db", str(db), *args])


def input_prices(db: Path) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT CAST(valid_from AS DATE)::VARCHAR, price FROM price_history "
            "WHERE model LIKE '%model-1' AND price_key = 'input' ORDER BY valid_from"
        ).fetchall()
    finally:
        con.close()


def test_replay_without_on_loads_every_newer_capture_oldest_first_and_skips_the_rest(tmp_path, db_path):
    pages = tmp_path / "pages"
    for day, prompt in (("2026-01-01", "0.000001"), ("2026-01-02", "0.0000012"), ("2026-01-03", "0.0000013")):
        openrouter_page(pages, day, prompt)
    con = connect(db_path)  # the warehouse already holds openrouter as of 2026-01-01
    at = datetime(2026, 1, 1, tzinfo=UTC)
    load_run(con, StagedRun(RunRecord("seed-openrouter", "openrouter", "replay", at, at, at), []))
    con.close()

    out = replay(pages, db_path, "openrouter")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert re.fullmatch(r"openrouter +skipped +- +1 capture \(2026-01-01\) not newer than what is loaded; "
                        r"the warehouse holds 2026-01-01 00:00", lines[0])  # fmt: skip
    run_line = r"openrouter +ok +replay-\d{8}T\d{6}Z-[0-9a-f]{4}-openrouter  2 items"  # each run id is shown
    assert re.match(run_line, lines[1]) and re.match(run_line, lines[2])
    assert lines[-1] == "replay: ok (2 ok, 1 skipped)"
    assert input_prices(db_path) == [("2026-01-02", Decimal("1.2")), ("2026-01-03", Decimal("1.3"))]  # in order

    again = replay(pages, db_path, "openrouter", "--json")  # nothing newer: skipped, never reported as ok
    assert again.exit_code == 0
    report = json.loads(again.stdout)
    assert report["status"] == "ok" and [r["status"] for r in report["sources"]] == ["skipped"]

    args = ["--source", "openrouter", "--limit", "2", "--format", "json", "--db", str(db_path)]
    listed = CliRunner().invoke(runs, args)
    assert listed.exit_code == 0, listed.output
    newest = json.loads(listed.stdout)
    assert [r["run_id"] for r in newest] == [lines[2].split()[2], lines[1].split()[2]]  # the ids printed above
    assert [r["observed_at"][:10] for r in newest] == ["2026-01-03", "2026-01-02"]


def test_replay_on_a_date_lists_sources_without_a_capture_and_skips_older_ones(tmp_path, db_path):
    pages = tmp_path / "pages"
    openrouter_page(pages, "2026-01-05", "0.000001")
    out = replay(pages, db_path, "openrouter", "groq", "--on", "2026-01-06", "--json")
    assert out.exit_code == 1, out.output  # partial: groq could not be replayed
    report = json.loads(out.stdout)
    assert report["status"] == "partial" and report["exit_code"] == 1
    by_source = {r["source"]: r for r in report["sources"]}
    assert by_source["groq"]["status"] == "no capture" and by_source["groq"]["run_id"] is None
    assert "no capture on or before 2026-01-06" in by_source["groq"]["error"]
    assert by_source["openrouter"]["status"] == "ok"
    older = replay(pages, db_path, "openrouter", "--on", "2026-01-05")  # older than loaded: not even crawled
    assert older.exit_code == 0, older.output
    assert re.match(r"openrouter +skipped +- +the warehouse holds 2026-01-06 00:00, newer than 2026-01-05",
                    older.stdout)  # fmt: skip


FAST_FAIL = {"RETRY_TIMES": 0, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def test_every_live_fetch_refused_says_the_network_looks_unreachable(tmp_path, monkeypatch):
    """A live crawl through a proxy that refuses every connection (127.0.0.1, nothing listens): no site is
    reached, every source fails to connect, and the report says so in one line and as ``failed`` (exit 3)."""
    from aiprices.schedules.runs import CrawlRequest
    from aiprices.schedules.runs import crawl as run

    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    for var in ("http_proxy", "https_proxy"):
        monkeypatch.setenv(var, f"http://127.0.0.1:{port}")
    report = run(CrawlRequest(tmp_path / "w.duckdb", ["openrouter", "groq"], settings=FAST_FAIL))
    assert [r.status for r in report.results] == ["failed", "failed"]
    assert (report.status, report.exit_code) == ("failed", 3)
    assert report.notes == ["the network looks unreachable: every source failed with a DNS or connection error"]
