"""Fireworks serverless pricing: docs markdown twin and the plain-text excerpt of fireworks.ai/pricing.

Both show, per model, cells of three prices "input / cached input / output" (USD per 1M tokens) for the
Standard tier and, where available, the Priority tier ("—" = not available: no item).
The docs twin also has two size-class tables: "Other base models" (one price that applies to input and
output alike -> two items) and "Embeddings" (input only). Rows such as "Kimi K3 (US)" keep their page
name and get ``region="us"``. Batch is published only as a rule ("50% of serverless pricing"), not as
prices, so no batch items are emitted.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.markdown import MdTable, parse_tables
from aiprices.crawler.parsers.price_text import is_blank, money_amounts

VENDOR = "fireworks"
TOKENS = "per_1m_tokens"
_TRIPLE_KEYS = ("input", "cache_read", "output")
_TIERS = {"standard": "standard", "priority": "priority"}
_TRIPLE = re.compile(r"\$\s?(\d+(?:\.\d+)?)\s*/\s*\$\s?(\d+(?:\.\d+)?)\s*/\s*\$\s?(\d+(?:\.\d+)?)")
_REGION = re.compile(r"\((US|EU)\)\s*$")


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of a Fireworks pricing page (markdown tables, or text rows in the excerpt)."""
    if challenge_marker(body):
        raise PageBlocked(f"fireworks: bot challenge at {url}")
    text = body.decode("utf-8", "replace")
    ex = Extraction()
    tables = parse_tables(text)
    if tables:
        for t in tables:
            _table(ex, t)
    else:
        _text_rows(ex, text)
    if not ex.items:
        raise LayoutChanged(f"fireworks: no price table at {url}")
    return ex


def _region(name: str) -> str:
    m = _REGION.search(name)
    return m.group(1).lower() if m else ""


def _emit_triple(ex: Extraction, name: str, cell: str, tier: str, field: str) -> None:
    if is_blank(cell):
        return
    m = _TRIPLE.fullmatch(cell.replace("\\$", "$").strip())
    if not m:
        raise LayoutChanged(f"fireworks: {name} {field} cell is not 'input / cached / output': {cell!r}")
    for key, num in zip(_TRIPLE_KEYS, m.groups(), strict=True):
        ex.items.append(
            page_price(
                vendor=VENDOR,
                model_name=name,
                price_key=key,
                unit=TOKENS,
                price=Decimal(num),
                source_field=field,
                service_tier=tier,
                region=_region(name),
            )
        )


def _table(ex: Extraction, t: MdTable) -> None:
    header = [h.lower() for h in t.header]
    if header[1:] and all(h in _TIERS for h in header[1:]):
        for row in t.rows:
            for i, cell in enumerate(row[1:], start=1):
                _emit_triple(ex, row[0], cell, _TIERS[header[i]], t.header[i])
        return
    if len(header) == 2 and "1m" in header[1] and "$" in header[1]:
        keys = ("input",) if "input" in header[1] else ("input", "output")
        for row in t.rows:
            amounts = money_amounts(row[1])
            if len(amounts) != 1:
                raise LayoutChanged(f"fireworks: {row[0]!r} price cell {row[1]!r}")
            for key in keys:
                ex.items.append(
                    page_price(
                        vendor=VENDOR,
                        model_name=row[0],
                        price_key=key,
                        unit=TOKENS,
                        price=amounts[0],
                        source_field=f"{t.heading}: {t.header[1]}",
                    )
                )
        return
    for h, col in zip(t.header, zip(*t.rows, strict=False), strict=False):
        if any("$" in c for c in col):
            ex.unmapped_columns.append(f"{t.heading}: {h}")


def _text_rows(ex: Extraction, text: str) -> None:
    """'Model Standard Priority' header, then 'Name $a / $b / $c [$d / $e / $f]' rows."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    try:
        start = next(i for i, ln in enumerate(lines) if re.fullmatch(r"Model\s+Standard\s+Priority", ln))
    except StopIteration:
        return
    for line in lines[start + 1 :]:
        triples = list(_TRIPLE.finditer(line))
        if not triples:
            continue
        name = line[: triples[0].start()].strip()
        if not name or len(triples) > 2:
            raise LayoutChanged(f"fireworks: row not understood: {line!r}")
        for tier, m in zip(("standard", "priority"), triples, strict=False):
            _emit_triple(ex, name, m.group(0), tier, tier.capitalize())
