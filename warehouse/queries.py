"""Read-side queries behind the CLI: model lookup, prices on a date, history, changes, read-only SQL."""

from __future__ import annotations

import difflib
import re
from datetime import date

import duckdb

from .errors import ReadOnlyViolation, UnknownModel, WarehouseError
from .open_errors import first_line

PRICE_COLUMNS_OUT = (
    "source",
    "vendor",
    "model",
    "source_model_key",
    "price_key",
    "unit",
    "service_tier",
    "context_min_tokens",
    "region",
    "variant",
    "currency",
    "price",
    "valid_from",
    "last_verified_at",
    "source_field",
    "inferred_rule",
    "source_url",
)

_ORDER = "source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, region, variant"
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


def resolve_model(con, name: str, vendor: str | None = None) -> list[tuple[str, str]]:
    """``(model, source_model_key)`` pairs matching a canonical id or a source key, else ``UnknownModel``."""
    params: list = [name, name]
    where = "(model = ? OR source_model_key = ?)"
    if vendor:
        where += " AND vendor = ?"
        params.append(vendor)
    rows = con.execute(
        f"SELECT DISTINCT model, source_model_key FROM price_intervals WHERE {where} ORDER BY 1, 2", params
    ).fetchall()
    if rows:
        return rows
    names = [
        n
        for (n,) in con.execute(
            "SELECT DISTINCT model FROM price_intervals UNION SELECT DISTINCT source_model_key FROM price_intervals"
        ).fetchall()
    ]
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else ""
    scope = f" for vendor {vendor}" if vendor else ""
    raise UnknownModel(f"unknown model '{name}'{scope}{hint}")


def prices_on(con, name: str, on: date, vendor: str | None = None) -> tuple[list[str], list[tuple]]:
    """Every price of a model in effect at the end of ``on``, with provenance."""
    resolve_model(con, name, vendor)
    cols = ", ".join(PRICE_COLUMNS_OUT)
    sql = f"SELECT {cols} FROM prices_on(?::DATE) WHERE (model = ? OR source_model_key = ?)"
    params: list = [on, name, name]
    if vendor:
        sql += " AND vendor = ?"
        params.append(vendor)
    sql += f" ORDER BY {_ORDER}"
    cur = con.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()


def history(con, name: str, vendor: str | None = None) -> tuple[list[str], list[tuple]]:
    resolve_model(con, name, vendor)
    sql = (
        "SELECT source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, region, "
        "variant, currency, price, valid_from, valid_to FROM price_history "
        "WHERE (model = ? OR source_model_key = ?)"
    )
    params: list = [name, name]
    if vendor:
        sql += " AND vendor = ?"
        params.append(vendor)
    sql += f" ORDER BY {_ORDER}, valid_from"
    cur = con.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()


def changes(
    con,
    since: date | None = None,
    vendor: str | None = None,
    flagged: bool = False,
    model: str | None = None,
    limit: int | None = None,
) -> tuple[list[str], list[tuple]]:
    sql = (
        "SELECT changed_on, source, vendor, source_model_key, price_key, unit, service_tier, "
        "context_min_tokens, region, variant, currency, old_price, new_price, pct_change, kind, flag, "
        "source_field FROM price_changes WHERE TRUE"
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
        sql += " AND (model = ? OR source_model_key = ?)"
        params += [model, model]
    sql += " ORDER BY changed_at, source, source_model_key, price_key, service_tier, context_min_tokens, variant"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cur = con.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()
