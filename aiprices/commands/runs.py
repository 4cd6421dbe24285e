"""``aiprices runs``: recent source runs from the ``crawl_runs`` view, with the ids ``reparse`` takes."""

from __future__ import annotations

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.commands.query import format_option
from aiprices.output import render


@click.command()
@click.option("--source", help="only this source (e.g. openrouter, litellm)")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="at most this many runs")
@format_option
@db_option
def runs(source: str | None, limit: int, fmt: str, db: str) -> None:
    """Recent runs, most recently started first: run id, source, kind, status, when observed, counts, error."""
    from aiprices.warehouse.runlog import recent_runs

    con = open_warehouse(db)
    try:
        columns, rows = recent_runs(con, source, limit)
    finally:
        con.close()
    click.echo(render(columns, rows, fmt, title="recent runs"))
