"""The crawl and reparse click commands, end to end through a real subprocess crawl and DuckDB file."""

from __future__ import annotations

import json
import re
from datetime import date

from aiprices.schedules.captures import pick_captures
from aiprices.warehouse.connection import connect
from click.testing import CliRunner

from aiprices.commands.crawl import crawl, reparse


def test_crawl_from_archive_then_reparse(vendor_pages, db_path):
    """Every source replayed on one date by the command in two crawler processes, then one run reparsed."""
    day = date(2026, 10, 5)
    expected = set(pick_captures(vendor_pages, day, sorted(p.name for p in vendor_pages.iterdir() if p.is_dir())))
    runner = CliRunner()
    result = runner.invoke(
        crawl,
        [
            "--from-archive",
            str(vendor_pages),
            "--on",
            str(day),
            "--processes",
            "2",
            "--db",
            str(db_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["status"] == "ok" and report["exit_code"] == 0
    rows = {r["source"]: r for r in report["sources"]}
    assert {s for s, r in rows.items() if r["status"] != "no capture"} == expected
    for r in rows.values():  # a source whose extractor cannot parse its newest capture fails with a reason
        assert r["error"] if r["status"] in ("failed", "no capture") else r["items"] > 0, r
    assert rows["openrouter"]["status"] == "ok" and rows["openrouter"]["items"] == 1693
    assert rows["bedrock"]["status"] == "ok" and rows["bedrock"]["items"] == 74
    assert rows["azure"]["status"] == "ok"
    con = connect(db_path, read_only=True)
    try:
        runs = dict(con.execute("SELECT source, status FROM crawl_runs").fetchall())
        (observed,) = con.execute(
            "SELECT DISTINCT observed_at::DATE FROM crawl_runs WHERE kind = 'replay' AND source IN ('openrouter', "
            "'bedrock')"
        ).fetchone()
        (price,) = con.execute(
            "SELECT price FROM prices_current WHERE source = 'bedrock' AND source_model_key = 'gpt-oss-120b' "
            "AND price_key = 'input' AND service_tier = 'standard' AND variant = ''"
        ).fetchone()
        run_id = con.execute("SELECT run_id FROM crawl_runs WHERE source = 'bedrock'").fetchone()[0]
    finally:
        con.close()
    assert set(runs) == expected and runs["openrouter"] == "ok" and runs["azure"] == "ok"
    assert str(observed) == "2026-10-05"
    assert str(price.normalize()) == "0.15"  # 0.00015 per 1K tokens = 0.15 per 1M
    again = runner.invoke(reparse, [run_id, "--db", str(db_path)])
    assert again.exit_code == 0, again.output
    line = again.output.splitlines()[0]  # the new run's id is printed
    assert re.match(r"bedrock +ok +reparse-\d{8}T\d{6}Z-[0-9a-f]{4}-bedrock  74 items, 0 rejected; \+0 ~0 -0", line)


def test_crawl_errors_are_one_line(tmp_path, db_path):
    runner = CliRunner()
    bad = runner.invoke(crawl, ["nosuch", "--from-archive", str(tmp_path), "--db", str(db_path)])
    assert bad.exit_code == 2 and "unknown source 'nosuch'" in bad.output
    assert "Traceback" not in bad.output
    empty = runner.invoke(crawl, ["openai", "--from-archive", str(tmp_path), "--db", str(db_path)])
    assert empty.exit_code == 3 and "openai      no capture     -  no capture in" in empty.output
    live_on = runner.invoke(crawl, ["openai", "--on", "2026-01-01", "--db", str(db_path)])
    assert live_on.exit_code == 2 and "--on needs --from-archive" in live_on.output
    zero = runner.invoke(crawl, ["openai", "--processes", "0", "--from-archive", str(tmp_path), "--db", str(db_path)])
    assert zero.exit_code == 2 and "--processes" in zero.output and "Traceback" not in zero.output
    missing = runner.invoke(reparse, ["no-such-run", "--db", str(db_path)])
    assert missing.exit_code == 2 and "no archived page" in missing.output
