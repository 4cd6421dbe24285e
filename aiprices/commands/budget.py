"""``aiprices budget price|reprice``: value saved budgets, and show how far they drifted and why."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal

import click

from aiprices.calculators.errors import BudgetError
from aiprices.calculators.money import fmt_usd
from aiprices.cli_support import echo_error
from aiprices.commands.calc import NUMBER, day, db_option, open_db

DATE = click.DateTime(["%Y-%m-%d"])
UNPRICED_EXIT = 3  # every budget was valued, but some line has no price on a date (README "Budgets")


def report_bad_files(errors: list[BudgetError]) -> None:
    """After the good budgets: each bad file as one ``error: file:line: field: reason`` line, then exit 1."""
    for error in errors:
        echo_error(str(error))
    if errors:
        sys.exit(1)


def exit_if_unpriced(summaries: list[dict]) -> None:
    """Exit 3 when a line of any budget is unpriced (its reason was printed; it is not in the totals)."""
    if any(s["unpriced"] for s in summaries):
        sys.exit(UNPRICED_EXIT)


def _summary(data: dict) -> str | None:
    s = data["summary"]
    if not s["unpriced"]:
        return None
    return f"  {s['lines']} lines: {s['priced']} priced, {s['unpriced']} unpriced (left out of the totals)"


@click.group()
def budget() -> None:
    """Price saved budget files and reprice them against recorded price history."""


def _money(text: str | None) -> str:
    return fmt_usd(None if text is None else Decimal(text))


@budget.command("price")
@click.argument("file", type=click.Path())
@click.option("--on", "on", type=DATE, help="price on this date instead of the budget's priced_on")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output (stable keys)")
def price_cmd(file: str, on, db: str | None, as_json: bool) -> None:
    """Value a budget file: each line's one-time, monthly and first-year cost, per TCO category and total."""
    from aiprices.calculators.budget import budget_json, price_budget
    from aiprices.calculators.budget_file import load_budgets

    budgets, bad = load_budgets(file)
    con = open_db(db) if any(bf.budget.models() for bf in budgets) else None
    out = []
    for bf in budgets:
        try:
            out.append(budget_json(price_budget(bf, con, on.date() if on else None)))
        except BudgetError as exc:
            bad.append(exc)
    if as_json and out:
        click.echo(json.dumps(out if len(out) > 1 else out[0], indent=2))
    for data in [] if as_json else out:
        click.echo(f"{data['budget']} ({data['file']}) priced on {data['on']}")
        click.echo(f"  {'line':<34} {'one-time':>14} {'monthly':>14} {'first year':>14}")
        for line in [*data["lines"], {"name": "TOTAL", **data["total"]}]:
            if line.get("status") == "unpriced":
                click.echo(f"  {line['name'][:34]:<34} {'unpriced':>14}\n      ! {line['reason']}")
                continue
            click.echo(
                f"  {line['name'][:34]:<34} {_money(line['one_time']):>14} {_money(line['monthly']):>14} "
                f"{_money(line['first_year']):>14}"
            )
        if _summary(data):
            click.echo(_summary(data))
        click.echo("  by TCO category")
        for category, amounts in data["tco"].items():
            click.echo(
                f"    {category[:32]:<32} {_money(amounts['one_time']):>14} {_money(amounts['monthly']):>14} "
                f"{_money(amounts['first_year']):>14}"
            )
        if data["saved_total"] is not None:
            click.echo(f"  saved total {_money(data['saved_total'])}")
    report_bad_files(bad)
    exit_if_unpriced([data["summary"] for data in out])


@budget.command("reprice")
@click.argument("target", type=click.Path())
@click.option("--from", "start", type=DATE, help="value the budgets on this date (default: each priced_on)")
@click.option("--to", "end", type=DATE, help="target date (default today, UTC)")
@click.option("--threshold", type=NUMBER, default=Decimal(10), show_default=True, help="stale beyond this %")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output (stable keys)")
def reprice_cmd(target: str, start, end, threshold: Decimal, db: str | None, as_json: bool) -> None:
    """Reprice budgets (a file or a folder) and attribute the drift to recorded price changes."""
    from aiprices.calculators.budget_file import load_budgets
    from aiprices.calculators.reprice import drift_report, reprice

    budgets, bad = load_budgets(target)
    to_day = day(end)
    dates: list[list[date]] = [[start.date() if start else bf.budget.priced_on, to_day] for bf in budgets]
    report = []
    if budgets:
        report = drift_report(reprice(open_db(db), budgets, dates, changes=True), threshold_pct=threshold)
    if as_json and budgets:
        click.echo(json.dumps(report, indent=2))
    for data in [] if as_json else report:
        mark = "STALE" if data["stale"] else "ok"
        drift = data["total"]["drift"]
        click.echo(
            f"{data['budget']} ({data['file']}): {data['from']} -> {data['to']}  first year "
            f"{_money(data['total']['from']['first_year'])} -> {_money(data['total']['to']['first_year'])} "
            f"({_money(drift['first_year'])}, {drift['pct'] or '-'}%)  [{mark}]"
        )
        for reason in data["stale_reasons"]:
            click.echo(f"  ! {reason}")
        if _summary(data):
            click.echo(_summary(data))
        for line in data["lines"]:
            click.echo(_reprice_line(line))
            for ch in line["changes"]:
                pct = "" if ch["pct_change"] is None else f", {ch['pct_change']}%"
                click.echo(
                    f"      {ch['changed_on']} {ch['source']}:{ch['source_model_key']} {ch['price_key']}"
                    f"{'' if ch['service_tier'] == 'standard' else ' ' + ch['service_tier']} "
                    f"{ch['old_price']} -> {ch['new_price']} ({ch['kind']}{pct})"
                )
    report_bad_files(bad)
    exit_if_unpriced([data["summary"] for data in report])


