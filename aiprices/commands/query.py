"""``sql``, ``price``, ``history`` and ``changes``: reading the warehouse (read-only connections)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.output import FORMATS, View, context_text, money, price_text, render, terminal_width, write_result

TABLE_LIMIT = 100  # rows a table shows unless --limit says otherwise (CSV and JSON are never limited)
BATCH = 2000

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="output format"
)
vendor_option = click.option("--vendor", help="only this vendor (e.g. azure, openai)")
wide_option = click.option("--wide", is_flag=True, help="table: every column (default: a compact view)")
limit_option = click.option(
    "--limit", type=click.IntRange(min=1), help=f"at most this many rows (table default {TABLE_LIMIT})"
)


def _date(value):
    return value.date() if value is not None else None


def _day(value) -> str:
    return "" if value is None else value.date().isoformat()


def _tier(tier: str) -> str:
    return "" if tier == "standard" else tier


def _price_cells(r: dict) -> tuple:
    """The compact view of a price row (``price`` and ``history``)."""
    return (
        r["source"], r["source_model_key"], r["price_key"], _tier(r["service_tier"]),
        context_text(r["context_min_tokens"]), r["region"], r["variant"], _hours(r["time_window"]),
        price_text(r["price"], r["unit"], r["currency"]), _day(r["valid_from"]), _day(r["valid_to"]),
    )  # fmt: skip


def _hours(window: str) -> str:
    """A time-of-day price's hours ("16:30-00:30 UTC"); blank for an all-day price."""
    return f"{window} UTC" if window else ""


PRICE_VIEW = View(
    ("source", "source key", "price key", "tier", "context", "region", "variant", "hours", "price", "from", "to"),
    _price_cells, wrap=("source key", "variant", "region"),
)  # fmt: skip


def _change_cells(r: dict) -> tuple:
    """The compact view of a changelog row."""
    pct = "" if r["pct_change"] is None else f"{r['pct_change']:+g}%"
    return (
        r["changed_on"].isoformat(), r["source"], r["source_model_key"], r["price_key"], _tier(r["service_tier"]),
        context_text(r["context_min_tokens"]), r["region"], r["variant"],
        f"{money(r['old_price'])} -> {price_text(r['new_price'], r['unit'], r['currency'])}", pct, r["kind"],
        r["flag"] or "",
    )  # fmt: skip


CHANGE_VIEW = View(
    ("date", "source", "source key", "price key", "tier", "context", "region", "variant", "old -> new", "%",
     "kind", "flag"),
    _change_cells, wrap=("source key", "variant", "region"),
)  # fmt: skip


def _echo(text: str) -> None:
    click.echo(text, nl=False)


def show(con, query, fmt: str, *, wide: bool, view: View, limit: int | None, title: str | None = None,
         table_limit: int | None = None, empty: str | None = None) -> int:  # fmt: skip
    """Print a query: CSV/JSON streamed in full (or up to --limit); a table limited, compact unless --wide.

    ``empty``: the error when the query has no row (found from the rows themselves, without a count query).
    """
    table = fmt == "table"
    limit = limit or (table_limit if table else None)
    cur = query.execute(con, limit)
    columns = [d[0] for d in cur.description]
    first = cur.fetchall() if table and limit else cur.fetchmany(BATCH)
    if empty and not first:
        raise click.ClickException(empty)
    batches = chain([first], iter(lambda: cur.fetchmany(BATCH), []))
    left_out = 0
    if table and limit:
        batches = [first]
        left_out = max(0, query.count(con) - limit) if len(first) == limit else 0
    compact = view if table and not wide else None
    return write_result(
        _echo, columns, batches, fmt, title=title,
        width=terminal_width(compact=compact is not None), view=compact, left_out=left_out,
    )  # fmt: skip


@click.command()
@click.argument("query")
@format_option
@db_option
def sql(query: str, fmt: str, db: str) -> None:
    """Run one read-only SQL QUERY over the public views (price_history, prices_current, ...).

    Exactly one SELECT-like statement; the file is opened read-only with file access and extensions off, so
    the query can read nothing but the warehouse and write nothing at all.
    """
    from aiprices.warehouse.connection import connect_sandboxed
    from aiprices.warehouse.queries import check_read_only, run_sql

    check_read_only(query)  # refuse writes before even opening the file
    con = connect_sandboxed(Path(db))
    columns, rows = run_sql(con, query)
    click.echo(render(columns, rows, fmt))


@click.command()
@click.argument("model")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="date (UTC; default today)")
@vendor_option
@wide_option
@format_option
@db_option
def price(model: str, on, vendor: str | None, wide: bool, fmt: str, db: str) -> None:
    """Every price of MODEL (canonical id or a source's own key) on a date, with provenance."""
    from aiprices.warehouse.queries import prices_on

    day = _date(on) or datetime.now(UTC).date()
    con = open_warehouse(db)
    none = f"{model} has no price in effect on {day} (see: aiprices history {model})"
    show(con, prices_on(con, model, day, vendor), fmt, wide=wide, view=PRICE_VIEW, limit=None,
         title=f"{model} on {day}", empty=none)  # fmt: skip


@click.command()
@click.argument("model")
@vendor_option
@limit_option
@wide_option
@format_option
@db_option
def history(model: str, vendor: str | None, limit: int | None, wide: bool, fmt: str, db: str) -> None:
    """The price history of MODEL: one row per price per validity interval."""
    from aiprices.warehouse.queries import history as query_history

    con = open_warehouse(db)
    show(con, query_history(con, model, vendor), fmt, wide=wide, view=PRICE_VIEW, limit=limit,
         title=f"history of {model}", table_limit=TABLE_LIMIT)  # fmt: skip


@click.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="changes on or after this date")
@vendor_option
@click.option("--model", help="only this model (canonical id or source key)")
@click.option("--flagged", is_flag=True, help="only changes flagged suspect_magnitude")
@limit_option
@wide_option
@format_option
@db_option
def changes(since, vendor, model, flagged, limit, wide, fmt, db) -> None:
    """The changelog, newest first: one row per added, removed or changed price (--limit N: the newest N)."""
    from aiprices.warehouse.queries import changes as query_changes

    con = open_warehouse(db)
    query = query_changes(con, _date(since), vendor, flagged, model)
    show(con, query, fmt, wide=wide, view=CHANGE_VIEW, limit=limit, table_limit=TABLE_LIMIT)
