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

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.markdown import clean_cell, parse_tables
from aiprices.crawler.parsers.price_text import price_segments

VENDOR = "groq"
PRICE_HEADER = "PRICE PER 1M TOKENS"

_MODEL_CELL = re.compile(r"^\[(?:!\[[^\]]*\]\([^)]*\))?(?P<name>[^\]]+)\]\(/docs/model/(?P<path>[^)]+)\)(?P<tail>.*)$")
# What an amount in the price cell is for (the words after it) -> (price_key, unit).
_MEANINGS = {
    "input": ("input", "per_1m_tokens"),
    "output": ("output", "per_1m_tokens"),
    "per hour": ("input_audio", "per_hour"),
    "per 1m characters": ("input", "per_1m_characters"),
}
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
    text = body.decode("utf-8", "replace")
    em = Emitter(VENDOR)
    tables = [t for t in parse_tables(text) if PRICE_HEADER in t.header]
    if tables:
        for t in tables:
            em.out.unmapped_columns += [h for h in t.header if h != PRICE_HEADER and h not in _OTHER_COLUMNS]
            col = t.header.index(PRICE_HEADER)
            for raw, row in zip(t.raw_rows, t.rows, strict=True):
                _row(em, raw[0], row[col] if col < len(row) else "")
    else:
        _flattened(em, text)
    if not em.out.items:
        raise LayoutChanged(f"groq: no model price table at {url}")
    return em.finish()


def _flattened(em: Emitter, text: str) -> None:
    """Rendered rows: the model cell line, then speed, then the price cell (non-empty lines)."""
    if PRICE_HEADER not in text:
        return
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if _MODEL_CELL.match(line) and i + 2 < len(lines):
            _row(em, line, clean_cell(lines[i + 2]))


def _row(em: Emitter, model_cell: str, price_cell: str) -> None:
    m = _MODEL_CELL.match(model_cell.strip())
    if not m:
        raise LayoutChanged(f"groq: model cell not understood: {model_cell[:80]!r}")
    name = clean_cell(m.group("name"))
    model_id = m.group("path").lower()
    price_cell = price_cell.strip()
    if not em.row(f"{name} ({model_id})", price_cell) or _NO_PRICE.match(price_cell):
        return
    segments = [(amount, _MEANINGS.get(qual.strip().lower())) for amount, qual in price_segments(price_cell)]
    if not segments or not all(found for _, found in segments):
        raise LayoutChanged(f"groq: price cell not understood for {model_id}: {price_cell!r}")
    for price, (key, unit) in segments:
        em.add(name, key, unit, price, PRICE_HEADER, model=model_id)
