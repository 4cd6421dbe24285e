"""Read-side queries behind the CLI: model lookup, prices on a date, history, changes, read-only SQL."""

from __future__ import annotations

import difflib
import re
from datetime import date

import duckdb

from .errors import ReadOnlyViolation, UnknownModel, WarehouseError

PRICE_COLUMNS_OUT = (
    "source", "vendor", "model", "source_model_key", "price_key", "unit", "service_tier",
    "context_min_tokens", "region", "variant", "currency", "price", "valid_from", "last_verified_at",
    "source_field", "inferred_rule", "source_url",
)

# Statements a read-only query may start with (after comments). Anything else is refused before DuckDB
# sees it; the connection is also opened read-only, so this is a clear message, not the only guard.
_READ_STARTS = ("select", "with", "from", "describe", "show", "summarize", "explain", "pivot", "unpivot",
                "values", "table")
_ORDER = "source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, region, variant"
_COMMENTS = re.compile(r"(--[^\n]*\n?|/\*.*?\*/)", re.S)


def check_read_only(sql: str) -> None:
    """Refuse anything but a single read statement with a clear one-line message."""
    body = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
    if not body:
        raise ReadOnlyViolation("empty query")
    first = body.split(None, 1)[0].lower()
    if first not in _READ_STARTS or ";" in body:
        raise ReadOnlyViolation(
            f"aiprices sql is read-only: '{first.upper()}' statements are refused (one SELECT-like query only)"
        )


def run_sql(con, sql: str) -> tuple[list[str], list[tuple]]:
    check_read_only(sql)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description or ()]
        return columns, cur.fetchall()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
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
    names = [n for (n,) in con.execute(
        "SELECT DISTINCT model FROM price_intervals UNION SELECT DISTINCT source_model_key FROM price_intervals"
    ).fetchall()]
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


def changes(con, since: date | None = None, vendor: str | None = None, flagged: bool = False,
            model: str | None = None, limit: int | None = None) -> tuple[list[str], list[tuple]]:
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
