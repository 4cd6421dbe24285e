"""``export parquet DIR``: the history and changelog as partitioned Parquet for other tools."""

from __future__ import annotations

from pathlib import Path

import click

from aiprices.cli_support import db_option, open_warehouse


@click.group()
def export() -> None:
    """Export the warehouse."""


@export.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="re-export only this day's partitions")
@db_option
def parquet(directory: str, on, db: str) -> None:
    """Write price_history and price_changes under DIRECTORY, partitioned by source and date."""
    from aiprices.warehouse.export import export_parquet

    con = open_warehouse(db)
    written = export_parquet(con, Path(directory), on.date() if on else None)
    click.echo(", ".join(f"{name}: {n} rows" for name, n in written.items()) + f" -> {directory}")
