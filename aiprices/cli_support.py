"""What every command shares: where the warehouse is, and how to open it."""

from __future__ import annotations

from pathlib import Path

import click

from aiprices.warehouse.location import default_path

DB_HELP = "DuckDB warehouse file [env AIPRICES_DB; default ~/.local/share/aiprices/aiprices.duckdb]"


def db_option(func):
    """``--db FILE``: the warehouse (env ``AIPRICES_DB``, then the default path)."""
    return click.option(
        "--db",
        envvar="AIPRICES_DB",
        type=click.Path(dir_okay=False),
        default=lambda: str(default_path()),  # one rule with the Python API's PriceBook()
        show_default=False,
        help=DB_HELP,
    )(func)


def open_warehouse(path, read_only: bool = True):
    """A connection to the warehouse; readers wait briefly for a writer's lock, then say why not."""
    from aiprices.warehouse.connection import connect

    return connect(Path(path), read_only=read_only)


def echo_error(message: str) -> None:
    """The one spelling of every error a user sees: ``error: …``, one line, on stderr."""
    line = " ".join(part.strip() for part in str(message).strip().splitlines() if part.strip())
    click.echo(f"error: {line}", err=True)


class UsageProblem(click.ClickException):
    """A usage error found after parsing (e.g. an unknown source): one line, exit 2."""

    exit_code = 2


class NothingDone(click.ClickException):
    """Nothing could be done (the warehouse or the archive is unavailable, another crawl runs): exit 3."""

    exit_code = 3
