"""``aiprices doctor``: a healthy warehouse passes; each kind of damage is named and exits non-zero."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.doctor import run_checks
from aiprices.warehouse.guards import accept, correct, list_held
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from helpers.cli import run_aiprices


def aiprices(*args: str, db: Path) -> subprocess.CompletedProcess:
    return run_aiprices(*args, env={"AIPRICES_DB": str(db), "AIPRICES_DEBUG": None})


def row(model: str, price: str) -> dict:
    return {
        "source": "groq", "vendor": "groq", "model": model, "source_model_key": model, "price_key": "input",
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "price": Decimal(price), "source_url": "https://groq.test/p",
        "source_field": "table", "inferred_rule": None,
    }  # fmt: skip


def load(con, day: int, rows: list[dict], status: str = "ok"):
    at = datetime(2026, 4, day, tzinfo=UTC)
    run = RunRecord(f"d{day}", "groq", "crawl", at, at, at, status=status)
    return load_run(con, StagedRun(run, rows))


@pytest.fixture
def healthy(migrated_db) -> Path:
    """Adds, changes, removals, a failed run, quarantines confirmed/accepted/pending and a correction."""
    con = connect(migrated_db)
    load(con, 1, [row("a", "1"), row("b", "2"), row("c", "3")])
    load(con, 2, [row("a", "1.5"), row("b", "2000"), row("c", "3"), row("d", "4")])
    load(con, 3, [], status="failed")
    load(con, 4, [row("a", "1.5"), row("b", "2000"), row("c", "3000"), row("d", "4")])  # b confirmed
    accept(con, list_held(con)[0].change_id)  # c accepted
    load(con, 5, [row("a", "1.5"), row("b", "2000"), row("c", "3000"), row("d", "0")])  # d held, pending
    load(con, 6, [row("a", "1.5"), row("b", "2000"), row("c", "3000"), row("d", "0")][1:])  # 3 of 4: a removed
    (cid,) = con.execute("SELECT change_id FROM changes WHERE kind = 'changed' AND flag IS NULL").fetchone()
    correct(con, cid)
    assert run_checks(con) == []
    con.close()
    return migrated_db


def test_healthy_warehouse_passes(healthy):
    out = aiprices("doctor", db=healthy)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("ok: ") and "checks passed" in out.stdout


DAMAGE = {
    "overlapping_intervals": "INSERT INTO price_intervals SELECT * REPLACE (valid_from - INTERVAL 1 HOUR AS "
    "valid_from, NULL AS valid_to) FROM price_intervals WHERE valid_to IS NULL LIMIT 1",
    "change_without_history": "UPDATE changes SET new_price = new_price + 1 WHERE kind = 'added' "
    "AND change_id = (SELECT min(change_id) FROM changes)",
    "history_without_change": "DELETE FROM changes WHERE kind = 'removed'",
    "orphaned_changes": "UPDATE changes SET run_id = 'ghost' WHERE kind = 'removed'",
    "failed_run_wrote_prices": "UPDATE runs SET status = 'failed' WHERE run_id = 'd6'",
}


@pytest.mark.parametrize("check", sorted(DAMAGE))
def test_each_damage_is_reported(healthy, check):
    con = connect(healthy)
    con.execute(DAMAGE[check])
    con.close()
    out = aiprices("doctor", db=healthy)
    assert out.returncode == 1
    assert f"FAIL {check}:" in out.stdout
    assert "checks failed" in out.stdout and "Traceback" not in out.stderr


def test_json_findings_and_missing_warehouse(healthy, tmp_path):
    con = connect(healthy)
    con.execute("DELETE FROM runs WHERE run_id = 'd1'")
    con.close()
    out = aiprices("doctor", "--json", db=healthy)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False
    names = {f["check"] for f in report["findings"]}
    assert {"orphaned_intervals", "orphaned_changes"} <= names
    missing = aiprices("doctor", db=tmp_path / "none.duckdb")
    assert missing.returncode == 1 and missing.stderr.startswith("error: no warehouse at")


def test_real_registry_backfill_is_consistent(registry_warehouse):
    con = connect(registry_warehouse.path, read_only=True)  # every shared copy, backfilled once per session
    (n,) = con.execute("SELECT count(*) FROM changes WHERE kind = 'changed'").fetchone()
    assert n > 0
    assert run_checks(con) == []
    con.close()


def test_a_change_dated_ahead_by_its_page_is_not_counted_as_the_runs(migrated_db):
    """A promotion whose page states its end logs the removal at that end under the run that read it; the run's
    counts are what changed when it ran, so the run-count check holds (and still catches a wrong count)."""
    con = connect(migrated_db)
    promo = row("p", "0.5") | {"variant": "promo", "effective_to": datetime(2026, 4, 10, tzinfo=UTC)}
    load(con, 1, [row("a", "1"), promo])
    changes = con.execute("SELECT kind, changed_at FROM changes WHERE run_id = 'd1' ORDER BY 2, 1").fetchall()
    assert changes[-1] == ("removed", datetime(2026, 4, 10, tzinfo=UTC))
    assert con.execute("SELECT added, removed FROM runs WHERE run_id = 'd1'").fetchone() == (2, 0)
    assert run_checks(con) == []
    con.execute("UPDATE runs SET removed = 1 WHERE run_id = 'd1'")
    assert [f.check for f in run_checks(con)] == ["run_counts"]
    con.close()
