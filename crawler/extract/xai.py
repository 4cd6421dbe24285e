"""xAI models and pricing page (docs.x.ai/docs/models): three renders seen so far.

- 2025-11-03 (headless render): the table is flattened to one cell per line: ``grok-3`` / context /
  rate limits / ``$3.00$15.00`` (input and output glued), under "Language models" (per 1M tokens) or
  "Image generation models" (per image); regional rows carry ``us-east-1`` / ``eu-west-1``.
- 2025-12-31 (markdown scrape): the same table as pipes, with section rows ("Language models").
- 2026-05-08 (Jina): separate tables: Model/Input/Output (per 1M tokens), Imagine (``$0.05 / image``,
  ``$0.05 / sec``), Voice (``$0.05 / min``, ``$4.20 / 1M characters``, ``$0.10 / hr (REST), $0.20 / hr
  (Streaming)``), tools (``$5 / 1k calls``), storage (``$0.025 / GiB / day``) and downloads.
The model cards at the top of the 2026 page repeat the table prices and are not read.
Tool calls: web/X search -> ``search``, code execution -> ``code_interpreter``, document/collection/file
search -> ``file_search``, all per 1,000 calls. "Live Search costs $25 per 1,000 sources" -> ``search``.
The usage-guidelines violation fee is a penalty, not a usage price: not emitted.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.markdown import MdTable, clean_cell, parse_tables
from aiprices.crawler.parsers.price_text import is_free, money_amounts, price_segments

VENDOR = "xai"
TOKENS = "per_1m_tokens"
_MODEL_ID = re.compile(r"^grok-[a-z0-9.-]+$")
_REGION = re.compile(r"^[a-z]{2}-[a-z]+-\d$")
_LIVE_SEARCH = re.compile(r"Live Search costs \$(\d+(?:\.\d+)?) per 1,000 sources", re.I)


def _tool_key(name: str) -> str:
    low = name.lower()
    if "code" in low:
        return "code_interpreter"
    if any(w in low for w in ("document", "collection", "file", "attachment")):
        return "file_search"
    if "search" in low:
        return "search"
    raise LayoutChanged(f"xai: unknown tool {name!r}")


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of one xAI models page render."""
    text = body.decode("utf-8", "replace")
    ex = Emitter(VENDOR)
    tables = parse_tables(text)
    model_tables = [
        t for t in tables if t.header and t.header[0] == "Model" and ("Pricing" in t.header or "Input" in t.header)
    ]
    if model_tables:
        for t in tables:
            _table(ex, t)
    else:
        _flattened(ex, text)
    if not any(it["unit"] == TOKENS for it in ex.out.items):
        raise LayoutChanged(f"xai: no model price table at {url}")
    if (m := _LIVE_SEARCH.search(text)) and ex.row("prose: Live Search", priced=True):
        _add(ex, "Live Search", None, "search", "per_1k_requests", Decimal(m.group(1)), "Live Search sources")
    return ex.finish()


def _add(
    ex: Emitter, name: str, model: str | None, key: str, unit: str, price: Decimal, field: str, variant="", region=""
) -> None:
    ex.add(name, key, unit, price, field, model=model, variant=variant, region=region)


def _glued(ex: Emitter, model_id: str, cell: str, section: str, region: str = "") -> None:
    """'$0.20$0.50' under language models (input, output) or '$0.07' under image models."""
    amounts = _glued_amounts(cell)
    if "image" in section.lower():
        if len(amounts) != 1:
            raise LayoutChanged(f"xai: image model {model_id} price cell {cell!r} is not one price")
        _add(ex, model_id, model_id, "output_image", "per_image", amounts[0], "Pricing", region=region)
        return
    if len(amounts) != 2:
        raise LayoutChanged(f"xai: language model {model_id} price cell {cell!r} is not input and output")
    _add(ex, model_id, model_id, "input", TOKENS, amounts[0], "Pricing", region=region)
    _add(ex, model_id, model_id, "output", TOKENS, amounts[1], "Pricing", region=region)


def _glued_amounts(cell: str) -> list[Decimal]:
    """The amounts of a cell that holds nothing else ("$0.20$0.50"); [] for any other text."""
    segments = price_segments(cell) if cell.strip().startswith("$") else []
    return [a for a, qual in segments] if all(not qual.strip() for _, qual in segments) else []


