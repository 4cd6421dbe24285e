"""Versioned schema migrations: each runs in one transaction together with its record."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import duckdb

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, "001_core.sql"),
    (2, "002_views.sql"),
    (3, "003_guards.sql"),
    (4, "004_page_audit.sql"),
    (5, "005_crosscheck_intervals.sql"),
    (6, "006_resolver.sql"),
    (7, "007_held_runs.sql"),
    (8, "008_verified.sql"),
    (9, "009_entry_digests.sql"),
    (10, "010_catalogue.sql"),
    (11, "011_identity.sql"),
    (12, "012_usage.sql"),
    (15, "015_crosscheck_like_with_like.sql"),
    (16, "016_catalogue_names.sql"),
    (17, "017_azure_meter_identity.sql"),
    (18, "018_lifecycle_notes.sql"),
    (19, "019_registry_endpoints.sql"),
    (20, "020_snapshot_dates.sql"),
)


def applied_versions(con) -> set[int]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    return {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}


def pending(con) -> list[tuple[int, str]]:
    done = applied_versions(con)
    return [(v, name) for v, name in MIGRATIONS if v not in done]


def outdated(con) -> bool:
    """Whether the file lacks a migration this version ships (read-only: it only reads the record)."""
    try:
        done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    except duckdb.CatalogException:
        return True
    return any(version not in done for version, _ in MIGRATIONS)


def migrate(con) -> list[str]:
    """Apply every pending migration in order; return the names applied. A current file (every open but the first
    after an upgrade) costs one read of the record."""
    if not outdated(con):
        return []
    applied = []
    for version, name in pending(con):
        sql = resources.files("aiprices.warehouse").joinpath("sql", name).read_text()
        con.begin()
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, datetime.now(UTC)])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        applied.append(name)
    return applied
