"""DeepSeek API pricing page (api-docs.deepseek.com, Docusaurus): one table, models as columns.

The table is transposed: the ``MODEL`` row names the API ids, and the rows of the ``PRICING`` group
(rowspan label in column 0) hold per-1M-token prices. A discounted price is shown as
``$0.435 (75% off)<del>$1.74</del>``: the struck-through amount is the list price (standard, variant "")
and the other one is the time-limited price (variant ``promo``). The Chinese page is priced in CNY (元).
A numbered note ("(3) ... extended until 2026/05/31 15:59 UTC") dates the prices that carry its marker: the
shown (discounted) price of a cell, or every price of a row whose label carries it. A pricing group labelled
as a discount with a UTC window ("DISCOUNT PRICE (UTC 16:30-00:30)", 优惠时段) holds off-peak prices: their
``time_window`` is that window; the standard group's prices apply all day.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.dates import Dates, footnote_dates, time_window
from aiprices.crawler.parsers.html_tables import Cell, Table, element_text, parse_document, parse_tables
from aiprices.crawler.parsers.price_text import money_amounts
from aiprices.crawler.vocabulary import meaning

VENDOR = "deepseek"

_MODEL_ROW = re.compile(r"^(model|模型)$", re.I)
_PRICING_GROUP = re.compile(r"pricing|price|价格", re.I)
_DISCOUNT = re.compile(r"discount|off-peak|优惠|闲时", re.I)
_MARKER = re.compile(r"\((\d{1,2})\)")
_PER_1M = re.compile(r"1M|百万", re.I)


def _currency(text: str) -> str:
    if "元" in text or "¥" in text:
        return "CNY"
    if "$" in text:
        return "USD"
    raise LayoutChanged(f"deepseek: price cell without a currency: {text!r}")


def _markers(el) -> list[str]:
    """The note markers ("(3)") in an element's superscripts."""
    return _MARKER.findall(" ".join(element_text(sup) for sup in el.iter("sup"))) if el is not None else []


def _cell_prices(cell: Cell, notes: dict[str, Dates]) -> list[tuple[Decimal, str, str, Dates | None]]:
    """``(price, variant, currency, dates)`` of one cell: list price, plus a ``promo`` price if discounted (the
    dates of a note the shown price carries)."""
    if cell.el is None:
        return []
    struck = [element_text(d) for d in cell.el.iter("del", "s", "strike")]
    shown = element_text(cell.el, drop=("del", "s", "strike", "sup"))
    currency = _currency(cell.text)
    shown_amounts = money_amounts(shown)
    if not shown_amounts:
        return []
    if len(shown_amounts) > 1:
        raise LayoutChanged(f"deepseek: several prices in one cell: {cell.text!r}")
    dated = next((notes[m] for m in _markers(cell.el) if m in notes), None)
    if struck:
        list_amounts = money_amounts(" ".join(struck))
        if len(list_amounts) != 1:
            raise LayoutChanged(f"deepseek: unreadable struck-through price: {cell.text!r}")
        return [(list_amounts[0], "", currency, None), (shown_amounts[0], "promo", currency, dated)]
    return [(shown_amounts[0], "", currency, dated)]


def _window(group: str) -> str:
    """The time of day a pricing group's prices apply: its UTC window for a discount group, else all day."""
    return (time_window(group) or "") if _DISCOUNT.search(group) else ""


def _extract_table(table: Table, em: Emitter, notes: dict[str, Dates]) -> None:
    models: dict[int, str] = {}
    for row in table.grid:
        if row and _MODEL_ROW.match(row[0].text):
            models = {c: cell.text for c, cell in enumerate(row) if c > 0 and cell.text != row[0].text}
            break
    if not models:
        return
    for row in table.grid:
        label = row[1].text if len(row) > 1 else ""
        if not row or not em.row(f"{row[0].text}: {label}", *(c.text for c in row[2:])):
            continue
        found = meaning(label, VENDOR) if _PRICING_GROUP.search(row[0].text) and _PER_1M.search(label) else None
        if found is None:
            em.out.unmapped_columns.append(label or row[0].text)
            continue
        window = _window(row[0].text)
        row_dates = next((notes[m] for m in _markers(row[1].el) if m in notes), None)
        for c, model in models.items():
            for price, variant, currency, dates in _cell_prices(row[c], notes):
                dates = dates or row_dates
                em.add(
                    model,
                    found.key,
                    found.unit,
                    price,
                    label,
                    model=model.lower(),
                    currency=currency,
                    variant=variant,
                    time_window=window,
                    starts=dates.starts if dates else None,
                    ends=dates.ends if dates else None,
                )


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """All prices in the model-details table of the DeepSeek pricing page (en or zh)."""
    em = Emitter(VENDOR)
    root = parse_document(body)
    notes = footnote_dates(element_text(root, drop=("table",)))
    for table in parse_tables(root, drop=("sup",)):
        _extract_table(table, em, notes)
    if not em.out.items:
        raise LayoutChanged("deepseek: no model table with a PRICING group found")
    return em.finish()
