"""What "verified" means (issue 10 item 6): a vendor is verified when its last ok run is within a freshness window
(2 days by default, ``vendor_status_within(days)`` for another); aggregators are shown but not counted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.schedule import schedule

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def con(migrated_db):
    con = connect(migrated_db)
    runs = [  # (source, days ago, status, aggregator)
        ("openai", 1, "ok", False),
        ("anthropic", 10, "ok", False),
        ("groq", 3, "ok", False),
        ("groq", 0, "failed", False),  # failed today, verified 3 days ago: not within 2 days
        ("xai", 0, "failed", False),  # never verified
        ("openrouter", 0, "ok", True),
    ]
    for i, (source, days, status, aggregator) in enumerate(runs):
        at = NOW - timedelta(days=days)
        run = RunRecord(f"r{i}", source, "crawl", at, at, at, status=status, aggregator=aggregator)
        load_run(con, StagedRun(run, []))
    yield con
    con.close()  # closing twice is harmless


def status(con, sql: str) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in con.execute(sql).fetchall()}


def test_vendor_status_counts_vendors_verified_within_two_days(con):
    rows = status(
        con, "SELECT vendor, verified, aggregator, vendors_verified, vendors_total, summary FROM vendor_status"
    )
    assert {v: r[:2] for v, r in rows.items()} == {
        "openai": (True, False), "anthropic": (False, False), "groq": (False, False), "xai": (False, False),
        "openrouter": (True, True),
    }  # fmt: skip
    assert {r[2:] for r in rows.values()} == {(1, 4, "1 of 4 vendors verified within 2 days")}


def test_the_window_is_a_parameter_of_the_macro(con):
    rows = status(con, "SELECT vendor, verified, summary FROM vendor_status_within(5)")
    assert rows["groq"][0] and not rows["anthropic"][0]
    assert rows["openai"][1] == "2 of 4 vendors verified within 5 days"
    as_of = status(
        con, f"SELECT vendor, verified FROM vendor_status_within(2, as_of := TIMESTAMPTZ '{NOW - timedelta(days=9)}')"
    )
    assert as_of == {"anthropic": (True,)}  # judged at a past instant: only what was loaded by then


def test_schedule_status_says_how_many_vendors_are_verified(con, db_path):
    con.close()
    out = CliRunner().invoke(schedule, ["status", "--db", str(db_path), "--fresh-days", "5"])
    assert out.exit_code == 0, out.output
    assert "sources: 2 of 4 vendors verified within 5 days (aggregators not counted)" in out.output
    data = json.loads(CliRunner().invoke(schedule, ["status", "--db", str(db_path), "--json"]).output)
    assert data["verified"] == "1 of 4 vendors verified within 2 days"
