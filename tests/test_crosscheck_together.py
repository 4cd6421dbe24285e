"""A crawl's sources are cross-checked together, in one query per round of runs, after each source's own load:
the results are those of checking each run as it loads, and a load that stops between a run's prices and its
check leaves the run to the next load's check."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.schedules.loading import StagedBatch, load_batch
from aiprices.schedules.spawn import PlannedSource
from aiprices.warehouse.connection import connect
from aiprices.warehouse.crosscheck import pending_crosschecks, record_pending_crosschecks
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun, write_staged_run
from click.testing import CliRunner
from helpers.built_once import copy_warehouse
from helpers.captured_rows import captured_rows

from aiprices.cli import cli

# Captures whose prices meet the registry in every way a check has: Bedrock's regions and profiles, Azure's meter
# names, Vertex's long-context tiers.
CAPTURES = {
    "bedrock": "2026-10-04.price-list-subset.json",
    "azure": "2026-10-04.retail-page.json",
    "vertex": "2026-10-04.excerpt.html",
}
DAYS = (datetime(2026, 11, 13, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC))


def _runs(pages: Path) -> list[StagedRun]:
    """Two days of each source: the second day one price is 10% higher (results close and open)."""
    runs = []
    for source, name in CAPTURES.items():
        rows = captured_rows(source, pages / source / name)
        for n, at in enumerate(DAYS):
            day = [dict(row) for row in rows]
            if n:
                day[0]["price"] = day[0]["price"] * Decimal("1.1")
            runs.append(StagedRun(RunRecord(f"r{n}-{source}", source, "replay", at, at, at), day))
    return runs


def _stored(db: Path) -> tuple[list[tuple], list[tuple]]:
    con = connect(db, read_only=True)
    try:
        intervals = con.execute("SELECT * FROM crosscheck_intervals ORDER BY ALL").fetchall()
        checked = con.execute("SELECT run_id, source, observed_at, inputs FROM crosscheck_runs ORDER BY ALL").fetchall()
    finally:
        con.close()
    return intervals, checked


def test_checking_a_crawls_runs_together_gives_what_checking_each_as_it_loads_gives(
    registry_warehouse, vendor_pages, tmp_path
):  # fmt: skip
    for path in [vendor_pages / s / n for s, n in CAPTURES.items()]:
        if not path.is_file():
            pytest.skip(f"shared file {path} is absent")
    # Every shared registry copy loaded (the session's backfill): the newest, of 2026-11-12, is what is checked.
    one_by_one_db = copy_warehouse(registry_warehouse.path, tmp_path / "one-by-one.duckdb")
    together = copy_warehouse(registry_warehouse.path, tmp_path / "together.duckdb")
    runs = _runs(vendor_pages)

    con = connect(one_by_one_db)  # each run checked in its own load, as a single load does
    one_by_one = {run.run.run_id: load_run(con, run).crosschecks for run in copy.deepcopy(runs)}
    con.close()
    con = connect(together)  # every run loaded unchecked, then all checked at once (two rounds of three sources)
    for run in runs:
        assert load_run(con, run, check=False).crosschecks == {}
    assert pending_crosschecks(con) == sorted(r.run.run_id for r in runs)  # day by day
    at_once = record_pending_crosschecks(con)
    assert pending_crosschecks(con) == []
    con.close()

    assert at_once == one_by_one
    assert _stored(together) == _stored(one_by_one_db)
    statuses = {status for counts in at_once.values() for status in counts}
    assert {"match", "mismatch", "missing_in_registry", "missing_on_page"} <= statuses
    con = connect(together, read_only=True)
    closed = con.execute("SELECT DISTINCT source FROM crosscheck_intervals WHERE retired_run_id LIKE 'r1-%'").fetchall()
    con.close()
    assert sorted(closed) == [(source,) for source in sorted(CAPTURES)], "day 2's higher price closed a result"


AT = datetime(2026, 6, 1, tzinfo=UTC)


def _price(source: str, vendor: str, price: str) -> dict:
    return {
        "source": source, "vendor": vendor, "model": "m1", "source_model_key": "m1", "price_key": "input",
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "time_window": "", "price": Decimal(price), "effective_from": None,
        "effective_to": None, "source_url": f"https://{source}.test", "source_field": "table", "inferred_rule": None,
    }  # fmt: skip


def _next_batch(folder: Path, day: int) -> StagedBatch:
    at = AT.replace(day=day)
    p = PlannedSource("groq", f"b{day}-groq", at)
    write_staged_run(folder / "groq", RunRecord(p.run_id, "groq", "replay", at, at, at), [_price("groq", "groq", "2")])
    return StagedBatch(folder, "replay", [p])


def test_a_run_whose_load_stopped_before_its_check_is_checked_by_the_next_load(migrated_db, tmp_path):
    con = connect(migrated_db)
    registry = RunRecord("reg-1", "litellm", "registry", AT, AT, AT)
    load_run(con, StagedRun(registry, [_price("litellm", "groq", "1.5")]))
    stopped = RunRecord("b1-groq", "groq", "replay", AT, AT, AT)  # loaded, then the load stopped before its check
    load_run(con, StagedRun(stopped, [_price("groq", "groq", "1.5")]), check=False)
    assert pending_crosschecks(con) == ["b1-groq"]

    results = load_batch(con, _next_batch(tmp_path / "b2", 2))
    checked = con.execute("SELECT run_id FROM crosscheck_runs ORDER BY observed_at").fetchall()
    history = con.execute(
        "SELECT run_id, status, valid_to IS NULL FROM crosscheck_intervals ORDER BY valid_from"
    ).fetchall()
    con.close()
    assert checked == [("b1-groq",), ("b2-groq",)]
    assert history == [("b1-groq", "match", False), ("b2-groq", "mismatch", True)]
    assert [(r.run_id, r.crosschecks) for r in results] == [("b2-groq", {"mismatch": 1})]


def test_two_sources_of_one_vendor_checked_together_are_each_checked_alone(migrated_db):
    """One page publishes m1's input, the other its output: what each lacks stays its own ``missing_on_page``."""
    con = connect(migrated_db)
    registry = [_price("litellm", "groq", "1.5"), {**_price("litellm", "groq", "3"), "price_key": "output"}]
    load_run(con, StagedRun(RunRecord("reg-1", "litellm", "registry", AT, AT, AT), registry))
    at = AT.replace(day=2)
    pages = {
        "groq": _price("groq", "groq", "1.5"),
        "together": {**_price("together", "groq", "3"), "price_key": "output"},
    }
    for source, row in pages.items():
        load_run(con, StagedRun(RunRecord(f"r-{source}", source, "replay", at, at, at), [row]), check=False)
    counts = record_pending_crosschecks(con)
    rows = con.execute("SELECT source, price_key, status FROM crosscheck_intervals ORDER BY ALL").fetchall()
    con.close()
    assert counts == {"r-groq": {"match": 1, "missing_on_page": 1}, "r-together": {"match": 1, "missing_on_page": 1}}
    assert rows == [
        ("groq", "input", "match"), ("groq", "output", "missing_on_page"),
        ("together", "input", "missing_on_page"), ("together", "output", "match"),
    ]  # fmt: skip


def test_aiprices_load_checks_what_an_interrupted_load_left_unchecked(migrated_db):
    con = connect(migrated_db)
    load_run(con, StagedRun(RunRecord("reg-1", "litellm", "registry", AT, AT, AT), [_price("litellm", "groq", "1.5")]))
    stopped = RunRecord("b1-groq", "groq", "replay", AT, AT, AT)
    load_run(con, StagedRun(stopped, [_price("groq", "groq", "1.5")]), check=False)
    con.close()
    args = ["load", "--db", str(migrated_db)]
    first, again = CliRunner().invoke(cli, args), CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "note: cross-checked 1 run(s) an interrupted load left unchecked: b1-groq" in first.output
    assert again.exit_code == 0 and "cross-checked" not in again.output
    con = connect(migrated_db, read_only=True)
    checked = con.execute("SELECT run_id, status FROM crosscheck_intervals").fetchall()
    con.close()
    assert checked == [("b1-groq", "match")]
