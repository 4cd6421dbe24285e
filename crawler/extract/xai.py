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

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.markdown import MdTable, clean_cell, parse_tables
from aiprices.crawler.parsers.price_text import money_amounts

VENDOR = "xai"
TOKENS = "per_1m_tokens"
_MODEL_ID = re.compile(r"^grok-[a-z0-9.-]+$")
_REGION = re.compile(r"^[a-z]{2}-[a-z]+-\d$")
_GLUED = re.compile(r"^\$(\d+(?:\.\d+)?)(?:\$(\d+(?:\.\d+)?))?$")
_LIVE_SEARCH = re.compile(r"Live Search costs \$(\d+(?:\.\d+)?) per 1,000 sources", re.I)
_NOT_PRICES = {
    "model",
    "modalities",
    "capabilities",
    "context",
    "rate limits",
    "description",
    "tool name",
    "",
}


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
    if challenge_marker(body):
        raise PageBlocked(f"xai: bot challenge at {url}")
    text = body.decode("utf-8", "replace")
    ex = Extraction()
    tables = parse_tables(text)
    model_tables = [
        t
        for t in tables
        if t.header and t.header[0] == "Model" and ("Pricing" in t.header or "Input" in t.header)
    ]
    if model_tables:
        for t in tables:
            _table(ex, t)
    else:
        _flattened(ex, text)
    if not any(it["unit"] == TOKENS for it in ex.items):
        raise LayoutChanged(f"xai: no model price table at {url}")
    if m := _LIVE_SEARCH.search(text):
        _add(ex, "Live Search", None, "search", "per_1k_requests", Decimal(m.group(1)), "Live Search sources")
    return ex


def _add(
    ex: Extraction,
    name: str,
    model: str | None,
    key: str,
    unit: str,
    price: Decimal,
    field: str,
    variant: str = "",
    region: str = "",
) -> None:
    ex.items.append(
        page_price(
            vendor=VENDOR,
            model_name=name,
            model=model,
            price_key=key,
            unit=unit,
            price=price,
            source_field=field,
            variant=variant,
            region=region,
        )
    )


def _glued(ex: Extraction, model_id: str, cell: str, section: str, region: str = "") -> None:
    """'$0.20$0.50' under language models (input, output) or '$0.07' under image models."""
    m = _GLUED.match(cell.replace(" ", ""))
    if not m:
        raise LayoutChanged(f"xai: price cell {cell!r} for {model_id}")
    if "image" in section.lower():
        if m.group(2):
            raise LayoutChanged(f"xai: two prices for image model {model_id}: {cell!r}")
        _add(
            ex, model_id, model_id, "output_image", "per_image", Decimal(m.group(1)), "Pricing", region=region
        )
        return
    if not m.group(2):
        raise LayoutChanged(f"xai: language model {model_id} without an output price: {cell!r}")
    _add(ex, model_id, model_id, "input", TOKENS, Decimal(m.group(1)), "Pricing", region=region)
    _add(ex, model_id, model_id, "output", TOKENS, Decimal(m.group(2)), "Pricing", region=region)


