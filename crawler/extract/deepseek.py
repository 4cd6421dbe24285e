"""DeepSeek API pricing page (api-docs.deepseek.com, Docusaurus): one table, models as columns.

The table is transposed: the ``MODEL`` row names the API ids, and the rows of the ``PRICING`` group
(rowspan label in column 0) hold per-1M-token prices. A discounted price is shown as
``$0.435 (75% off)<del>$1.74</del>``: the struck-through amount is the list price (standard, variant "")
and the other one is the time-limited price (variant ``promo``). The Chinese page is priced in CNY (元).
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.html_tables import Cell, Table, element_text, parse_tables
from aiprices.crawler.parsers.price_text import money_amounts
from aiprices.crawler.vocabulary import meaning

VENDOR = "deepseek"

_MODEL_ROW = re.compile(r"^(model|模型)$", re.I)
_PRICING_GROUP = re.compile(r"^(pricing|价格)$", re.I)
_PER_1M = re.compile(r"1M|百万", re.I)


def _currency(text: str) -> str:
    if "元" in text or "¥" in text:
        return "CNY"
    if "$" in text:
        return "USD"
    raise LayoutChanged(f"deepseek: price cell without a currency: {text!r}")


def _cell_prices(cell: Cell) -> list[tuple[Decimal, str, str]]:
    """``(price, variant, currency)`` pairs of one cell: list price, plus a ``promo`` price if discounted."""
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
    if struck:
        list_amounts = money_amounts(" ".join(struck))
        if len(list_amounts) != 1:
            raise LayoutChanged(f"deepseek: unreadable struck-through price: {cell.text!r}")
        return [(list_amounts[0], "", currency), (shown_amounts[0], "promo", currency)]
    return [(shown_amounts[0], "", currency)]


def _extract_table(table: Table, em: Emitter) -> None:
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
        found = meaning(label, VENDOR) if _PRICING_GROUP.match(row[0].text) and _PER_1M.search(label) else None
        if found is None:
            em.out.unmapped_columns.append(label or row[0].text)
            continue
        for c, model in models.items():
            for price, variant, currency in _cell_prices(row[c]):
                em.add(
                    model, found.key, found.unit, price, label, model=model.lower(), currency=currency, variant=variant
                )


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """All prices in the model-details table of the DeepSeek pricing page (en or zh)."""
    em = Emitter(VENDOR)
    for table in parse_tables(body, drop=("sup",)):
        _extract_table(table, em)
    if not em.out.items:
        raise LayoutChanged("deepseek: no model table with a PRICING group found")
    return em.finish()
