"""OpenAI API pricing: developers.openai.com HTML (Astro), markdown renders, the openai.com card page.

Formats, chosen by ``kind`` and by sniffing:

* HTML (``html``): server-rendered ``<table>``s. The service tier is the ``data-content-switcher-pane``
  the table sits in (standard / batch / flex / priority, "Fast mode" is priority); two-row headers
  "Short context / Long context" give long-context rows (``context_min_tokens=272000``, the page's
  "<272K context length" threshold). Only the rows the page renders are read: the collapsed
  "All models" rows exist only in the ``astro-island`` props JSON, which this module does not read yet.
* markdown renders (``jina.md``): pipe tables under ``### Section`` headings. A bare line "Batch",
  "Flex", "Standard" or "Priority" between the section heading and a table sets its tier (the first
  text table of 2025-10-15 is Batch!). Renders of merged cells are undone here: a group row
  ``| | Short context | Long context |`` above the real header, rows that omit their leading rowspan cells
  (``| Text | $4.00 | ...`` under ``gpt-realtime-2``), and header rows repeated inside a table.
* the openai.com marketing page (``api-pricing.md``): price cards, see ``openai_cards``.
* a Cloudflare challenge body raises ``PageBlocked``.

Column names map to price keys in ``openai_tables``, shared by all formats.
"""

from __future__ import annotations

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, openai_cards
from aiprices.crawler.extract.openai_tables import TIER_WORDS, PriceRows, read_grid, read_tool
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.html_tables import Table, parse_document, parse_tables
from aiprices.crawler.parsers.markdown import MdTable
from aiprices.crawler.parsers.markdown import parse_tables as parse_md_tables

_MD_IGNORED_SECTIONS = ("agentkit",)


def _pane_tier(table: Table) -> str:
    node = table.el.getparent()
    while node is not None:
        if node.get("data-content-switcher-pane") is not None:
            return TIER_WORDS.get((node.get("data-value") or "").lower(), "standard")
        node = node.getparent()
    return "standard"


def _from_html(body: bytes, out: Extraction) -> None:
    rows_out = PriceRows(out)
    for table in parse_tables(parse_document(body)):
        header = list(table.header())
        rows = [[c.text for c in r] for r in table.body()]
        if [h.lower() for h in header[:3]] == ["tool", "details", "pricing"]:
            for row in rows:
                read_tool(row[0], row[1], row[2], rows_out)
            continue
        read_grid(header, rows, _pane_tier(table), rows_out, table.heading or "table")


# --- markdown renders -------------------------------------------------------------------------------


def _gap_tier(gap: list[str]) -> str:
    """The tier a table is in: the last bare tier word since the previous table or heading."""
    tier = "standard"
    for line in gap:
        text = line.strip()
        if text.startswith("#"):
            tier = "standard"
        elif text.lower() in TIER_WORDS:
            tier = TIER_WORDS[text.lower()]
    return tier


def _expand_groups(groups: list[str], sub: list[str]) -> list[str]:
    """``| | Short context | Long context |`` over ``| Model | Input | ... |`` -> "Long context / Input"."""
    labels = [g for g in groups[1:] if g]
    if not labels or (len(sub) - 1) % len(labels):
        raise LayoutChanged(f"openai: group header {groups} does not divide the columns {sub}")
    span = (len(sub) - 1) // len(labels)
    return [sub[0]] + [f"{labels[i // span]} / {sub[1 + i]}" for i in range(len(sub) - 1)]


def _md_grids(t: MdTable, out: Extraction) -> list[tuple[list[str], list[list[str]]]]:
    """(header, rows) grids of one pipe table with merged cells restored."""
    header, rows = t.header, t.rows
    if header and not header[0] and rows and len(rows[0]) > len(header) and rows[0][0].lower() == "model":
        header, rows = _expand_groups(header, rows[0]), rows[1:]
    grids: list[tuple[list[str], list[list[str]]]] = [(header, [])]
    prev: list[str] | None = None
    for row in rows:
        if not any(row):
            continue
        if row[0].lower() == header[0].lower() and len(row) == len(header):
            grids.append((row, []))  # a header row repeated inside the table (2025-10-15 image sizes)
            prev = None
            continue
        missing = len(grids[-1][0]) - len(row)
        if missing > 0:
            if prev is None:
                out.warnings.append(f"{t.heading}: row {row} lacks {missing} leading cells; not read")
                continue
            row = prev[:missing] + row  # the render dropped the cells a rowspan covered
        grids[-1][1].append(row)
        prev = row
    return grids


def _from_markdown(text: str, out: Extraction) -> None:
    rows_out = PriceRows(out)
    lines = text.splitlines()
    prev_end = 0
    for t in parse_md_tables(text):
        tier = _gap_tier(lines[prev_end : t.line - 1])
        prev_end = t.line + 1 + len(t.rows)
        section = t.heading
        if section.lower() in _MD_IGNORED_SECTIONS:
            out.warnings.append(f"section {section!r} not read (account storage meter, not a model price)")
            continue
        for header, rows in _md_grids(t, out):
            if header[0].lower() == "tool":
                for row in rows:
                    read_tool(row[0], row[1] if len(row) > 2 else "", row[-1], rows_out)
                continue
            if section.lower() in ("image tokens", "audio tokens"):
                modality = section.lower().split()[0]
                header, rows = ["Model", "Modality"] + header[1:], [[r[0], modality] + r[1:] for r in rows]
            read_grid(header, rows, tier, rows_out, section, fine_tuned="fine-tuning" in section.lower())


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every price the page shows in its tables (see the module docstring for what is not read)."""
    marker = challenge_marker(body)
    if marker:
        raise PageBlocked(f"openai: bot challenge page ({marker})")
    out = Extraction()
    text_head = body[:2048].lstrip().lower()
    if kind.endswith("md") or not text_head.startswith((b"<", b"<!doctype")):
        text = body.decode("utf-8", "replace")
        if kind == "api-pricing.md" or openai_cards.looks_like_cards(text):
            openai_cards.read_cards(text, PriceRows(out))
        else:
            _from_markdown(text, out)
    else:
        _from_html(body, out)
    if not out.items:
        raise LayoutChanged("openai: no recognisable price table")
    return out
