"""``sql``, ``price``, ``history`` and ``changes``: reading the warehouse (read-only connections)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.output import FORMATS, render

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="output format"
)
vendor_option = click.option("--vendor", help="only this vendor (e.g. azure, openai)")


def _date(value):
    return value.date() if value is not None else None


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
@format_option
@db_option
def price(model: str, on, vendor: str | None, fmt: str, db: str) -> None:
    """Every price of MODEL (canonical id or a source's own key) on a date, with provenance."""
    from aiprices.warehouse.queries import prices_on

    day = _date(on) or datetime.now(UTC).date()
    con = open_warehouse(db)
    columns, rows = prices_on(con, model, day, vendor)
    if not rows:
        raise click.ClickException(f"{model} has no price in effect on {day} (see: aiprices history {model})")
    click.echo(render(columns, rows, fmt, title=f"{model} on {day}"))


@click.command()
@click.argument("model")
@vendor_option
@format_option
@db_option
def history(model: str, vendor: str | None, fmt: str, db: str) -> None:
    """The price history of MODEL: one row per price per validity interval."""
    from aiprices.warehouse.queries import history as query_history

    con = open_warehouse(db)
    columns, rows = query_history(con, model, vendor)
    click.echo(render(columns, rows, fmt, title=f"history of {model}"))


@click.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="changes on or after this date")
@vendor_option
@click.option("--model", help="only this model (canonical id or source key)")
@click.option("--flagged", is_flag=True, help="only changes flagged suspect_magnitude")
@click.option("--limit", type=click.IntRange(min=1), help="at most this many rows")
@format_option
@db_option
def changes(since, vendor, model, flagged, limit, fmt, db) -> None:
    """The changelog: one row per added, removed or changed price."""
    from aiprices.warehouse.queries import changes as query_changes

    con = open_warehouse(db)
    columns, rows = query_changes(con, _date(since), vendor, flagged, model, limit)
    click.echo(render(columns, rows, fmt))
