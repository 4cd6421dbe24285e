"""OpenAI price grids and tool prices, shared by the HTML, markdown and card readers of ``openai``.

A grid is a header row plus row texts, whatever the page format: the readers only find the tables, the
tier and the section; this module maps OpenAI's column names ("Cached input", "Long context / Output",
"Price per second", "1024 x 1536") to price keys and units, so the three formats agree on every key.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, page_price
from aiprices.crawler.parsers.price_text import is_blank, money_amounts

VENDOR = "openai"
LONG_CONTEXT = 272_000  # the page's "<272K context length" threshold for long-context prices
TIER_WORDS = {"standard": "standard", "batch": "batch", "flex": "flex", "priority": "priority", "fast": "priority"}
_API_ID = re.compile(r"^[a-z0-9][a-z0-9.\-:]*$")
_DATA_SHARING = " with data sharing"
_IMAGE_SIZE = re.compile(r"^\d+\s*x\s*\d+$")
# Column headers that are not prices (read as row attributes or ignored).
_ATTRS = {"model", "modality", "category", "size", "portrait", "landscape", "use case", "quality", "tool", "details"}


def model_id(name: str) -> str | None:
    """The API id when the page shows one (``gpt-5.4-mini``); None for display names ("GPT Image 1")."""
    return name if _API_ID.match(name) else None


def column_key(header: str, modality: str) -> tuple[str, str] | None:
    """Column header (lower-case) -> (price_key, unit); modality ("audio", "image", "text") refines it."""
    if header in ("output / cost", "output/cost"):
        header = "output"
    h = header.split(" / ")[-1].strip()
    suffix = {"audio": "_audio", "image": "_image"}.get(modality, "")
    if h in ("input", "cost"):
        return f"input{suffix}", "per_1m_tokens"
    if h in ("cached input", "cached_input"):
        return ("cache_read" + suffix if suffix else "cache_read"), "per_1m_tokens"
    if h in ("cache writes", "cache write"):
        return "cache_write", "per_1m_tokens"
    if h == "output":
        return f"output{suffix}", "per_1m_tokens"
    if h == "batch cost":
        return "input", "per_1m_tokens"
    if h == "price per second":
        return "output_video", "per_second"
    if h == "training":
        return "training", "per_1m_tokens"
    if h == "estimated cost":
        return "input_audio", "per_minute"
    if _IMAGE_SIZE.match(h):
        return "output_image", "per_image"
    return None


def unit_from_cell(text: str, unit: str) -> str:
    """A cell may restate its unit ("$0.006 / minute", "$15.00 / 1M characters"): the cell wins."""
    t = text.lower()
    if "/ hour" in t or "per hour" in t:
        return "per_hour"
    if "/ minute" in t or "per minute" in t:
        return "per_minute"
    if "1m characters" in t:
        return "per_1m_characters"
    return unit


class PriceRows:
    """Collects page prices, keeping the first of two identical identities (cards are rendered twice)."""

    def __init__(self, out: Extraction) -> None:
        self.out = out
        self.seen: dict[tuple, Decimal] = {}

    def add(self, name: str, key: str, unit: str, price: Decimal, field: str, model: str | None = None, **kw) -> None:
        ident = (name, key, unit, kw.get("service_tier"), kw.get("context_min_tokens", 0), kw.get("variant", ""))
        if ident in self.seen:
            if self.seen[ident] != price:
                self.out.warnings.append(f"{name} {key}: {price} vs {self.seen[ident]}; kept first")
            return
        self.seen[ident] = price
        self.out.items.append(
            page_price(
                vendor=VENDOR,
                model_name=name,
                model=model if model is not None else model_id(name),
                price_key=key,
                unit=unit,
                price=price,
                source_field=field,
                **kw,
            )
        )


def _row_variant(cells: dict[str, str], headers: list[str], fine_tuned: bool) -> str:
    variant = " ".join(cells[k] for k in headers if k.startswith(("size", "quality")) and cells.get(k))
    return (variant + " fine-tuned").strip() if fine_tuned else variant


def read_grid(
    header: list[str], rows: list[list[str]], tier: str, rows_out: PriceRows, where: str, fine_tuned: bool = False
) -> None:
    """One price table given as header labels and row texts (shared by HTML and markdown)."""
    hl = [h.strip().lower() for h in header]
    fine_tuned = fine_tuned or "training" in hl  # fine-tuning tables price the tuned model's usage
    for row in rows:
        cells = dict(zip(hl, row, strict=False))
        name = cells.get("model") or ""
        if not name:
            continue
        modality = (cells.get("modality") or "").lower()
        variant = _row_variant(cells, hl, fine_tuned)
        if name.endswith(_DATA_SHARING):  # "o4-mini-2025-04-16 with data sharing": a discounted variant
            name, variant = name.removesuffix(_DATA_SHARING), f"{variant} with data sharing".strip()
        for c, h in enumerate(hl):
            base = h.split(" / ")[-1].strip()
            if c >= len(row) or base in _ATTRS or h in _ATTRS or h.startswith("size") or is_blank(row[c]):
                continue
            amounts = money_amounts(row[c])
            if not amounts:
                continue
            ku = column_key(h, modality)
            if ku is None:
                rows_out.out.unmapped_columns.append(f"{where}: {header[c]}")
                continue
            if len(amounts) != 1:
                rows_out.out.warnings.append(f"{name} {header[c]}: several amounts {row[c]!r}; not read")
                continue
            key, unit = ku
            unit = unit_from_cell(row[c], unit)
            if key == "input" and unit == "per_minute":
                key = "input_audio"  # "Whisper | Transcription | $0.006 / minute"
            col_variant = f"{variant} {base}".strip() if _IMAGE_SIZE.match(base) else variant
            rows_out.add(
                name,
                key,
                unit,
                amounts[0],
                header[c],
                service_tier="batch" if h == "batch cost" else tier,
                context_min_tokens=LONG_CONTEXT if h.startswith("long context") else 0,
                variant=col_variant,
            )


# --- built-in tools ---------------------------------------------------------------------------------------

_TOOL_NAMES = {
    "search": "Web search",
    "file_search": "File search",
    "file_search_storage": "File search",
    "code_interpreter": "Code Interpreter",
}
_CONTAINER = re.compile(r"(\d+\s?GB)\s+\$(\d+(?:\.\d+)?)")
_FOOTNOTE = re.compile(r"\s*\[\d+\]$")


def _tool_spec(name: str, text: str) -> tuple[str, str] | None:
    """(price_key, unit) of one tool price from the tool's name and the price text's unit words."""
    t = text.lower()
    if "file search" in name and "gb" in t and "per day" in t:
        return "file_search_storage", "per_gb_day"
    if re.search(r"/ 1k (?:tool )?calls", t):
        if "web search" in name:
            return "search", "per_1k_requests"
        if "file search" in name or name.startswith("tool call"):
            return "file_search", "per_1k_requests"
    if ("/ container" in t or "/ session" in t) and ("code interpreter" in name or "container" in name):
        return "code_interpreter", "per_session"
    return None


def read_tool(tool: str, details: str, text: str, rows_out: PriceRows) -> None:
    """One row of a tools table: ``tool`` and ``details`` name it, ``text`` holds the price and its unit."""
    tool, details = _FOOTNOTE.sub("", tool).strip(), _FOOTNOTE.sub("", details).strip()
    name = f"{tool} {details}".lower()
    containers = _CONTAINER.findall(text)
    if len(containers) > 1 and "session" in text.lower():
        for size, amount in containers:  # "1 GB $0.03, 4 GB $0.12, ... per 20-minute session per container"
            rows_out.add(
                _TOOL_NAMES["code_interpreter"],
                "code_interpreter",
                "per_session",
                Decimal(amount),
                tool,
                service_tier="standard",
                variant=f"{size} container",
            )
        return
    amounts = money_amounts(text)
    spec = _tool_spec(name, text)
    if spec is None or not amounts:
        rows_out.out.warnings.append(f"tool price not read: {tool} / {details}: {text[:60]!r}")
        return
    key, unit = spec
    variant = (details or tool) if key == "search" else ""  # web-search versions differ in price
    rows_out.add(_TOOL_NAMES[key], key, unit, amounts[0], tool, service_tier="standard", variant=variant)
