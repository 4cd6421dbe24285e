"""Read-side queries behind the CLI: prices on a date, history, changes, read-only SQL.

``prices_on``, ``history`` and ``changes`` return a ``Query`` rather than rows, so the CLI can stream a
large result (CSV, JSON) or take a limited part of it and count the rest (a table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb

from .catalogue import OFFERS_OF, offers_of
from .errors import ReadOnlyViolation, WarehouseError
from .open_errors import first_line

PRICE_COLUMNS_OUT = (
    "source", "vendor", "model", "source_model_key", "price_key", "unit", "service_tier",
    "context_min_tokens", "region", "variant", "currency", "time_window", "price", "valid_from", "valid_to",
    "last_verified_at", "source_field", "inferred_rule", "source_url",
)  # fmt: skip

_ORDER = (
    "source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, region, variant, currency, "
    "time_window"
)
# Statement kinds `aiprices sql` runs (DuckDB's own parser decides: DESCRIBE, SHOW, SUMMARIZE, FROM-first,
# VALUES and PRAGMA-as-table are SELECTs). The sandboxed connection is the real guard; this gives a clear message.
_READ_KINDS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
# Errors the sandbox raises for what it forbids (files, extensions, settings).
_SANDBOX_REFUSALS = (duckdb.PermissionException,)
_WORD = re.compile(r"[A-Za-z_]+")


def check_read_only(sql: str) -> None:
    """Refuse anything but exactly one read statement, as DuckDB itself parses the text."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {first_line(exc)}") from None
    if not statements:
        raise ReadOnlyViolation("empty query")
    kinds = [_keyword(s) for s in statements]
    if len(statements) > 1:
        raise ReadOnlyViolation(
            f"aiprices sql is read-only and runs exactly one statement; got {len(kinds)} ({', '.join(kinds)})"
        )
    if statements[0].type not in _READ_KINDS:
        raise ReadOnlyViolation(
            f"aiprices sql is read-only: {kinds[0]} statements are refused (one SELECT-like query only)"
        )


def _keyword(statement) -> str:
    """The statement's first keyword as the user wrote it (``INSTALL``, not DuckDB's kind ``LOAD``)."""
    tokens = duckdb.tokenize(statement.query)  # comments are not tokens
    match = _WORD.match(statement.query, tokens[0][0]) if tokens else None
    return match.group(0).upper() if match else statement.type.name


def run_sql(con, sql: str) -> tuple[list[str], list[tuple]]:
    """One read statement on a sandboxed connection (see ``connection.connect_sandboxed``)."""
    check_read_only(sql)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description or ()]
        return columns, cur.fetchall()
    except _SANDBOX_REFUSALS as exc:
        raise ReadOnlyViolation(f"aiprices sql is read-only and reads only the warehouse: {first_line(exc)}") from None
    except duckdb.Error as exc:
        message = first_line(exc)
        if "read-only" in message.lower() or "read only" in message.lower():
            raise ReadOnlyViolation(f"aiprices sql is read-only: {message}") from None
        raise WarehouseError(f"query failed: {message}") from None


@dataclass(frozen=True)
class Query:
    """A read query built from a command's filters: run it (optionally limited) or count its rows."""

    sql: str
    params: tuple = ()

    def execute(self, con, limit: int | None = None):
        """The open result: ``description`` names the columns, ``fetchmany`` streams the rows."""
        return con.execute(self.sql + (f" LIMIT {int(limit)}" if limit else ""), list(self.params))

    def count(self, con) -> int:
        return con.execute(f"SELECT count(*) FROM ({self.sql})", list(self.params)).fetchone()[0]


def _model_filter(name: str, vendor: str | None) -> tuple[str, list]:
    """Every offer of the model ``name`` means (the catalogue's name_entries), optionally one vendor's."""
    where, params = f" WHERE (source, source_model_key) IN ({OFFERS_OF})", [name]
    if vendor:
        where += " AND vendor = ?"
        params.append(vendor)
    return where, params


def prices_on(con, name: str, on: date, vendor: str | None = None) -> Query:
    """Every price of a model in effect at the end of ``on``, with provenance."""
    offers_of(con, name, vendor)
    where, params = _model_filter(name, vendor)
    sql = f"SELECT {', '.join(PRICE_COLUMNS_OUT)} FROM prices_on(?::DATE){where} ORDER BY {_ORDER}"
    return Query(sql, (on, *params))


def history(con, name: str, vendor: str | None = None) -> Query:
    """One row per price of a model per validity interval."""
    offers_of(con, name, vendor)
    where, params = _model_filter(name, vendor)
    sql = (
        "SELECT source, vendor, model, source_model_key, price_key, unit, service_tier, context_min_tokens, "
        f"region, variant, currency, time_window, price, valid_from, valid_to FROM price_history{where} "
        f"ORDER BY {_ORDER}, valid_from"
    )
    return Query(sql, tuple(params))


def changes(
    con, since: date | None = None, vendor: str | None = None, flagged: bool = False, model: str | None = None
) -> Query:
    """The changelog, newest first (so a limit keeps the newest changes)."""
    sql = (
        "SELECT changed_on, source, vendor, model, source_model_key, price_key, unit, service_tier, "
        "context_min_tokens, region, variant, currency, old_price, new_price, pct_change, kind, flag, "
        "source_field, change_id FROM price_changes WHERE TRUE"
    )
    params: list = []
    if since:
        sql += " AND changed_on >= ?"
        params.append(since)
    if vendor:
        sql += " AND vendor = ?"
        params.append(vendor)
    if flagged:
        sql += " AND flag IS NOT NULL"
    if model:
        sql += f" AND (source, source_model_key) IN ({OFFERS_OF})"
        params.append(model)
    sql += (
        " ORDER BY changed_at DESC, source, source_model_key, price_key, service_tier, context_min_tokens, "
        "region, variant"
    )
    return Query(sql, tuple(params))
