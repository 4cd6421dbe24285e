"""OpenAI API pricing: developers.openai.com HTML (Astro), Jina markdown renders of the platform page.

Formats, chosen by ``kind`` and by sniffing:

* HTML (``html``): server-rendered ``<table>``s. The service tier is the ``data-content-switcher-pane``
  the table sits in (standard / batch / flex / priority, "Fast mode" is priority); two-row headers
  "Short context / Long context" give long-context rows (``context_min_tokens=272000``, the page's
  "<272K context length" threshold). Only the rows the page renders are read: the collapsed
  "All models" rows exist only in the ``astro-island`` props JSON, which this module does not read yet.
* markdown renders (``jina.md``): pipe tables under ``### Section`` headings; a bare line "Batch",
  "Flex", "Standard" or "Priority" before a table sets its tier (the first text table is Batch!).
* a Cloudflare challenge body raises ``PageBlocked``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.html_tables import Table, parse_document, parse_tables
from aiprices.crawler.parsers.price_text import is_blank, money_amounts

VENDOR = "openai"
LONG_CONTEXT = 272_000
_TIER_WORDS = {
    "standard": "standard",
    "batch": "batch",
    "flex": "flex",
    "priority": "priority",
    "fast": "priority",
}
_API_ID = re.compile(r"^[a-z0-9][a-z0-9.\-:]*$")
# Column headers that are not prices (read as row attributes or ignored).
_ATTRS = {
    "model",
    "modality",
    "category",
    "size",
    "portrait",
    "landscape",
    "use case",
    "quality",
    "tool",
    "details",
}


def _model_id(name: str) -> str | None:
    return name if _API_ID.match(name) else None


def _column_key(header: str, modality: str) -> tuple[str, str] | None:
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
    if h in ("output", "output / cost"):
        return f"output{suffix}", "per_1m_tokens"
    if h == "batch cost":
        return "input", "per_1m_tokens"
    if h == "price per second":
        return "output_video", "per_second"
    if h == "training":
        return "training", "per_1m_tokens"
    if h == "estimated cost":
        return "input_audio", "per_minute"
    return None


def _unit_from_cell(text: str, unit: str) -> str:
    t = text.lower()
    if "/ hour" in t or "per hour" in t:
        return "per_hour"
    if "/ minute" in t or "per minute" in t:
        return "per_minute"
    return unit


class _Rows:
    def __init__(self, out: Extraction) -> None:
        self.out = out
        self.seen: dict[tuple, Decimal] = {}

    def add(self, name: str, key: str, unit: str, price: Decimal, field: str, **kw) -> None:
        ident = (
            name,
            key,
            unit,
            kw.get("service_tier"),
            kw.get("context_min_tokens", 0),
            kw.get("variant", ""),
        )
        if ident in self.seen:
            if self.seen[ident] != price:
                self.out.warnings.append(f"{name} {key}: {price} vs {self.seen[ident]}; kept first")
            return
        self.seen[ident] = price
        self.out.items.append(
            page_price(
                vendor=VENDOR,
                model_name=name,
                model=_model_id(name),
                price_key=key,
                unit=unit,
                price=price,
                source_field=field,
                **kw,
            )
        )


def _read_grid(
    header: list[str], rows: list[list[str]], tier: str, rows_out: _Rows, where: str, fine_tuned: bool = False
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
        variant = " ".join(cells[k] for k in hl if k.startswith(("size", "quality")) and cells.get(k))
        if fine_tuned:
            variant = (variant + " fine-tuned").strip()
        for c, h in enumerate(hl):
            base = h.split(" / ")[-1].strip()
            if c >= len(row) or base in _ATTRS or h in _ATTRS or h.startswith("size") or is_blank(row[c]):
                continue
            amounts = money_amounts(row[c])
            if not amounts:
                continue
            ku = _column_key(h, modality)
            if ku is None:
                rows_out.out.unmapped_columns.append(f"{where}: {header[c]}")
                continue
            if len(amounts) != 1:
                rows_out.out.warnings.append(f"{name} {header[c]}: several amounts {row[c]!r}; not read")
                continue
            key, unit = ku
            col_tier = "batch" if h == "batch cost" else tier
            rows_out.add(
                name,
                key,
                _unit_from_cell(row[c], unit),
                amounts[0],
                header[c],
                service_tier=col_tier,
                context_min_tokens=LONG_CONTEXT if h.startswith("long context") else 0,
                variant=variant,
            )


def _pane_tier(table: Table) -> str:
    node = table.el.getparent()
    while node is not None:
        if node.get("data-content-switcher-pane") is not None:
            return _TIER_WORDS.get((node.get("data-value") or "").lower(), "standard")
        node = node.getparent()
    return "standard"


_TOOLS = {
    ("web search", "calls"): ("search", "per_1k_requests"),
    ("file search", "calls"): ("file_search", "per_1k_requests"),
    ("file search", "gb per day"): ("file_search_storage", "per_gb_day"),
}


def _tools_table(table: Table, rows_out: _Rows) -> None:
    for row in table.body():
        tool, details, text = (c.text for c in row[:3])
        t = text.lower()
        amounts = money_amounts(text)
        unit_word = "calls" if "/ 1k calls" in t else "gb per day" if "/ gb per day" in t else ""
        spec = _TOOLS.get((tool.lower(), unit_word))
        if spec is None or not amounts:
            rows_out.out.warnings.append(f"tool price not read: {tool} / {details}: {text[:60]!r}")
            continue
        rows_out.add(tool, spec[0], spec[1], amounts[0], "Pricing", service_tier="standard", variant=details)


def _from_html(body: bytes, out: Extraction) -> None:
    rows_out = _Rows(out)
    for table in parse_tables(parse_document(body)):
        header = [h for h in table.header()]
        if [h.lower() for h in header[:3]] == ["tool", "details", "pricing"]:
            _tools_table(table, rows_out)
            continue
        rows = [[c.text for c in r] for r in table.body()]
        _read_grid(header, rows, _pane_tier(table), rows_out, table.heading or "table")


# --- markdown renders -------------------------------------------------------------------------------


def _md_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def _md_tables(text: str) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(section heading, tier label line, header, rows) for every pipe table. Minimal on purpose:
    OpenAI's renders have no escaped pipes or multi-line cells."""
    out = []
    section = tier_line = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            tier_line = ""
        elif (
            line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|?\s*:?-{3,}", lines[i + 1].strip())
        ):
            header = _md_cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_md_cells(lines[i]))
                i += 1
            out.append((section, tier_line, header, rows))
            continue
        elif line:
            tier_line = line
        i += 1
    return out


