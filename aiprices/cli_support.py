"""What every command shares: where the warehouse is, and how to open it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

DB_HELP = "DuckDB warehouse file [env AIPRICES_DB; default ~/.local/share/aiprices/aiprices.duckdb]"


def default_db_path() -> Path:
    """``$AIPRICES_DB``, else ``$XDG_DATA_HOME/aiprices/aiprices.duckdb`` (``~/.local/share`` by default)."""
    if os.environ.get("AIPRICES_DB"):
        return Path(os.environ["AIPRICES_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "aiprices" / "aiprices.duckdb"


def db_option(func):
    """``--db FILE``: the warehouse (env ``AIPRICES_DB``, then the default path)."""
    return click.option(
        "--db",
        envvar="AIPRICES_DB",
        type=click.Path(dir_okay=False),
        default=lambda: str(default_db_path()),
        show_default=False,
        help=DB_HELP,
    )(func)


def open_warehouse(path, read_only: bool = True):
    """A connection to the warehouse; readers wait briefly for a writer's lock, then say why not."""
    from aiprices.warehouse.connection import connect

    return connect(Path(path), read_only=read_only)


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with one line on stderr in the entry point's style (``error: …``) and exit ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class UsageProblem(click.ClickException):
    """A usage error found after parsing (e.g. an unknown source): one line, exit 2."""

    exit_code = 2


class NothingDone(click.ClickException):
    """Nothing could be done (the warehouse or the archive is unavailable, another crawl runs): exit 3."""

    exit_code = 3
