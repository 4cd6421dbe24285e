"""``aiprices crawl`` and ``aiprices reparse``: vendor pages (live or archived) into the warehouse."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from aiprices.cli_support import db_option


def _db_path(db) -> Path:
    if not db:
        raise click.ClickException("no warehouse: pass --db FILE or set AIPRICES_DB")
    return Path(db)


def _report(results, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([asdict(r) for r in results], indent=2, default=str))
        return
    for r in results:
        counts = f"{r.items} items, {r.rejected} rejected; +{r.added} ~{r.changed} -{r.removed}"
        if r.skipped:
            counts += " (already loaded)"
        checks = ", ".join(f"{k} {v}" for k, v in sorted(r.crosschecks.items()))
        line = f"{r.source:<11} {r.status:<8} {counts}"
        if r.rows_seen:
            line += f"; coverage {r.rows_priced}/{r.rows_seen} rows"
        if checks:
            line += f"; crosscheck: {checks}"
        if r.error:
            line += f"; {r.error}"
        if r.unmapped:
            line += f"; unmapped: {', '.join(r.unmapped[:5])}"
        click.echo(line)
    ok = sum(r.status == "ok" for r in results)
    click.echo(f"{ok} of {len(results)} sources ok")


def _crawl_lock(db):
    """One crawl at a time per warehouse, across processes (the scheduler's children inherit its lock)."""
    from aiprices.schedules.lock import CrawlLock

    return CrawlLock(_db_path(db), wait=60)


def _errors():
    from aiprices.crawl_run import CrawlError
    from aiprices.crawler.archive import ArchiveError
    from aiprices.crawler.sources import UnknownSource
    from aiprices.schedules.lock import CrawlLocked
    from aiprices.warehouse.errors import WarehouseError

    return (CrawlError, ArchiveError, UnknownSource, WarehouseError, CrawlLocked)


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--from-archive",
    "from_archive",
    type=click.Path(file_okay=False, exists=True),
    help="replay a folder laid out <source>/<YYYY-MM-DD>.<kind>.<ext> instead of fetching live",
)
@click.option(
    "--on",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="with --from-archive: use each source's newest capture on or before DATE, observed at DATE",
)
@click.option("--archive-root", type=click.Path(file_okay=False), help="raw-page archive (default: next to --db)")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    help="crawler processes, sources spread over them (default: AIPRICES_CRAWL_PROCESSES, else one per CPU, max 4)",
)
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable per-source results")
def crawl(sources, from_archive, on, archive_root, processes, db, as_json) -> None:
    """Crawl all sources (or the SOURCES named) concurrently and load each in one transaction.

    A source whose page is blocked, empty or unparseable is recorded as failed and keeps its last prices.
    """
    from aiprices.crawl_run import crawl as run

    try:
        with _crawl_lock(db):
            results = run(
                None,
                _db_path(db),
                list(sources),
                from_archive=Path(from_archive) if from_archive else None,
                on=on.date() if on else None,
                archive_root=Path(archive_root) if archive_root else None,
                processes=processes,
            )
    except _errors() as exc:
        raise click.ClickException(str(exc)) from None
    _report(results, as_json)


@click.command()
@click.argument("run_id")
@click.option("--archive-root", type=click.Path(file_okay=False), help="raw-page archive (default: next to --db)")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable per-source results")
def reparse(run_id, archive_root, db, as_json) -> None:
    """Re-parse RUN's archived pages with the current extractors (e.g. after a parser fix).

    RUN is a run id from crawl_runs or the batch prefix shared by one crawl's sources. The corrected prices
    load as a new run observed now, with the archived body as provenance.
    """
    from aiprices.crawl_run import reparse as run

    try:
        with _crawl_lock(db):
            results = run(None, _db_path(db), run_id, archive_root=Path(archive_root) if archive_root else None)
    except _errors() as exc:
        raise click.ClickException(str(exc)) from None
    _report(results, as_json)