_MD_IGNORED_SECTIONS = ("agentkit", "built-in tools", "other models", "image generation")


def _from_markdown(text: str, out: Extraction) -> None:
    rows_out = _Rows(out)
    for section, tier_line, header, rows in _md_tables(text):
        tier = _TIER_WORDS.get(tier_line.strip().lower(), "standard")
        if section.lower() in _MD_IGNORED_SECTIONS:
            out.warnings.append(f"section {section!r} not read (tool/usage prices, not per-model tables)")
            continue
        if section.lower() == "image tokens" or section.lower() == "audio tokens":
            modality = "image" if section.lower() == "image tokens" else "audio"
            header = ["Model", "Modality"] + header[1:]
            rows = [[r[0], modality] + r[1:] for r in rows]
        _read_grid(header, rows, tier, rows_out, section, fine_tuned="fine-tuning" in section.lower())


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every price the page shows in its tables (see the module docstring for what is not read)."""
    marker = challenge_marker(body)
    if marker:
        raise PageBlocked(f"openai: bot challenge page ({marker})")
    out = Extraction()
    text_head = body[:2048].lstrip().lower()
    if kind.endswith("md") or not text_head.startswith((b"<", b"<!doctype")):
        if kind == "api-pricing.md":
            raise LayoutChanged("openai: marketing card layout (api-pricing.md) is not supported yet")
        _from_markdown(body.decode("utf-8", "replace"), out)
    else:
        _from_html(body, out)
    if not out.items:
        raise LayoutChanged("openai: no recognisable price table")
    return out
