"""Rendering query results as a terminal table, CSV or JSON (money stays exact text, never float)."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from decimal import Decimal

FORMATS = ("table", "csv", "json")


def cell(value) -> str | int | float | None:
    """Display text of a value: Decimals without trailing zeros or exponents, times in ISO 8601 UTC."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):  # floats: only ratios like pct_change, never money
        return value
    return str(value)


def render(columns: list[str], rows: list[tuple], fmt: str = "table", title: str | None = None) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, map(cell, r), strict=True)) for r in rows], indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if c is None else c for c in map(cell, r)] for r in rows])
        return buf.getvalue().rstrip("\n")
    return _table(columns, rows, title)


def _table(columns, rows, title) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if c is None else str(c) for c in map(cell, row)))
    width = 240 if not sys.stdout.isatty() else None
    console = Console(file=io.StringIO(), width=width, force_terminal=False)
    console.print(table)
    return console.file.getvalue().rstrip("\n") + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"
