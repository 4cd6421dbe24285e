"""``aiprices usage import|spikes``: actual usage into the warehouse, priced day by day; cost-spike checks."""

from __future__ import annotations

import json
import sys
from decimal import Decimal

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.commands.calc import NUMBER

DATE = click.DateTime(["%Y-%m-%d"])
UNPRICED_EXIT = 3  # some usage has no price on its day (listed; left out of every amount)
SPIKE_EXIT = 4  # a checked day is a cost spike


@click.group()
def usage() -> None:
    """Actual usage from usage exports: import it, and check it for cost spikes."""


@usage.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "csv", "openai", "anthropic"]),
    default="auto",
    show_default=True,
    help="the export's format (auto: .csv is the generic CSV, JSON by its shape)",
)
@click.option("--source", "usage_source", help="name of this usage source (default: the format, e.g. openai)")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output (stable keys)")
def import_cmd(file: str, fmt: str, usage_source: str | None, db: str, as_json: bool) -> None:
    """Import a usage export: it replaces the source's usage for the days it covers, then each day is priced
    at that day's prices. Usage with no price on its day is listed (exit 3), never counted as $0."""
    from aiprices.calculators.usage_cost import price_usage
    from aiprices.calculators.usage_files import read_usage
    from aiprices.warehouse.usage_store import replace_period, usage_rows

    export = read_usage(file, fmt)
    name = usage_source or export.format
    con = open_warehouse(db, read_only=False)
    try:
        stored = replace_period(con, name, file, export.first, export.last, [d.row() for d in export.days])
        priced = price_usage(con, usage_rows(con, export.first, export.last, name))
    finally:
        con.close()
    report = _import_json(name, export.format, stored, priced)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_import(report)
    if report["unpriced"]:
        sys.exit(UNPRICED_EXIT)


def _import_json(name: str, fmt: str, stored, priced) -> dict:
    from aiprices.calculators.money import cents_text

    days: dict[str, dict] = {}
    for p in priced:
        day = days.setdefault(p.usage.day.isoformat(), {"day": p.usage.day.isoformat(), "cost": Decimal(0), "rows": 0})
        day["rows"] += 1
        day["cost"] += p.amount or 0
    return {
        "usage_source": name,
        "format": fmt,
        "from": stored.first.isoformat(),
        "to": stored.last.isoformat(),
        "rows": stored.written,
        "replaced": stored.replaced,
        "days": [{**d, "cost": cents_text(d["cost"])} for d in days.values()],
        "total": cents_text(sum((p.amount for p in priced if p.amount is not None), Decimal(0))),
        "unpriced": [
            {"day": p.usage.day.isoformat(), "model": p.usage.model, "reason": p.reason} for p in priced if p.missing
        ],
    }


def _print_import(report: dict) -> None:
    from aiprices.calculators.money import fmt_usd

    click.echo(
        f"usage source {report['usage_source']} ({report['format']}): {report['from']} .. {report['to']}, "
        f"{report['rows']} rows imported, {report['replaced']} replaced"
    )
    for day in report["days"]:
        click.echo(f"  {day['day']}  {fmt_usd(Decimal(day['cost'])):>14}  ({day['rows']} usage rows)")
    click.echo(f"  total       {fmt_usd(Decimal(report['total'])):>14}  (priced rows, each at its day's prices)")
    for item in report["unpriced"]:
        click.echo(f"  ! unpriced {item['day']} {item['reason']}")


@usage.command("spikes")
@click.option("--on", "on", type=DATE, help="the last day to check (default: the newest day with usage)")
@click.option("--days", type=click.IntRange(1, 366), default=1, show_default=True, help="how many days to check")
@click.option("--factor", type=NUMBER, default=Decimal(2), show_default=True, help="a spike is over factor x mean")
@click.option("--window", type=click.IntRange(1, 366), default=7, show_default=True, help="trailing days averaged")
@click.option("--source", "usage_source", help="only this usage source")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output (stable keys)")
def spikes_cmd(on, days: int, factor: Decimal, window: int, usage_source: str | None, db: str, as_json: bool) -> None:
    """Check days for cost spikes (a day's cost over FACTOR x the mean of the WINDOW days before it).

    Exit 4 when a checked day is a spike, 3 when some usage has no price (listed), else 0."""
    from aiprices.calculators.money import cents_text
    from aiprices.calculators.spikes import check_spikes

    con = open_warehouse(db)
    try:
        check = check_spikes(
            con, last=on.date() if on else None, days=days, factor=factor, window=window, usage_source=usage_source
        )
    finally:
        con.close()
    if as_json:
        rows = [
            {
                "day": d.day.isoformat(),
                "cost": cents_text(d.cost),
                "mean": None if d.mean is None else cents_text(d.mean),
                "spike": d.spike,
            }
            for d in check.days
        ]
        click.echo(json.dumps({"factor": str(factor), "window": window, "days": rows, "unpriced": check.unpriced}))
    else:
        for d in check.days:
            click.echo(f"{'SPIKE' if d.spike else 'ok':<6}{d}")
        for item in check.unpriced:
            click.echo(f"  ! unpriced {item}")
    if check.spikes:
        sys.exit(SPIKE_EXIT)
    if check.unpriced:
        sys.exit(UNPRICED_EXIT)
