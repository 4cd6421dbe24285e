"""How ``aiprices calc`` shows an answer: aligned rows as text, or JSON with exact decimal strings.

Money is shown to the cent (``$1,080.00``, JSON ``"1080.00"``), counts with separators and never an exponent
or a stray ``.0`` (``7,500,000``), per-call prices exactly (``$0.006``).
"""

from __future__ import annotations

import json
from decimal import Decimal

import click

from aiprices.calculators.money import cents_text, fmt_count, fmt_usd, plain
from aiprices.calculators.plan import Part

Row = tuple[str, ...]


def show(as_json: bool, data: dict, rows: list[Row]) -> None:
    """JSON, or rows of (label, count, money) with both right-aligned in columns; a (label, text) row is
    printed as it is (a verdict)."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(row[0]) for row in rows)
    table = [row for row in rows if len(row) == 3]
    count = max((len(row[1]) for row in table), default=0)
    money = max((len(row[2]) for row in table), default=0)
    for row in rows:
        cells = row[1] if len(row) == 2 else f"{row[1]:>{count}}  {row[2]:>{money}}"
        click.echo(f"{row[0]:<{width}}  {cells}".rstrip())


def exact_usd(value: Decimal) -> str:
    """A per-call amount as exact as it is (``$0.000231``), not rounded to the cent."""
    return f"${plain(value)}"


def part_rows(parts: list[Part], *, monthly: bool) -> list[Row]:
    """One row per priced component: ``  input  150,000,000 tokens  $450.00`` (a month, or one-time)."""
    rows = []
    for part in parts:
        quantity = part.monthly_quantity if monthly else part.one_time_quantity
        cost = part.monthly if monthly else part.one_time
        counted = f"{fmt_count(quantity)} {part.counted}" if part.counted else ""
        rows.append((f"  {part.label}", counted, fmt_usd(cost)))
    return rows


def parts_json(parts: list[Part], *, monthly: bool) -> list[dict]:
    """The same components for JSON: quantity in ``counted`` units, price per the warehouse unit, cost."""
    return [
        {
            "label": part.label,
            "quantity": plain(part.monthly_quantity if monthly else part.one_time_quantity),
            "counted": part.counted,
            "price": plain(part.price),
            "cost": cents_text(part.monthly if monthly else part.one_time),
        }
        for part in parts
    ]


def counted_total(parts: list[Part], counted: str, *, monthly: bool) -> Decimal:
    """All the tokens (or requests ...) of the parts, e.g. a month of inference tokens."""
    return sum(
        (p.monthly_quantity if monthly else p.one_time_quantity for p in parts if p.counted == counted),
        Decimal(0),
    )
