"""How values and query results read as text: one money format, a fast plain table, streamed CSV and JSON.

Money is exact everywhere: a ``Decimal`` prints without trailing zeros or exponents (``0.8``, never
``0.800000000000000000000000`` or ``8E-1``), in tables, messages and the report alike; CSV and JSON carry the
same exact text. (Amounts rounded to the cent, like budget totals, print as ``$1,080.00`` with
``calculators.money.fmt_usd``.) Tables are plain text (no per-cell layout engine), so printing is as cheap as the query.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aiprices.calculators.money import context_text, money, plain, price_text, unit_label  # noqa: F401 - re-exported

FORMATS = ("table", "csv", "json")
COMPACT_WIDTH = 100  # a compact table never exceeds this many columns (or the terminal, if narrower)
_GAP = "  "
_MIN_COLUMN = 6


@dataclass(frozen=True)
class View:
    """A compact table: the display cells of a row (given as a dict) under ``heads``; the ``wrap`` columns
    (long names) narrow and wrap first when the table is too wide, so prices and dates stay on one line."""

    heads: tuple[str, ...]
    cells: Callable[[dict], tuple]
    wrap: tuple[str, ...] = ()


def cell(value) -> str | int | float | None:
    """Display text of a value: Decimals exact (see ``money``), times in ISO 8601 UTC."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):  # floats: only ratios like pct_change, never money
        return value
    return str(value)


def render(columns: list[str], rows: list[tuple], fmt: str = "table", title: str | None = None) -> str:
    """A whole (small) result as one string; large results go through ``write_result``."""
    out = io.StringIO()
    write_result(out.write, columns, [rows], fmt, title=title)
    return out.getvalue().rstrip("\n")


def write_result(
    write: Callable[[str], object],
    columns: Sequence[str],
    batches: Iterable[Sequence[tuple]],
    fmt: str,
    *,
    title: str | None = None,
    width: int | None = None,
    view: View | None = None,
    left_out: int = 0,
) -> int:
    """Write a result batch by batch; returns the number of rows written.

    CSV and JSON stream every row with every column. A table needs its column widths first, so it takes
    every batch it is given (callers limit it), in a compact ``view`` when one is given; ``left_out`` rows
    are mentioned in the closing note.
    """
    if fmt == "csv":
        return _write_csv(write, columns, batches)
    if fmt == "json":
        return _write_json(write, columns, batches)
    rows = [row for batch in batches for row in batch]
    if view:
        shown = (view.cells(dict(zip(columns, r, strict=True))) for r in rows)
        heads, cells = _drop_blank_columns(list(view.heads), [tuple(map(str, c)) for c in shown])
    else:
        heads, cells = list(columns), [tuple("" if c is None else str(c) for c in map(cell, r)) for r in rows]
    if title:
        write(title + "\n")
    for line in table_lines(heads, cells, width, wrap=view.wrap if view else ()):
        write(line + "\n")
    write(_closing_note(len(rows), left_out) + "\n")
    return len(rows)


def terminal_width(compact: bool) -> int | None:
    """The width a table must fit: the terminal's (at most 100 for a compact view); unbounded when piped
    and wide."""
    if sys.stdout.isatty():
        import shutil  # only on a terminal (it imports compression modules)

        columns = shutil.get_terminal_size().columns
        return min(columns, COMPACT_WIDTH) if compact else columns
    return COMPACT_WIDTH if compact else None


def _closing_note(rows: int, left_out: int) -> str:
    plural = "s" if rows != 1 else ""
    if not left_out:
        return f"({rows} row{plural})"
    return (
        f"({rows} row{plural} shown, {left_out:,} more left out: --limit N shows more, --format csv or json shows all)"
    )


def _write_csv(write, columns, batches) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    for batch in batches:
        writer.writerows(["" if c is None else c for c in map(cell, r)] for r in batch)
        n += len(batch)
        write(buf.getvalue())
        buf.seek(0)
        buf.truncate()
    write(buf.getvalue())
    return n


def _write_json(write, columns, batches) -> int:
    """A JSON array, one object per line, written as the rows arrive."""
    n = 0
    write("[")
    for batch in batches:
        for row in batch:
            write(("\n  " if n == 0 else ",\n  ") + json.dumps(dict(zip(columns, map(cell, row), strict=True))))
            n += 1
    write("\n]\n" if n else "]\n")
    return n


def _drop_blank_columns(heads: list[str], cells: list[tuple]) -> tuple[list[str], list[tuple]]:
    """A compact view leaves out columns that are blank on every row shown (e.g. region for global prices)."""
    if not cells:
        return heads, cells
    keep = [i for i in range(len(heads)) if any(row[i] for row in cells)]
    return [heads[i] for i in keep], [tuple(row[i] for i in keep) for row in cells]


def table_lines(
    heads: Sequence[str], cells: Sequence[Sequence[str]], width: int | None = None, wrap: Sequence[str] = ()
) -> Iterator[str]:
    """A plain text table; with ``width``, the widest columns (the ``wrap`` ones first) narrow and their
    cells wrap to fit it."""
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(heads)]
    if width is not None:
        first = [i for i, h in enumerate(heads) if h in wrap]
        widths = _fit(_fit(widths, heads, width, first), heads, width, range(len(heads)))
    yield from _wrapped_row(heads, widths)
    yield _GAP.join("─" * w for w in widths)
    for row in cells:
        yield from _wrapped_row(row, widths)


def _fit(widths: list[int], heads: Sequence[str], width: int, among: Iterable[int]) -> list[int]:
    """Narrow the widest of the ``among`` columns, one character at a time, until the row fits (or none of
    them can narrow further)."""
    widths = list(widths)
    among = list(among)
    floor = [min(w, max(_MIN_COLUMN, len(h))) for w, h in zip(widths, heads, strict=True)]
    while sum(widths) + len(_GAP) * (len(widths) - 1) > width:
        candidates = [i for i in among if widths[i] > floor[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _wrapped_row(values: Sequence[str], widths: Sequence[int]) -> Iterator[str]:
    pieces = [[v[i : i + w] for i in range(0, len(v), w)] or [""] for v, w in zip(values, widths, strict=True)]
    for line in range(max(len(p) for p in pieces)):
        parts = [(p[line] if line < len(p) else "").ljust(w) for p, w in zip(pieces, widths, strict=True)]
        yield _GAP.join(parts).rstrip()
