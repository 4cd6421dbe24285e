"""OpenAI price grids and tool prices, shared by the HTML, island, markdown and card readers of ``openai``.

A grid is a header row plus row texts, whatever the page format: the readers only find the tables, the tier
and the section; column labels ("Cached input", "Long context / Output", "Price per second", "1024 x 1536")
mean what the shared vocabulary says, so every format agrees on every key.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.price_text import is_blank, is_free, money_amounts
from aiprices.crawler.vocabulary import meaning, resolve, with_medium

VENDOR = "openai"
LONG_CONTEXT = 272_000  # the page's "<272K context length" threshold for long-context prices
TIER_WORDS = {"standard": "standard", "batch": "batch", "flex": "flex", "priority": "priority", "fast": "priority"}
_API_ID = re.compile(r"^[a-z0-9][a-z0-9.\-:]*$")
_DATA_SHARING = " with data sharing"
# Row-name notes that are not part of the model's name: the band a row prices, a "Legacy" badge.
_NAME_NOTE = re.compile(r"\s*\(<\s*\d+K context length\)$|\s+Legacy$")
# Column headers that are not prices (read as row attributes or ignored).
_ATTRS = {"model", "modality", "category", "size", "portrait", "landscape", "use case", "quality", "tool", "details"}


def model_id(name: str) -> str | None:
    """The API id when the page shows one (``gpt-5.4-mini``); None for display names ("GPT Image 1")."""
    return name if _API_ID.match(name) else None


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


def _row_variant(cells: dict[str, str], headers: list[str], fine_tuned: bool) -> str:
    variant = " ".join(cells[k] for k in headers if k.startswith(("size", "quality")) and cells.get(k))
    return (variant + " fine-tuned").strip() if fine_tuned else variant


def _is_price_column(label: str) -> bool:
    base = label.split(" / ")[-1].strip()
    return not (base in _ATTRS or label in _ATTRS or label.startswith("size"))


def read_grid(header: list[str], rows: list[list[str]], tier: str, em: Emitter, where: str, fine_tuned=False) -> None:
    """One price table given as header labels and row texts (shared by every format)."""
    hl = [h.strip().lower() for h in header]
    fine_tuned = fine_tuned or "training" in hl  # fine-tuning tables price the tuned model's usage
    for row in rows:
        cells = dict(zip(hl, row, strict=False))
        name = _NAME_NOTE.sub("", cells.get("model") or "")
        if not name:  # a table without a model column (a usage meter): audited, not read
            em.row(f"{where}: {row[0] if row else ''}", *row[1:])
            continue
        modality = (cells.get("modality") or "").lower()
        variant = _row_variant(cells, hl, fine_tuned)
        if name.endswith(_DATA_SHARING):  # "o4-mini-2025-04-16 with data sharing": a discounted variant
            name, variant = name.removesuffix(_DATA_SHARING), f"{variant} with data sharing".strip()
        priced = [c for c, h in enumerate(hl) if c < len(row) and _is_price_column(h) and not is_blank(row[c])]
        em.row(f"{where} [{tier}] {' '.join(filter(None, (name, modality, variant)))}", *(row[c] for c in priced))
        for c in priced:
            _cell(em, name, header[c], row[c], modality, tier, variant, where)


def _cell(em: Emitter, name: str, label: str, text: str, modality: str, tier: str, variant: str, where: str) -> None:
    amounts = money_amounts(text) or ([Decimal(0)] if is_free(text) else [])  # "Free" (moderation) is 0
    if not amounts:
        return
    found = meaning(label, VENDOR)
    if found is None:
        em.out.unmapped_columns.append(f"{where}: {label}")
        return
    if len(amounts) != 1:
        return  # several amounts in one cell: the row stays unpriced in the audit
    unit = unit_from_cell(text, found.unit)
    key = with_medium(found.key, modality)
    if key == "input" and unit == "per_minute":
        key = "input_audio"  # "Whisper | Transcription | $0.006 / minute"
    if found.unit == "per_image":  # a size column ("1024 x 1536") is part of the variant
        variant = f"{variant} {label.strip()}".strip()
    row_tier, context = resolve(found, tier, LONG_CONTEXT)
    em.add(name, key, unit, amounts[0], label, model=model_id(name), tier=row_tier, context=context, variant=variant)


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


def read_tool(tool: str, details: str, text: str, em: Emitter, where: str = "Tools") -> None:
    """One row of a tools table: ``tool`` and ``details`` name it, ``text`` holds the price and its unit."""
    tool, details = _FOOTNOTE.sub("", tool).strip(), _FOOTNOTE.sub("", details).strip()
    em.row(f"{where}: {' / '.join(filter(None, (tool, details)))}", text)
    name = f"{tool} {details}".lower()
    containers = _CONTAINER.findall(text)
    if len(containers) > 1 and "session" in text.lower():
        for size, amount in containers:  # "1 GB $0.03, 4 GB $0.12, ... per 20-minute session per container"
            name = _TOOL_NAMES["code_interpreter"]
            em.add(name, "code_interpreter", "per_session", Decimal(amount), tool, variant=f"{size} container")
        return
    amounts, spec = money_amounts(text), _tool_spec(name, text)
    if spec is None or not amounts:
        return  # e.g. ChatKit upload storage per account: the row stays unpriced in the audit
    key, unit = spec
    variant = (details or tool) if key == "search" else ""  # web-search versions differ in price
    em.add(_TOOL_NAMES[key], key, unit, amounts[0], tool, variant=variant)