def _offers(priced_by: list[dict]) -> str:
    return ", ".join(f"{o['source']}:{o['source_model_key']}" for o in priced_by) or "-"


def _reprice_line(line: dict) -> str:
    """``name  monthly $a -> $b  (pct%)  [offer]``; an unpriced side shows as ``unpriced``."""
    a, z = (_money(line[side]["monthly"]) if line[side] else "unpriced" for side in ("from", "to"))
    pct = line["drift"]["pct"] if line["drift"] else None
    by = ""
    if line["model"]:
        offers = [_offers(line["priced_by"][side]) for side in ("from", "to")]
        by = f"  [{offers[0]}]" if offers[0] == offers[1] else f"  [{offers[0]} -> {offers[1]}]"
    return f"  {line['name'][:34]:<34} monthly {a:>12} -> {z:>12}  ({pct or '-'}%){by}"


MONTH = click.DateTime(["%Y-%m"])


@budget.command("actual")
@click.argument("file", type=click.Path())
@click.option("--month", type=MONTH, required=True, help="the month of usage to compare (YYYY-MM)")
@click.option("--source", "usage_source", help="only usage from this usage source (default: every source)")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output (stable keys)")
def actual_cmd(file: str, month, usage_source: str | None, db: str | None, as_json: bool) -> None:
    """Estimate vs actual for a month of imported usage, per line and in total, with the gap split into price
    (prices changed since priced_on) and volume (usage differs from the estimate). Exit 3 when a line is
    unpriced (listed; left out of the totals)."""
    from aiprices.calculators.actual import budget_actual
    from aiprices.calculators.budget_file import load_budgets

    budgets, bad = load_budgets(file)
    con = open_db(db) if budgets else None
    out = []
    try:
        for bf in budgets:
            try:
                out.append(_actual_json(budget_actual(con, bf, month.date(), usage_source)))
            except BudgetError as exc:
                bad.append(exc)
    finally:
        if con is not None:
            con.close()
    if as_json and out:
        click.echo(json.dumps(out if len(out) > 1 else out[0], indent=2))
    for data in [] if as_json else out:
        _print_actual(data)
    report_bad_files(bad)
    if any(data["unpriced"] for data in out):
        sys.exit(UNPRICED_EXIT)


_ACTUAL_KEYS = ("estimate", "actual", "gap", "price", "volume")


def _actual_json(report) -> dict:
    from aiprices.calculators.budget import money

    lines = [
        {
            "name": line.name,
            "model": line.model,
            "status": "priced" if line.priced else "unpriced",
            "measured": line.measured,
            "usage_days": len(line.days),
            **{key: money(getattr(line, key)) if line.priced or key == "estimate" else None for key in _ACTUAL_KEYS},
            "unpriced": list(dict.fromkeys(line.unpriced)),
        }
        for line in report.lines
    ]
    return {
        "budget": report.budget.name,
        "file": report.budget.path,
        "priced_on": report.budget.on.isoformat(),
        "month": f"{report.month:%Y-%m}",
        "usage_days": len(report.usage_days),
        "days_in_month": report.days_in_month,
        "usage_sources": report.usage_sources,
        "lines": lines,
        "total": {key: money(report.total(key)) for key in _ACTUAL_KEYS},
        "unpriced": len(report.unpriced),
    }


def _print_actual(data: dict) -> None:
    click.echo(
        f"{data['budget']} ({data['file']}): {data['month']} actual vs the estimate priced on {data['priced_on']} "
        f"(usage on {data['usage_days']} of {data['days_in_month']} days; {', '.join(data['usage_sources'])})"
    )
    click.echo(f"  {'line':<34} {'estimate':>13} {'actual':>13} {'gap':>13} {'price':>13} {'volume':>13}")
    for line in [*data["lines"], {"name": "TOTAL", "status": "priced", "measured": True, **data["total"]}]:
        if line["status"] == "unpriced":
            click.echo(f"  {line['name'][:34]:<34} {_money(line['estimate']):>13} {'unpriced':>13}")
            for reason in line["unpriced"]:
                click.echo(f"      ! {reason}")
            continue
        cells = " ".join(f"{_money(line[key]):>13}" for key in _ACTUAL_KEYS)
        note = "" if line["measured"] else "  (no usage measure: as estimated)"
        click.echo(f"  {line['name'][:34]:<34} {cells}{note}")
    if data["unpriced"]:
        click.echo(f"  {data['unpriced']} unpriced lines (left out of the totals)")
