"""``registry refresh`` and ``backfill litellm``: LiteLLM's community registry into the warehouse."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from aiprices.cli_support import UsageProblem, db_option, open_warehouse
from aiprices.progress import progress_display, quiet_option


def _summary(result, what: str) -> str:
    line = (
        f"{what}: {result.loaded} copies loaded, {result.skipped} already loaded; "
        f"+{result.added} added, ~{result.changed} changed, -{result.removed} removed"
    )
    return line


def _print_warnings(result) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


def _exit_if_held(result) -> None:
    """Exit 1 when a copy was held for review (loaded ``partial``), as ``crawl`` does for a held source."""
    if result.held:
        click.echo(f"{result.held} held for review: aiprices review list", err=True)
        sys.exit(1)


@click.group()
def registry() -> None:
    """LiteLLM's community price registry (the cross-check reference)."""


@registry.command()
@click.option("--file", "file", type=click.Path(dir_okay=False), help="load this local copy (.json or .json.gz)")
@click.option("--observed", type=click.DateTime(["%Y-%m-%d"]),
              help="with --file: the copy's date (default: a YYYY-MM-DD.json[.gz] name's, else now)")  # fmt: skip
@click.option("--url", help="fetch from this URL (default: the raw file on GitHub)")
@db_option
def refresh(file: str | None, observed: datetime | None, url: str | None, db: str) -> None:
    """Load today's copy of the registry (observed now, UTC), or a local copy as of its date.

    A copy older than the newest one loaded is refused (exit 2), as is an undated file whose content is an
    older loaded copy's.
    """
    from aiprices.schedules.registry import refresh_registry
    from aiprices.warehouse.errors import LoadRefused

    if file and url:
        raise click.UsageError("give --file or --url, not both")
    if observed and not file:
        raise click.UsageError("--observed goes with --file (a fetched copy is observed now)")
    try:
        result = refresh_registry(Path(db), file=Path(file) if file else None, url=url,
                                  observed_at=observed.replace(tzinfo=UTC) if observed else None)  # fmt: skip
    except LoadRefused as exc:  # an older copy than what is loaded: the wrong input, a usage error (exit 2)
        raise UsageProblem(str(exc)) from None
    if result.unchanged:
        click.echo(f"registry unchanged since the last fetch ({result.origin})")
        return
    _print_warnings(result)
    click.echo(_summary(result, "registry"))
    _exit_if_held(result)


@click.group()
def backfill() -> None:
    """Load history from many dated copies."""


@backfill.command("litellm")
@click.argument("path", type=click.Path(exists=True))
@db_option
@quiet_option
def backfill_litellm(path: str, db: str, quiet: bool) -> None:
    """Load every copy under PATH: a folder of YYYY-MM-DD.json[.gz] files, or a git clone of BerriAI/litellm.

    Copies load oldest first in one transaction; copies already loaded are skipped, and a copy older than
    the newest one loaded is refused (load all copies into a fresh warehouse to rebuild).
    """
    from aiprices.schedules.registry import backfill as run_backfill

    con = open_warehouse(db, read_only=False)
    with progress_display("copies loaded", quiet) as progress:
        result = run_backfill(con, Path(path), progress)
    _print_warnings(result)
    click.echo(_summary(result, "backfill"))
    _exit_if_held(result)
