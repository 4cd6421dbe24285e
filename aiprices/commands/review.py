"""``aiprices review``: decide quarantined vendor-page changes, and mark changes as corrections."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.output import money


def _run(db: str, action, change_id: int | str, note: str | None):
    from aiprices.warehouse.errors import WarehouseError

    try:
        con = open_warehouse(db, read_only=False)
        try:
            return action(con, change_id, note)
        finally:
            con.close()
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None


def _describe(rec: dict) -> str:
    return (
        f"{rec['source']}:{rec['source_model_key']} {rec['price_key']} {rec['service_tier']} "
        f"{money(rec['old_price'])} -> {money(rec['price'])} {rec['currency']} (seen {rec['observed_at']:%Y-%m-%d})"
    )


@click.group()
def review() -> None:
    """Quarantined price changes and held runs.

    A vendor-page price that moved 10x or more (or to/from zero) is recorded but not applied until the next
    crawl confirms it or you accept it here. A run that would retire half or more of its source's prices, or
    lists 5x its usual items, is held whole; a partial run holds back its retirements: accept-run applies
    them, reject-run keeps the prices as they are.
    """


@review.command("list")
@click.option("--all", "show_all", is_flag=True, help="also show changes already decided")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def list_cmd(show_all: bool, db: str, as_json: bool) -> None:
    """List quarantined changes (pending ones unless --all)."""
    from aiprices.warehouse.errors import WarehouseError
    from aiprices.warehouse.guards import list_held
    from aiprices.warehouse.held_runs import list_held_runs

    try:
        con = open_warehouse(db, read_only=True)
        try:
            held, runs = list_held(con, include_decided=show_all), list_held_runs(con, include_decided=show_all)
        finally:
            con.close()
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        # A list of changes (as before) with each held run as an object of "run_id", "held", "reason", ...
        click.echo(json.dumps([asdict(h) for h in (*held, *runs)], indent=2, default=str))
        return
    _print_changes(held, show_all)
    _print_runs(runs, show_all)


def _print_changes(held: list, show_all: bool) -> None:
    if not held:
        click.echo("no quarantined changes" + ("" if show_all else " pending"))
        return
    for h in held:
        tier = "" if h.service_tier == "standard" else f" {h.service_tier}"
        click.echo(
            f"{h.change_id:>6}  {h.changed_on}  {h.source}:{h.source_model_key} {h.price_key}{tier}  "
            f"{money(h.old_price)} -> {money(h.new_price)} {h.currency} ({h.unit})  [{h.status}]"
        )
    pending = sum(h.status == "pending" for h in held)
    click.echo(f"{pending} pending: aiprices review accept ID | reject ID")


def _print_runs(runs: list, show_all: bool) -> None:
    if not runs:
        click.echo("no held runs" + ("" if show_all else " pending"))
        return
    for h in runs:
        would = f"would add {h.would_add:,}, change {h.would_change:,}, " if h.held == "run" else "would "
        click.echo(
            f"{h.run_id}  {h.source} {h.kind} {h.observed_at:%Y-%m-%d}  held {h.held}: {would}retire "
            f"{h.would_retire:,} of {h.current_prices:,} prices; {h.reason}  [{h.status}]"
        )
    pending = sum(h.status == "pending" for h in runs)
    click.echo(f"{pending} held run(s) pending: aiprices review accept-run RUN | reject-run RUN")


@review.command()
@click.argument("change_id", type=int)
@click.option("--note", help="why (kept with the decision)")
@db_option
def accept(change_id: int, note: str | None, db: str) -> None:
    """Apply quarantined change CHANGE_ID as of the day it was first seen."""
    from aiprices.warehouse.guards import accept as run

    rec = _run(db, run, change_id, note)
    click.echo(f"accepted change {change_id}: {_describe(rec)}")


@review.command()
@click.argument("change_id", type=int)
@click.option("--note", help="why (kept with the decision)")
@db_option
def reject(change_id: int, note: str | None, db: str) -> None:
    """Drop quarantined change CHANGE_ID: the previous price stays in force."""
    from aiprices.warehouse.guards import reject as run

    rec = _run(db, run, change_id, note)
    click.echo(f"rejected change {change_id}: {_describe(rec)}")


@review.command()
@click.argument("change_id", type=int)
@click.option("--note", help="why (kept in the audit row)")
@db_option
def correct(change_id: int, note: str | None, db: str) -> None:
    """Mark change CHANGE_ID (the change_id column of price_changes) as a correction: the old value was
    wrong, so history before the change reads the new value; the original is kept in `corrections`."""
    from aiprices.warehouse.guards import correct as run

    rec = _run(db, run, change_id, note)
    click.echo(
        f"change {change_id} marked as a correction: the interval from {rec['valid_from']:%Y-%m-%d} now reads "
        f"{money(rec['corrected_price'])} (was {money(rec['original_price'])}; kept in corrections)"
    )


@review.command("accept-run")
@click.argument("run_id")
@click.option("--note", help="why (kept with the decision)")
@db_option
def accept_run(run_id: str, note: str | None, db: str) -> None:
    """Apply held run RUN_ID (see `review list`) as of its observation: its additions, changes and
    retirements; the run becomes ok."""
    from aiprices.warehouse.held_runs import accept_run as run

    rec = _run(db, run, run_id, note)
    extra = f", {rec.quarantined} quarantined" if rec.quarantined else ""
    click.echo(
        f"accepted run {run_id} ({rec.source}, {rec.observed_at:%Y-%m-%d}): +{rec.added} added, "
        f"~{rec.changed} changed, -{rec.removed} removed{extra}"
    )


@review.command("reject-run")
@click.argument("run_id")
@click.option("--note", help="why (kept with the decision)")
@db_option
def reject_run(run_id: str, note: str | None, db: str) -> None:
    """Keep the prices as they are: held run RUN_ID stays partial and its held changes are dropped."""
    from aiprices.warehouse.held_runs import reject_run as run

    held = _run(db, run, run_id, note)
    click.echo(f"rejected run {run_id} ({held.source}, {held.observed_at:%Y-%m-%d}): prices kept as they were")
