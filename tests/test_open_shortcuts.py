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
