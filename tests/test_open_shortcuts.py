"""The short-cuts that keep a warehouse's fixed costs low still give the full answer when it is needed: a current
file is not migrated again but a file missing a migration is, an absent optional module fails at once without
changing what DuckDB binds, and a registry load asks only about the loaded copies it could meet again."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import pytest
from aiprices.schedules.registry import SOURCE, backfill
from aiprices.warehouse.connection import connect, mark_absent
from aiprices.warehouse.load import loaded_snapshots
from aiprices.warehouse.migrations import MIGRATIONS, migrate


def _versions(con) -> list[int]:
    return [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def test_a_current_warehouse_is_not_migrated_again(db_path):
    connect(db_path).close()
    con = connect(db_path)
    try:
        assert migrate(con) == []
        assert _versions(con) == [v for v, _ in MIGRATIONS]
    finally:
        con.close()


def test_a_warehouse_missing_a_migration_gets_it_on_open(db_path):
    (version,) = [v for v, name in MIGRATIONS if name == "012_usage.sql"]
    con = connect(db_path)
    con.execute("DELETE FROM schema_migrations WHERE version = ?", [version])
    con.execute("DROP TABLE usage_days")  # what 012_usage.sql creates
    con.close()
    con = connect(db_path)
    try:
        assert _versions(con) == [v for v, _ in MIGRATIONS]
        assert con.execute("SELECT count(*) FROM usage_days").fetchone() == (0,)
    finally:
        con.close()


def test_an_absent_module_is_marked_absent_and_an_installed_one_is_left_alone(monkeypatch):
    missing = "aiprices_test_no_such_module"
    monkeypatch.delitem(sys.modules, missing, raising=False)
    mark_absent((missing, "json"))
    try:
        assert sys.modules[missing] is None
        with pytest.raises(ImportError):
            __import__(missing)
        assert sys.modules["json"] is json
    finally:
        sys.modules.pop(missing, None)


def test_list_and_time_parameters_bind_as_before(db_path):
    con = connect(db_path)
    try:
        at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
        assert con.execute("SELECT list_sum(?), ?::VARCHAR", [[1, 2, 3], at]).fetchone() == (
            6,
            "2026-01-02 03:04:00+00",
        )
    finally:
        con.close()


def _copy(folder, day: str, price: float) -> None:
    entry = {"input_cost_per_token": price, "output_cost_per_token": 2 * price, "litellm_provider": "openai"}
    (folder / f"{day}.json").write_text(json.dumps({"gpt-test": {**entry, "mode": "chat"}}))


def test_loaded_snapshots_since_a_date_leave_out_only_older_copies(db_path, tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    _copy(copies, "2026-01-01", 1e-6)
    _copy(copies, "2026-01-02", 2e-6)
    con = connect(db_path)
    try:
        assert backfill(con, copies).loaded == 2
        everything = loaded_snapshots(con, SOURCE)
        since = loaded_snapshots(con, SOURCE, since=datetime(2026, 1, 2, tzinfo=UTC))
        assert len(everything) == 2
        assert {at.date().isoformat() for at, _ in since} == {"2026-01-02"}
        assert since < everything
        _copy(copies, "2026-01-03", 3e-6)
        again = backfill(con, copies)  # the two loaded copies are skipped, the new one loaded
        assert (again.loaded, again.skipped) == (1, 2)
    finally:
        con.close()


def test_the_ledger_reads_the_newest_ok_run_of_each_page_as_the_whole_history_would_give(db_path):
    from aiprices.warehouse.guards import page_of
    from aiprices.warehouse.ledger import Ledger
    from aiprices.warehouse.load import load_run
    from aiprices.warehouse.staging import RunRecord, StagedRun

    pages = [("https://a.test/p", "html"), ("https://a.test/q", "json")]
    con = connect(db_path)
    try:
        for day in range(1, 7):
            at = datetime(2026, 1, day, tzinfo=UTC)
            url, kind = pages[day % 2]
            status = "failed" if day == 6 else "ok"  # the newest run (day 6, page p) failed: p's newest ok is day 4
            run = RunRecord(f"r{day}", "groq", "replay", at, at, at, status, items=day, source_url=url, page_kind=kind)
            load_run(con, StagedRun(run, []))
        last_ok = Ledger.from_db(con, "groq").last_ok
        assert {page: ok.run_id for page, ok in last_ok.items()} == {
            page_of(*pages[0]): "r4",
            page_of(*pages[1]): "r5",
            None: "r5",
        }
    finally:
        con.close()
