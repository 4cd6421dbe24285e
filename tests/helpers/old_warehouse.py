"""A warehouse file as an older aiprices left it: only some of the migrations applied, so a test can store rows
in an old shape and watch the next ``connect`` migrate them."""

from __future__ import annotations

from collections.abc import Container
from importlib import resources
from pathlib import Path

import duckdb
from aiprices.warehouse.migrations import MIGRATIONS


def migrated(db_path: Path, versions: Container[int]) -> duckdb.DuckDBPyConnection:
    """A file that ran only the migrations ``versions`` (as a file written by an older version has)."""
    old = duckdb.connect(str(db_path))
    old.execute("SET TimeZone = 'UTC'")
    old.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "applied_at TIMESTAMPTZ NOT NULL)"
    )
    for version, name in MIGRATIONS:
        if version in versions:
            old.execute(resources.files("aiprices.warehouse").joinpath("sql", name).read_text())
            old.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    return old
