"""``aiprices report OUT_DIR``: the static price report (see ``aiprices.report``)."""

from __future__ import annotations

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.progress import progress_display, quiet_option


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--budgets", type=click.Path(file_okay=False), help="folder of budget files to reprice and chart")
@click.option("--fresh-days", type=click.IntRange(min=1), default=2, show_default=True,
              help="a vendor counts as verified when its last good crawl is this recent")  # fmt: skip
@db_option
@quiet_option
def report(out_dir: str, budgets: str | None, fresh_days: int, db: str, quiet: bool) -> None:
    """Write a static site of prices, changes, vendor status and budget drift to OUT_DIR (built aside, then
    swapped in; it opens from file:// with no network)."""
    from aiprices.report import ReportError, build_report

    con = open_warehouse(db)
    try:
        with progress_display("pages written", quiet) as progress:
            summary = build_report(con, out_dir, budgets=budgets, fresh_days=fresh_days, progress=progress)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        con.close()
    click.echo(
        f"report written to {summary.out_dir}: {summary.pages} pages, {summary.models} models "
        f"in {summary.seconds:.1f} s (open {summary.out_dir / 'index.html'})"
    )