def _table(ex: Extraction, t: MdTable) -> None:
    header = [h.lower() for h in t.header]
    if header[0] == "model" and "pricing" in header:
        col = header.index("pricing")
        section = ""
        for row in t.rows:
            if row and row[0] and not _MODEL_ID.match(row[0]):
                section = row[0]
                continue
            if row and row[0] and col < len(row):
                _glued(ex, row[0], row[col], section)
        return
    if header[0] == "model" and "input" in header and "output" in header:
        for row in t.records():
            for key in ("input", "output"):
                price = _amount(row["Model"], row[key.capitalize()])
                _add(ex, row["Model"], row["Model"], key, TOKENS, price, key.capitalize())
        return
    if header[:2] == ["model", "cost"]:
        for row in t.records():
            _media(ex, row["Model"], row["Cost"])
        return
    if header[:2] == ["mode", "cost"]:
        for row in t.records():
            _voice(ex, row["Mode"], row["Cost"])
        return
    cost_col = next((i for i, h in enumerate(header) if "1k calls" in h or "1,000 calls" in h), None)
    if header[0] == "tool" and cost_col is not None:
        for row in t.rows:
            if money_amounts(row[cost_col]):
                key = _tool_key(row[0])
                _add(
                    ex,
                    row[0],
                    None,
                    key,
                    "per_1k_requests",
                    _amount(row[0], row[cost_col]),
                    t.header[cost_col],
                )
        return
    if header in (["item", "price"], ["resource", "rate"]):
        for row in t.rows:
            _resource(ex, row[0], row[1])
        return
    for h, col in zip(t.header, zip(*t.rows, strict=False), strict=False):
        if h.lower() not in _NOT_PRICES and any("$" in c for c in col):
            ex.unmapped_columns.append(f"{t.heading}: {h}")


def _amount(name: str, cell: str) -> Decimal:
    amounts = money_amounts(cell)
    if len(amounts) != 1:
        raise LayoutChanged(f"xai: {name}: cell {cell!r} does not hold one price")
    return amounts[0]


def _media(ex: Extraction, model_id: str, cell: str) -> None:
    low = cell.lower()
    if "/ image" in low:
        _add(ex, model_id, model_id, "output_image", "per_image", _amount(model_id, cell), "Cost")
    elif re.search(r"/ sec(ond)?\b", low):
        _add(ex, model_id, model_id, "output_video", "per_second", _amount(model_id, cell), "Cost")
    else:
        raise LayoutChanged(f"xai: media price {cell!r} for {model_id}")


def _voice(ex: Extraction, mode: str, cell: str) -> None:
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


def _resource(ex: Extraction, item: str, cell: str) -> None:
    low = cell.lower()
    if is_free_text(low):
        return
    if "1k requests" in low:
        _add(ex, item, None, _tool_key(item), "per_1k_requests", _amount(item, cell), "Price")
    elif "/ gib / day" in low:
        key = "vector_store" if "collection" in item.lower() else "file_search_storage"
        _add(ex, item, None, key, "per_gb_day", _amount(item, cell), "Rate")
    elif "gib downloaded" in low:
        _add(ex, item, None, "usage", "per_unit", _amount(item, cell), "Rate", variant="per GiB downloaded")
    else:
        raise LayoutChanged(f"xai: resource price {item!r}: {cell!r}")


def is_free_text(low: str) -> bool:
    return low.strip() == "free"


def _flattened(ex: Extraction, text: str) -> None:
    """One cell per line: model id, [region], context, rate limits, price; tools as name/price pairs."""
    lines = [clean_cell(ln) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    section = ""
    model = None
    region = ""
    for i, line in enumerate(lines):
        if line in ("Language models", "Image generation models"):
            section, model = line, None
        elif section and _MODEL_ID.match(line):
            model, region = line, ""
        elif model and _REGION.match(line):
            region = line
        elif model and _GLUED.match(line):
            _glued(ex, model, line, section, region)
            model = None
        elif line.startswith("Grok 4 Information") or line.startswith("## "):
            section = ""
        if i + 1 < len(lines) and re.fullmatch(r"\$\d+(?:\.\d+)?", lines[i + 1]) and not section:
            name = line
            if re.search(r"search|code execution", name, re.I) and len(name) < 40:
                _add(
                    ex,
                    name,
                    None,
                    _tool_key(name),
                    "per_1k_requests",
                    Decimal(lines[i + 1][1:]),
                    "Cost per 1,000 calls",
                )
        if not section and re.fullmatch(r"\$\d+(?:\.\d+)?/1k requests", line) and i > 0:
            _add(
                ex,
                lines[i - 1],
                None,
                _tool_key(lines[i - 1]),
                "per_1k_requests",
                money_amounts(line)[0],
                "Price",
            )
