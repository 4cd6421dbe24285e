"""``aiprices doctor``: integrity checks over the warehouse; prints what is wrong and exits non-zero."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from aiprices.cli_support import db_option, open_warehouse


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable findings")
def doctor(db: str, as_json: bool) -> None:
    """Check the warehouse: no overlapping validity intervals per price, every changelog row consistent with
    the history (and the reverse), no orphaned runs, intervals or changes. Exit 1 when anything is wrong.

    A file whose write-ahead log DuckDB cannot replay on open is recovered first (copies of the file and its log
    are kept beside it); a damaged file is reported with what can be done."""
    from aiprices.warehouse.doctor import CHECKS, run_checks, summary
    from aiprices.warehouse.errors import WalUnreplayable, WarehouseDamaged, WarehouseError
    from aiprices.warehouse.recovery import damage_advice, recover_wal

    recovered = None
    try:
        try:
            con = open_warehouse(db, read_only=True)
        except WalUnreplayable:
            recovered = recover_wal(Path(db))
            click.echo(recovered, err=True)
            con = open_warehouse(db, read_only=True)
        try:
            findings = run_checks(con)
            counts = summary(con)
        finally:
            con.close()
    except WarehouseDamaged as exc:
        raise click.ClickException(damage_advice(Path(db), exc.detail)) from None
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not findings,
                    "recovered": recovered,
                    "checked": counts,
                    "findings": [asdict(f) for f in findings],
                },
                indent=2,
                default=str,
            )
        )
    else:
        checked = ", ".join(f"{n} {t}" for t, n in counts.items())
        for f in findings:
            click.echo(f"FAIL {f.check}: {f.count} x {f.description}")
            for row in f.sample:
                click.echo("     " + " | ".join("NULL" if v is None else str(v) for v in row))
        if findings:
            click.echo(f"{len(findings)} of {len(CHECKS)} checks failed ({checked})")
        else:
            click.echo(f"ok: {len(CHECKS)} checks passed ({checked})")
    if findings:
        sys.exit(1)
