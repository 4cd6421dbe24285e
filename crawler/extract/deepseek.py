"""DeepSeek API pricing page (api-docs.deepseek.com, Docusaurus): one table, models as columns.

The table is transposed: the ``MODEL`` row names the API ids, and the rows of the ``PRICING`` group
(rowspan label in column 0) hold per-1M-token prices. A discounted price is shown as
``$0.435 (75% off)<del>$1.74</del>``: the struck-through amount is the list price (standard, variant "")
and the other one is the time-limited price (variant ``promo``). The Chinese page is priced in CNY (元).
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.html_tables import Cell, Table, element_text, parse_tables
from aiprices.crawler.parsers.price_text import money_amounts

VENDOR = "deepseek"

_MODEL_ROW = re.compile(r"^(model|模型)$", re.I)
_PRICING_GROUP = re.compile(r"^(pricing|价格)$", re.I)
# Row label -> price key. Order matters: "cache miss" must be tested before the plain "input".
_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"cache\s*hit|缓存命中", re.I), "cache_read"),
    (re.compile(r"cache\s*miss|缓存未命中", re.I), "input"),
    (re.compile(r"output|输出", re.I), "output"),
    (re.compile(r"input|输入", re.I), "input"),
)
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


def _price_key(label: str) -> str | None:
    for pattern, key in _LABELS:
        if pattern.search(label):
            return key
    return None


def _extract_table(table: Table, out: Extraction) -> None:
    models: dict[int, str] = {}
    for row in table.grid:
        if row and _MODEL_ROW.match(row[0].text):
            models = {c: cell.text for c, cell in enumerate(row) if c > 0 and cell.text != row[0].text}
            break
    if not models:
        return
    for row in table.grid:
        if not row or not _PRICING_GROUP.match(row[0].text):
            if any(money_amounts(c.text) for c in row[1:]) and row[0].text:
                out.unmapped_columns.append(row[0].text)
            continue
        label = row[1].text
        key = _price_key(label)
        if key is None:
            out.unmapped_columns.append(label)
            continue
        if not _PER_1M.search(label):
            out.unmapped_columns.append(label)
            continue
        for c, model in models.items():
            for price, variant, currency in _cell_prices(row[c]):
                out.items.append(
                    page_price(
                        vendor=VENDOR,
                        model_name=model,
                        model=model.lower(),
                        price_key=key,
                        unit="per_1m_tokens",
                        price=price,
                        currency=currency,
                        variant=variant,
                        source_field=label,
                    )
                )


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """All prices in the model-details table of the DeepSeek pricing page (en or zh)."""
    marker = challenge_marker(body)
    if marker:
        raise PageBlocked(f"deepseek: bot challenge page ({marker})")
    out = Extraction()
    for table in parse_tables(body, drop=("sup",)):
        _extract_table(table, out)
    if not out.items:
        raise LayoutChanged("deepseek: no model table with a PRICING group found")
    return out
