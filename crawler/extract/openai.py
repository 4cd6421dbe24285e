"""OpenAI API pricing: developers.openai.com HTML (Astro), markdown renders, the openai.com card page.

Formats, chosen by ``kind`` and by sniffing:

* HTML (``html``): the server-rendered ``<table>``s AND the ``astro-island`` props they hydrate from. A
  table collapsed behind its "All models" button renders only its first rows; its props carry every row
  (``TextTokenPricingTables`` rows have no header: five values are input / cached input / cache writes /
  output, four lack cache writes). Only the rendered table has the long-context columns of its first rows,
  so both are read and repeats are dropped by the emitter. The service tier is the island's ``tier`` or the
  ``data-content-switcher-pane`` it sits in ("fast" is priority); "Long context" columns are long-context
  prices (``context_min_tokens=272000``, the page's "<272K context length" threshold).
* markdown renders (``jina.md``): pipe tables under ``### Section`` headings. A bare line "Batch",
  "Flex", "Standard" or "Priority" between the section heading and a table sets its tier (the first
  text table of 2025-10-15 is Batch!). Renders of merged cells are undone here: a group row
  ``| | Short context | Long context |`` above the real header, rows that omit their leading rowspan cells
  (``| Text | $4.00 | ...`` under ``gpt-realtime-2``), and header rows repeated inside a table.
* the openai.com marketing page (``api-pricing.md``): price cards, see ``openai_cards``.

Column labels mean what ``crawler/vocabulary.py`` says; ``openai_tables`` reads the grids.
"""

from __future__ import annotations

from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, openai_cards
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.extract.openai_tables import TIER_WORDS, VENDOR, read_grid, read_tool
from aiprices.crawler.parsers.astro import Island, islands
from aiprices.crawler.parsers.html_tables import fragment_text, heading_before, parse_document, parse_tables
from aiprices.crawler.parsers.markdown import MdTable
from aiprices.crawler.parsers.markdown import parse_tables as parse_md_tables

# TextTokenPricingTables props carry rows without a header: the component's columns by row length.
_TEXT_TOKEN_COLUMNS = {
    5: ["Model", "Input", "Cached input", "Cache writes", "Output"],
    4: ["Model", "Input", "Cached input", "Output"],
}


def _read(header: list[str], rows: list[list[str]], tier: str, em: Emitter, where: str, fine_tuned=False) -> None:
    """A tools table or a price grid, whatever format it came from."""
    if header and header[0].lower() == "tool":
        for row in rows:
            read_tool(row[0], row[1] if len(row) > 2 else "", row[-1], em, where)
    else:
        read_grid(header, rows, tier, em, where, fine_tuned)


def _pane_tier(el) -> str:
    node = el.getparent()
    while node is not None:
        if node.get("data-content-switcher-pane") is not None:
            return TIER_WORDS.get((node.get("data-value") or "").lower(), "standard")
        node = node.getparent()
    return "standard"


def _prop_text(value) -> str:
    """A table cell or heading of the props as the page shows it (numbers are USD amounts)."""
    if isinstance(value, Decimal):
        return f"${value}"
    if isinstance(value, dict):
        if "__pricingHtml" in value:
            return fragment_text(value["__pricingHtml"] or "")
        return _prop_text((value.get("__pricingTooltipHeading") or {}).get("label"))
    return "" if value is None else str(value)


def _island_grids(island: Island) -> list[tuple[list[str], list[list[str]]]]:
    """(header, rows) of a pricing island; grouped rows get their group's name ("model") in front."""
    props = island.props
    rows = props.get("rows") or [[g.get("model"), *r] for g in props.get("groups") or () for r in g.get("rows") or ()]
    rows = [[_prop_text(c) for c in row] for row in rows]
    if props.get("headings"):
        return [([_prop_text(h) for h in props["headings"]], rows)]
    return [(_TEXT_TOKEN_COLUMNS.get(len(r)) or ["Model", *["?"] * (len(r) - 1)], [r]) for r in rows]


def _from_html(body: bytes, em: Emitter) -> None:
    root = parse_document(body)
    for table in parse_tables(root):
        rows = [[c.text for c in r] for r in table.body()]
        _read(table.header(), rows, _pane_tier(table.el), em, table.heading or "table")
    for island in islands(root):
        if "Pricing" not in island.component:
            continue
        tier = TIER_WORDS.get(str(island.props.get("tier") or "").lower()) or _pane_tier(island.el)
        for header, rows in _island_grids(island):
            _read(header, rows, tier, em, heading_before(island.el) or "table")


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


def _md_grids(t: MdTable, em: Emitter) -> list[tuple[list[str], list[list[str]]]]:
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
            if prev is None:  # the render dropped rowspan cells with no row above to take them from
                em.row(f"{t.heading}: {' | '.join(row)}", *row)
                continue
            row = prev[:missing] + row
        grids[-1][1].append(row)
        prev = row
    return grids


def _from_markdown(text: str, em: Emitter) -> None:
    lines = text.splitlines()
    prev_end = 0
    for t in parse_md_tables(text):
        tier = _gap_tier(lines[prev_end : t.line - 1])
        prev_end = t.line + 1 + len(t.rows)
        section = t.heading
        for header, rows in _md_grids(t, em):
            if section.lower() in ("image tokens", "audio tokens"):
                modality = section.lower().split()[0]
                header, rows = ["Model", "Modality"] + header[1:], [[r[0], modality] + r[1:] for r in rows]
            _read(header, rows, tier, em, section, fine_tuned="fine-tuning" in section.lower())


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every price the page's tables (and their data) publish."""
    em = Emitter(VENDOR)
    text_head = body[:2048].lstrip().lower()
    if kind.endswith("md") or not text_head.startswith((b"<", b"<!doctype")):
        text = body.decode("utf-8", "replace")
        if kind == "api-pricing.md" or openai_cards.looks_like_cards(text):
            openai_cards.read_cards(text, em)
        else:
            _from_markdown(text, em)
    else:
        _from_html(body, em)
    if not em.out.items:
        raise LayoutChanged("openai: no recognisable price table")
    return em.finish()
