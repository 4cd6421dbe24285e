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

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.markdown import MdTable, parse_tables
from aiprices.crawler.parsers.price_text import is_blank, money_amounts, price_segments

VENDOR = "fireworks"
TOKENS = "per_1m_tokens"
_TRIPLE_KEYS = ("input", "cache_read", "output")
_TIERS = {"standard": "standard", "priority": "priority"}
_REGION = re.compile(r"\((US|EU)\)\s*$")


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of a Fireworks pricing page (markdown tables, or text rows in the excerpt)."""
    text = body.decode("utf-8", "replace")
    em = Emitter(VENDOR)
    tables = parse_tables(text)
    if tables:
        for t in tables:
            _table(em, t)
    else:
        _text_rows(em, text)
    if not em.out.items:
        raise LayoutChanged(f"fireworks: no price table at {url}")
    return em.finish()


def _region(name: str) -> str:
    m = _REGION.search(name)
    return m.group(1).lower() if m else ""


def _triples(text: str) -> list[list[Decimal]]:
    """ "$a / $b / $c [$d / $e / $f]" -> [[a, b, c], [d, e, f]]; [] when the amounts are not such groups."""
    segments = price_segments(text)
    seps = [qual.strip() for _, qual in segments]
    ok = len(segments) % 3 == 0 and all(sep == "/" for i, sep in enumerate(seps) if i % 3 != 2)
    return [[a for a, _ in segments[i : i + 3]] for i in range(0, len(segments), 3)] if ok else []


def _emit_triple(em: Emitter, name: str, cell: str, tier: str, field: str) -> None:
    if is_blank(cell):
        return
    triples = _triples(cell)
    if len(triples) != 1 or price_segments(cell)[-1][1].strip():  # one triple and nothing after it
        raise LayoutChanged(f"fireworks: {name} {field} cell is not 'input / cached / output': {cell!r}")
    for key, price in zip(_TRIPLE_KEYS, triples[0], strict=True):
        em.add(name, key, TOKENS, price, field, tier=tier, region=_region(name))


def _table(em: Emitter, t: MdTable) -> None:
    header = [h.lower() for h in t.header]
    by_tier = header[1:] and all(h in _TIERS for h in header[1:])
    one_price = len(header) == 2 and "1m" in header[1] and "$" in header[1]
    for row in t.rows:
        if not em.row(f"{t.heading}: {row[0]}", *row[1:]):
            continue
        if by_tier:
            for i, cell in enumerate(row[1:], start=1):
                _emit_triple(em, row[0], cell, _TIERS[header[i]], t.header[i])
        elif one_price:  # one price for input and output alike (embeddings: input only)
            amounts = money_amounts(row[1])
            if len(amounts) != 1:
                raise LayoutChanged(f"fireworks: {row[0]!r} price cell {row[1]!r}")
            for key in ("input",) if "input" in header[1] else ("input", "output"):
                em.add(row[0], key, TOKENS, amounts[0], f"{t.heading}: {t.header[1]}")
        else:
            cols = [f"{t.heading}: {h}" for h, c in zip(t.header, row, strict=False) if money_amounts(c)]
            em.out.unmapped_columns.extend(c for c in cols if c not in em.out.unmapped_columns)


def _text_rows(em: Emitter, text: str) -> None:
    """'Model Standard Priority' header, then 'Name $a / $b / $c [$d / $e / $f]' rows."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    try:
        start = next(i for i, ln in enumerate(lines) if re.fullmatch(r"Model\s+Standard\s+Priority", ln))
    except StopIteration:
        return
    for line in lines[start + 1 :]:
        if not em.row(line, line):
            continue
        name, _, prices = line.partition("$")
        triples = _triples("$" + prices)
        if not name.strip() or not 0 < len(triples) <= 2:
            raise LayoutChanged(f"fireworks: row not understood: {line!r}")
        for tier, triple in zip(("standard", "priority"), triples, strict=False):
            for key, price in zip(_TRIPLE_KEYS, triple, strict=True):
                em.add(name.strip(), key, TOKENS, price, tier.capitalize(), tier=tier, region=_region(name.strip()))
