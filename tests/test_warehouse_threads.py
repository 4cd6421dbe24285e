"""``AIPRICES_DUCKDB_THREADS`` caps DuckDB's worker threads on every connection the warehouse opens (the test
suite sets 1: two workers on two cores); a value that is not a whole number is one clear error."""

from __future__ import annotations

import pytest
from aiprices.warehouse.connection import connect, connect_sandboxed
from helpers.cli import run_aiprices


@pytest.mark.parametrize("threads", ["1", "3"])
def test_every_connection_uses_the_set_number_of_threads(migrated_db, monkeypatch, threads):
    monkeypatch.setenv("AIPRICES_DUCKDB_THREADS", threads)
    for opener in (connect, lambda db: connect(db, read_only=True), connect_sandboxed):
        con = opener(migrated_db)  # one at a time: DuckDB opens a file with one configuration per process
        try:
            assert con.execute("SELECT current_setting('threads')").fetchone() == (int(threads),)
        finally:
            con.close()


@pytest.mark.parametrize("value", ["many", "0", "-2", "1.5"])
def test_a_bad_value_is_one_line(migrated_db, monkeypatch, value):
    monkeypatch.setenv("AIPRICES_DUCKDB_THREADS", value)
    result = run_aiprices("sql", "SELECT 1", "--db", str(migrated_db))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: AIPRICES_DUCKDB_THREADS must be a whole number of at least 1, not {value!r}"
    ]
