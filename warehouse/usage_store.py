"""Storing actual usage (``usage_days``, migration 012): a re-import replaces the period it covers.

An export covers a period (its first to its last day); importing it again, or a newer export that overlaps it,
replaces that usage source's rows in the period in one transaction, so a day is never counted twice and a day
the new export shows without usage is no longer counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from .connection import transaction

COLUMNS = (
    "usage_source",
    "day",
    "model",
    "service_tier",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "requests",
    "reported_cost",
    "file",
    "imported_at",
)


@dataclass(frozen=True)
class StoredPeriod:
    """What one import did: the period it covers, the rows it wrote and the rows of that period it replaced."""

    first: date
    last: date
    written: int
    replaced: int


def replace_period(con, usage_source: str, file: str, first: date, last: date, rows: list[tuple]) -> StoredPeriod:
    """Replace ``usage_source``'s rows from ``first`` to ``last`` (inclusive) by ``rows`` (``COLUMNS`` order
    from day to reported_cost), read from ``file``."""
    now = datetime.now(UTC)
    rows = [(usage_source, *row, file, now) for row in rows]
    with transaction(con):
        (replaced,) = con.execute(
            "SELECT count(*) FROM usage_days WHERE usage_source = ? AND day BETWEEN ? AND ?",
            [usage_source, first, last],
        ).fetchone()
        con.execute(
            "DELETE FROM usage_days WHERE usage_source = ? AND day BETWEEN ? AND ?", [usage_source, first, last]
        )
        if rows:
            marks = ", ".join("?" for _ in COLUMNS)
            con.executemany(f"INSERT INTO usage_days ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    return StoredPeriod(first, last, len(rows), replaced)


@dataclass(frozen=True)
class UsageRow:
    """One stored day of one model's usage."""

    usage_source: str
    day: date
    model: str
    service_tier: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int
    requests: int
    reported_cost: Decimal | None


def usage_rows(con, first: date, last: date, usage_source: str | None = None) -> list[UsageRow]:
    """The stored usage from ``first`` to ``last`` (inclusive), of one usage source or all, in day order."""
    rows = con.execute(
        f"SELECT {', '.join(COLUMNS[:11])} FROM usage_days WHERE day BETWEEN ? AND ? "
        "AND usage_source = coalesce(?, usage_source) ORDER BY day, usage_source, model, service_tier",
        [first, last, usage_source],
    ).fetchall()
    return [UsageRow(*row) for row in rows]
