"""``aiprices review``: decide quarantined vendor-page changes, and mark changes as corrections."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from aiprices.cli_support import db_option, open_warehouse
from aiprices.output import money


def _run(db: str, action, change_id: int, note: str | None):
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
    """Quarantined price changes: a vendor-page price that moved 10x or more (or to/from zero) is recorded
    but not applied until the next crawl confirms it or you accept it here."""


@review.command("list")
@click.option("--all", "show_all", is_flag=True, help="also show changes already decided")
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def list_cmd(show_all: bool, db: str, as_json: bool) -> None:
    """List quarantined changes (pending ones unless --all)."""
    from aiprices.warehouse.errors import WarehouseError
    from aiprices.warehouse.guards import list_held

    try:
        con = open_warehouse(db, read_only=True)
        try:
            held = list_held(con, include_decided=show_all)
        finally:
            con.close()
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([asdict(h) for h in held], indent=2, default=str))
        return
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
