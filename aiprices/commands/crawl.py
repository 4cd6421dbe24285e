"""``aiprices crawl``, ``reparse`` and ``load``: vendor pages (live or archived) into the warehouse.

Exit codes: 0 every requested source ok (or already loaded / nothing newer to replay), 1 some failed or
were held (``partial``), 2 usage error, 3 nothing could be done.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from aiprices.cli_support import NothingDone, UsageProblem, db_option
from aiprices.progress import progress_display, quiet_option

LOCK_WAIT_HELP = "seconds to wait for another crawl, then for the warehouse file [env AIPRICES_LOCK_WAIT]"


def lock_wait_option(func):
    return click.option("--lock-wait", type=click.FloatRange(min=0), envvar="AIPRICES_LOCK_WAIT", default=60.0,
                        show_default=True, help=LOCK_WAIT_HELP)(func)  # fmt: skip


def _problems():
    """(usage errors, nothing-could-be-done errors) as the orchestration raises them."""
    from aiprices.crawler.archive import ArchiveError
    from aiprices.schedules.errors import BadRequest, CrawlError
    from aiprices.schedules.lock import CrawlLocked
    from aiprices.warehouse.errors import WarehouseError

    return (BadRequest,), (CrawlError, ArchiveError, WarehouseError, CrawlLocked)


def run_reporting(work, as_json: bool) -> None:
    """Run ``work()`` (it returns a CrawlReport), print the report and exit with its code."""
    usage, nothing = _problems()
    try:
        report = work()
    except usage as exc:
        raise UsageProblem(str(exc)) from None
    except nothing as exc:
        raise NothingDone(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, default=str))
    else:
        for line in report_lines(report):
            click.echo(line)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if report.exit_code:
        sys.exit(report.exit_code)


def source_line(r) -> str:
    """One source's result: status, run id, counts and the reason."""
    parts = []
    if r.status in ("ok", "partial", "failed", "already loaded", "pending"):
        parts.append(f"{r.items} items, {r.rejected} rejected")
    if r.status in ("ok", "partial"):
        parts.append(f"+{r.added} ~{r.changed} -{r.removed}")
    if r.rows_seen:
        parts.append(f"coverage {r.rows_priced}/{r.rows_seen} rows")
    if r.crosschecks:
        parts.append("crosscheck: " + ", ".join(f"{k} {v}" for k, v in sorted(r.crosschecks.items())))
    if r.error:
        parts.append(r.error)
    if r.unmapped:
        parts.append(f"unmapped: {', '.join(r.unmapped[:5])}")
    return f"{r.source:<11} {r.status:<14} {r.run_id or '-'}  {'; '.join(parts)}".rstrip()


def report_lines(report) -> list[str]:
    lines = []
    if report.earlier:
        lines.append(f"loaded {len(report.earlier)} staged run(s) of earlier crawls:")
        lines += ["  " + source_line(r) for r in report.earlier]
    lines += [source_line(r) for r in sorted(report.results, key=lambda r: r.source)]
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    lines.append(f"{report.kind}: {report.status} ({tally or 'nothing to do'})")
    return lines


def crawl_request(db, sources, from_archive=None, on=None, archive_root=None, processes=None, lock_wait=60.0):
    """The orchestration's request from the command's options (also used for `schedule --crawl-arg`)."""
    from aiprices.schedules.runs import CrawlRequest

    return CrawlRequest(
        db=Path(db), sources=list(sources), from_archive=Path(from_archive) if from_archive else None,
        on=on.date() if on else None, archive_root=Path(archive_root) if archive_root else None,
        processes=processes, lock_wait=lock_wait,
    )  # fmt: skip


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
    help="with --from-archive: each source's newest capture on or before DATE, observed at DATE "
    "(default: every capture newer than what is loaded, oldest first)",
)
@click.option("--archive-root", type=click.Path(file_okay=False), help="raw-page archive (default: next to --db)")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    help="crawler processes, sources spread over them (default: AIPRICES_CRAWL_PROCESSES, else one per CPU, max 4)",
)
@lock_wait_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable result with a status field")
@quiet_option
def crawl(sources, from_archive, on, archive_root, processes, lock_wait, db, as_json, quiet) -> None:
    """Crawl all sources (or the SOURCES named) concurrently and load each in one transaction.

    A source whose page is blocked, empty or unparseable is recorded as failed and keeps its last prices.
    Exit 0 when every source is ok, 1 when some failed or were held, 2 on a usage error, 3 when nothing
    could be done.
    """
    from aiprices.schedules.runs import crawl as run

    request = crawl_request(db, sources, from_archive, on, archive_root, processes, lock_wait)

    def work():
        with progress_display("sources done", quiet) as progress:
            request.progress = progress
            return run(request)

    run_reporting(work, as_json)


@click.command()
@click.argument("run_id")
@click.option("--archive-root", type=click.Path(file_okay=False), help="raw-page archive (default: next to --db)")
@lock_wait_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable result with a status field")
def reparse(run_id, archive_root, lock_wait, db, as_json) -> None:
    """Re-parse RUN's archived pages with the current extractors (e.g. after a parser fix).

    RUN is a run id from `aiprices runs` or the batch prefix shared by one crawl's sources. The corrected
    prices load as a new run observed now, with the archived body as provenance.
    """
    from aiprices.schedules.runs import reparse as run

    root = Path(archive_root) if archive_root else None
    run_reporting(lambda: run(Path(db), run_id, archive_root=root, lock_wait=lock_wait), as_json)


@click.command()
@click.argument("run_id", required=False)
@lock_wait_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable result with a status field")
def load(run_id, lock_wait, db, as_json) -> None:
    """Load staged runs a crawl kept on disk because the warehouse was busy (all of them, or RUN's batch).

    RUN is a run id or batch id printed by that crawl. The next crawl also loads pending runs first. With nothing
    staged, it cross-checks the runs an interrupted load left unchecked.
    """
    from aiprices.schedules.runs import load_pending

    run_reporting(lambda: load_pending(Path(db), run_id, lock_wait), as_json)