def _table(ex: Emitter, t: MdTable) -> None:
    header = [h.lower() for h in t.header]
    cost_col = next((i for i, h in enumerate(header) if "1k calls" in h or "1,000 calls" in h), None)
    section = ""
    for row in t.rows:
        if row and row[0] and header[0] == "model" and not _MODEL_ID.match(row[0]):
            section = row[0]  # a section row of the glued table ("Language models")
        if not ex.row(f"{t.heading}: {section} {row[0]}", *row[1:]):
            continue
        cells = dict(zip(header, row, strict=False))
        if header[0] == "model" and "pricing" in header:
            _glued(ex, row[0], cells["pricing"], section)
        elif header[0] == "model" and "input" in header and "output" in header:
            for key in ("input", "output"):
                _add(ex, row[0], row[0], key, TOKENS, _amount(row[0], cells[key]), key.capitalize())
        elif header[:2] == ["model", "cost"]:
            _media(ex, row[0], row[1])
        elif header[:2] == ["mode", "cost"]:
            _voice(ex, row[0], row[1])
        elif header[0] == "tool" and cost_col is not None:
            price = _amount(row[0], row[cost_col])
            _add(ex, row[0], None, _tool_key(row[0]), "per_1k_requests", price, t.header[cost_col])
        elif header in (["item", "price"], ["resource", "rate"]):
            _resource(ex, row[0], row[1])
        else:
            cols = [f"{t.heading}: {h}" for h, c in zip(t.header, row, strict=False) if money_amounts(c)]
            ex.out.unmapped_columns.extend(c for c in cols if c not in ex.out.unmapped_columns)


def _amount(name: str, cell: str) -> Decimal:
    amounts = money_amounts(cell)
    if len(amounts) != 1:
        raise LayoutChanged(f"xai: {name}: cell {cell!r} does not hold one price")
    return amounts[0]


def _media(ex: Emitter, model_id: str, cell: str) -> None:
    low = cell.lower()
    if "/ image" in low:
        _add(ex, model_id, model_id, "output_image", "per_image", _amount(model_id, cell), "Cost")
    elif re.search(r"/ sec(ond)?\b", low):
        _add(ex, model_id, model_id, "output_video", "per_second", _amount(model_id, cell), "Cost")
    else:
        raise LayoutChanged(f"xai: media price {cell!r} for {model_id}")


def _voice(ex: Emitter, mode: str, cell: str) -> None:
    low = mode.lower()
    if low == "realtime":
        # "$0.05 / min ($3.00 / hr)": the per-minute price is the rate, the hourly one restates it
        _add(ex, "Voice API realtime", None, "usage", "per_minute", money_amounts(cell)[0], "Cost")
    elif low == "text to speech" and "1m characters" in cell.lower():
        _add(ex, "Voice API text to speech", None, "input", "per_1m_characters", _amount(mode, cell), "Cost")
    elif low == "speech to text":
        for m in re.finditer(r"\$(\d+(?:\.\d+)?)\s*/\s*hr\s*\(([^)]+)\)", cell):
            _add(
                ex,
                "Voice API speech to text",
                None,
                "input_audio",
                "per_hour",
                Decimal(m.group(1)),
                "Cost",
                variant=m.group(2).lower(),
            )
    else:
        raise LayoutChanged(f"xai: voice price {mode!r}: {cell!r}")


def _resource(ex: Emitter, item: str, cell: str) -> None:
    low = cell.lower()
    if is_free(cell):
        return  # a free resource: no price, the row stays unpriced
    if "1k requests" in low:
        _add(ex, item, None, _tool_key(item), "per_1k_requests", _amount(item, cell), "Price")
    elif "/ gib / day" in low:
        key = "vector_store" if "collection" in item.lower() else "file_search_storage"
        _add(ex, item, None, key, "per_gb_day", _amount(item, cell), "Rate")
    elif "gib downloaded" in low:
        _add(ex, item, None, "usage", "per_unit", _amount(item, cell), "Rate", variant="per GiB downloaded")
    else:
        raise LayoutChanged(f"xai: resource price {item!r}: {cell!r}")


def _flattened(ex: Emitter, text: str) -> None:
    """One cell per line: model id, [region], context, rate limits, price; tools as name/price pairs.

    Every cell-like line (not a prose sentence) holding an amount is a row of the audit."""
    lines = [clean_cell(ln) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    section = ""
    model = None
    region = ""
    for i, line in enumerate(lines):
        ex.row(f"line {i + 1}: {lines[i - 1] if i else ''} {line}", line if len(line) < 100 else "")
        if line in ("Language models", "Image generation models"):
            section, model = line, None
        elif section and _MODEL_ID.match(line):
            model, region = line, ""
        elif model and _REGION.match(line):
            region = line
        elif model and _glued_amounts(line):
            _glued(ex, model, line, section, region)
            model = None
        elif line.startswith("Grok 4 Information") or line.startswith("## "):
            section = ""
        elif section or not i:
            continue
        elif re.fullmatch(r"\$\d+(?:\.\d+)?", line) and re.search(r"search|code execution", lines[i - 1], re.I):
            if len(lines[i - 1]) < 40:
                price = Decimal(line[1:])
                _add(ex, lines[i - 1], None, _tool_key(lines[i - 1]), "per_1k_requests", price, "Cost per 1,000 calls")
        elif re.fullmatch(r"\$\d+(?:\.\d+)?/1k requests", line):
            price = money_amounts(line)[0]
            _add(ex, lines[i - 1], None, _tool_key(lines[i - 1]), "per_1k_requests", price, "Price")
