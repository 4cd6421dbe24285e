"""Groq models page (console.groq.com/docs/models): one price cell per model.

Two formats:
- the official markdown twin (``docs-models.md`` with pipe tables): header "PRICE PER 1M TOKENS";
- a headless-browser render of the same page, where the table is flattened to one cell per paragraph
  (model cell, speed, price, rate limits, ...), followed by the inlined Next.js payload (ignored: the
  rendered rows hold the same prices).

The model cell is ``[![Logo](img)Display Name](/docs/model/<id>)<id>``: the display name is kept as the
page's model name and the API id as ``model``. Price cells: ``$0.15 input$0.60 output`` (per 1M tokens),
``$0.111 per hour`` (speech-to-text, audio input hours), ``$40.00 per 1M characters`` (text-to-speech
input characters), ``ContactSales`` (no price: no item).
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.markdown import clean_cell, parse_tables

VENDOR = "groq"
PRICE_HEADER = "PRICE PER 1M TOKENS"

_MODEL_CELL = re.compile(
    r"^\[(?:!\[[^\]]*\]\([^)]*\))?(?P<name>[^\]]+)\]\(/docs/model/(?P<path>[^)]+)\)(?P<tail>.*)$"
)
_TOKENS = re.compile(r"\$\s?(\d+(?:\.\d+)?)\s*(input|output)\b", re.I)
_PER_HOUR = re.compile(r"^\$\s?(\d+(?:\.\d+)?)\s*per hour$", re.I)
_PER_CHARS = re.compile(r"^\$\s?(\d+(?:\.\d+)?)\s*per 1M characters$", re.I)
_NO_PRICE = re.compile(r"^(?:contact\s*sales|-|—|)$", re.I)
# Columns of the models table that are not prices.
_OTHER_COLUMNS = {
    "MODEL ID",
    "SPEED (T/SEC)",
    "RATE LIMITS (DEVELOPER PLAN)",
    "CONTEXT WINDOW (TOKENS)",
    "MAX COMPLETION TOKENS",
    "MAX FILE SIZE",
}


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of the Groq models page (markdown twin or flattened render)."""
    if challenge_marker(body):
        raise PageBlocked(f"groq: bot challenge at {url}")
    text = body.decode("utf-8", "replace")
    ex = Extraction()
    tables = [t for t in parse_tables(text) if PRICE_HEADER in t.header]
    if tables:
        for t in tables:
            ex.unmapped_columns += [h for h in t.header if h != PRICE_HEADER and h not in _OTHER_COLUMNS]
            col = t.header.index(PRICE_HEADER)
            for raw, row in zip(t.raw_rows, t.rows, strict=True):
                _row(ex, raw[0], row[col] if col < len(row) else "")
    else:
        _flattened(ex, text)
    if not ex.items:
        raise LayoutChanged(f"groq: no model price table at {url}")
    return ex


def _flattened(ex: Extraction, text: str) -> None:
    """Rendered rows: the model cell line, then speed, then the price cell (non-empty lines)."""
    if PRICE_HEADER not in text:
        return
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if _MODEL_CELL.match(line) and i + 2 < len(lines):
            _row(ex, line, clean_cell(lines[i + 2]))


def _row(ex: Extraction, model_cell: str, price_cell: str) -> None:
    m = _MODEL_CELL.match(model_cell.strip())
    if not m:
        raise LayoutChanged(f"groq: model cell not understood: {model_cell[:80]!r}")
    name = clean_cell(m.group("name"))
    model_id = m.group("path").lower()
    price_cell = price_cell.strip()
    if _NO_PRICE.match(price_cell):
        return
    found: list[tuple[str, str, Decimal]] = []
    if tokens := _TOKENS.findall(price_cell):
        found = [(key.lower(), "per_1m_tokens", Decimal(num)) for num, key in tokens]
    elif hour := _PER_HOUR.match(price_cell):
        found = [("input_audio", "per_hour", Decimal(hour.group(1)))]
    elif chars := _PER_CHARS.match(price_cell):
        found = [("input", "per_1m_characters", Decimal(chars.group(1)))]
    else:
        raise LayoutChanged(f"groq: price cell not understood for {model_id}: {price_cell!r}")
    for key, unit, price in found:
        ex.items.append(
            page_price(
                vendor=VENDOR,
                model_name=name,
                model=model_id,
                price_key=key,
                unit=unit,
                price=price,
                source_field=PRICE_HEADER,
            )
        )
