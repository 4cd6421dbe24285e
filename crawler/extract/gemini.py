"""Gemini Developer API pricing (ai.google.dev/gemini-api/docs/pricing) from markdown renders.

Each model section (``## Gemini 2.5 Pro``, API id in ``_`gemini-2.5-pro`_``) has one table per service
tier; the tab links above them ("[Standard](..)[Batch](..)[Flex](..)[Priority](..)") name the tiers in
order. Tables are ``| | Free Tier | Paid Tier, per 1M tokens in USD |``: only the paid column is read.
A paid cell can hold several prices: "$1.25, prompts <= 200k tokens $2.50, prompts > 200k" -> two items
(``context_min_tokens`` 0 and 200000); "$0.30 (text / image / video) $1.00 (audio)" -> ``input`` and
``input_audio``. Grounding rows: "then $35 / 1,000 grounded prompts" (or "requests") -> ``search`` (Maps ->
``maps_grounding``) per 1,000 queries. Per-image / per-second tables (Imagen, Veo) -> ``output_image`` /
``output_video`` with the row label as variant. A "Live API" row (2025 pages: "Input: $0.50 (text), ...
Output: ...") -> the same keys with ``variant="live"``.

Three render shapes are read:

- Jina pipe tables under ``##`` headings (2026 captures).
- Headless render with flattened tables (2025-11-03): every cell is its own paragraph (corner, "Free Tier",
  "Paid Tier, ...", then label / free / paid triples, multi-line cells joined) up to the "Used to improve our
  products" row; rebuilt into ``MdTable``s. A table cut off before that row raises ``LayoutChanged``.
A render that dropped the model headings (2025-10-15: sections introduced only by a tagline paragraph) names
no model for most tables: when more than half of the price tables have no heading, the capture is not
supported (``LayoutChanged``); otherwise the rows of an unnamed table are audited, unpriced. Without tier
tabs a lone table is standard and a pair is standard + batch only when the second table offers nothing free.

Cells with several kinds of price (each read only where the page says what it is for):

- context-cache storage "$4.50 / 1,000,000 tokens per hour (storage price)" (in the caching cell or its own
  "Context caching (storage)" row) -> ``cache_storage`` per ``per_1m_tokens_hour``, context threshold 0;
- "$0.025 / 1,000,000 tokens (text/image/video) $0.175 / 1,000,000 tokens (audio)" -> as "$0.025 (text ...)";
- image output: "$0.039 per image*" -> ``output_image`` ``per_image``; "$0.067 per 1K/2K image" -> the same
  with ``variant`` "1K/2K" (sizes as written: 0.5K, 1K, 2K, 1K/2K, 4K); "$60.00 (images)" -> ``output_image``
  per 1M tokens; input "equivalent to $0.0011 per image" -> ``input_image`` ``per_image``; "$0.0006
  (image)*" -> ``input_image`` ``per_image`` only when the page's footnote says image input is priced
  "per image" (else a warning);
- Live models: "$3.00 or $0.005/min (audio)" -> a per-1M-token and a ``per_minute`` price of the same key;
  "(image/video)" tokens -> ``input_image`` and ``input_video``, per minute -> ``input_video``;
- embeddings: "$0.45 ($0.00012 per image)" -> the row's key per 1M tokens and ``per_image`` (``per_second``);
- Veo "$0.10 (720p) $0.12 (1080p) $0.30 (4k)" -> one ``per_second`` item per resolution, variant
  "<row label> 720p" ("720p and 1080p" -> both; "(4k output not supported)" -> none). A multi-price
  per-image/per-second cell any of whose parts is not a resolution stays a warning, with no item.

Lyria's "per request" table ("$0.04 per song") -> ``request`` ``per_request`` (variant = row label); embedding
video "$0.00079 per frame" -> ``per_frame``.

"Pricing for tools": Google Search ("Gemini 2.5 models: ... then $35 / 1,000 grounded prompts Gemini 3 models:
... then $14 / 1,000 search queries") -> ``search`` per 1,000 queries for each model family named; Google Maps ->
``maps_grounding``. The other tool rows restate model token prices (file search's embeddings) and stay unpriced.

Known gaps (reported in ``warnings`` or the audit, never guessed): an "or" price whose partner is not a
"/min (...)" price, prose-only prices (half-cascade Live models listed in bullets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.markdown import MdTable, clean_cell, links, parse_tables
from aiprices.crawler.parsers.price_text import price_segments
from aiprices.crawler.vocabulary import meaning

VENDOR = "gemini"
TOKENS = "per_1m_tokens"
_TIERS = {"standard": "standard", "batch": "batch", "flex": "flex", "priority": "priority"}
_MODEL_ID = re.compile(r"^_?`([a-z0-9][a-z0-9.-]+)`_?$")
_GROUNDING = re.compile(r"then \$(\d+(?:\.\d+)?) / 1,000 (?:grounded prompts|search queries|requests)", re.I)
_AUDIO_KEY = {"input": "input_audio", "cache_read": "cache_read_audio", "output": "output_audio"}
_IGNORED_ROWS = re.compile(r"^(used to improve our products|tuning price)", re.I)
# Qualifiers of a token price that mean "the row's own key" (whitespace removed before comparing).
_BASE_QUALS = frozenset(
    {"", "(text)", "(text/image/video)", "(text,image)", "(text/image)", "(textandthinking)", "(text,image,video)"}
)
_PER_1M = "/ 1,000,000 tokens"
_STORAGE = re.compile(r"^/ 1,000,000 tokens per hour(?: \(storage price\))?$")
_PER_IMAGE = re.compile(r"^per (?:(\d+(?:\.\d+)?K(?:/\d+(?:\.\d+)?K)?) )?image$", re.I)
_PER_MINUTE = re.compile(r"^/min \((audio|image/video)\)$")
_EQUIVALENT = re.compile(r"^\$(\d+(?:\.\d+)?) \(\$(\d+(?:\.\d+)?) per (\w+)\)$")
_EQUIVALENT_UNITS = {"image": "per_image", "second": "per_second", "frame": "per_frame"}
_TAIL = re.compile(r"[\s,.*\\]+$|\b(?:and|equivalent to)$", re.I)
_RESOLUTION = re.compile(r"^\d+(?:p|k)$", re.I)
_NOT_SUPPORTED = re.compile(r"^\([^()$]*not supported\)$", re.I)
# The page's footnote that prices image input per image ("Image input is set at 560 tokens or $0.0011 per
# image"): only then is a bare "$0.0006 (image)*" in a per-1M-token table a per-image price.
_IMAGE_INPUT_NOTE = re.compile(r"Image input is set at [\d,]+ tokens or \$\d+(?:\.\d+)? per image", re.I)
_LAST_ROW = re.compile(r"^used to improve our products", re.I)
_LIVE_PART = re.compile(r"(Input|Output):")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(?:=+|-+)\s*$")


@dataclass
class _Section:
    """One model section: its page name, API id, the prose above its first table, and its tier tables."""

    name: str
    model: str | None
    prose: str
    tables: list[MdTable] = field(default_factory=list)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of the Gemini API pricing page render."""
    text = body.decode("utf-8", "replace")
    lines = text.splitlines()
    tables = _pipe_tables(text) or _flat_tables(lines)
    if not tables:
        raise LayoutChanged(f"gemini: no 'Free Tier / Paid Tier' tables at {url}")
    sections = _sections(lines, tables)
    unnamed = sum(len(s.tables) for s in sections if not s.name)
    if unnamed * 2 > len(tables):
        raise LayoutChanged(
            f"gemini: {unnamed} of {len(tables)} price tables have no model heading (a render that dropped the "
            "headings): this capture is not supported"
        )
    em = Emitter(VENDOR)
    image_note = bool(_IMAGE_INPUT_NOTE.search(text))
    for sec in sections:
        tiers = _tiers(sec) if sec.name else ["standard"] * len(sec.tables)
        for t, tier in zip(sec.tables, tiers, strict=True):
            _table(em, t, sec, tier, image_note)
    if not em.out.items:
        raise LayoutChanged(f"gemini: no paid prices at {url}")
    return em.finish()


def _pipe_tables(text: str) -> list[tuple[MdTable, int]]:
    """Free/Paid pipe tables with the 0-based index of the line after each."""
    return [
        (t, t.line + 1 + len(t.raw_rows))
        for t in parse_tables(text)
        if len(t.header) == 3 and t.header[1] == "Free Tier"
    ]


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` line index ranges of blank-line separated paragraphs (whitespace-only lines are blank)."""
    out: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            out.append((start, i))
            start = None
    return out


def _flat_tables(lines: list[str]) -> list[tuple[MdTable, int]]:
    """Rebuild tables a headless render flattened to one paragraph per cell (see the module docstring)."""
    paras = _paragraphs(lines)
    texts = [" ".join(ln.strip() for ln in lines[a:b]) for a, b in paras]
    tables: list[tuple[MdTable, int]] = []
    stack: list[tuple[int, str]] = []
    p = 0
    while p < len(paras):
        if h := _ATX.match(texts[p]):
            stack = [(lv, t) for lv, t in stack if lv < len(h.group(1))] + [(len(h.group(1)), clean_cell(h.group(2)))]
        if texts[p] != "Free Tier" or p + 1 >= len(paras) or not texts[p + 1].startswith("Paid Tier"):
            p += 1
            continue
        line = paras[p][0] + 1
        raw_header = ["", texts[p], texts[p + 1]]
        raw_rows: list[list[str]] = []
        p += 2
        while not raw_rows or not _LAST_ROW.match(clean_cell(raw_rows[-1][0])):
            cells = texts[p : p + 3]
            if len(cells) < 3 or any(_breaks_table(c) for c in cells) or "$" in cells[0]:
                raise LayoutChanged(
                    f"gemini: flattened table at line {line} is cut off before its 'Used to improve our products' row"
                )
            raw_rows.append(cells)
            p += 3
        rows = [[clean_cell(c) for c in r] for r in raw_rows]
        header = [clean_cell(c) for c in raw_header]
        table = MdTable(header, rows, raw_rows, raw_header, headings=[t for _, t in stack], line=line)
        tables.append((table, paras[p - 1][1]))
    return tables


def _breaks_table(cell: str) -> bool:
    """A paragraph that cannot be a cell: a heading or the start of the next table."""
    return cell == "Free Tier" or cell.startswith("Paid Tier,") or bool(_ATX.match(cell))


def _sections(lines: list[str], tables: list[tuple[MdTable, int]]) -> list[_Section]:
    """Group tables into model sections by the heading in the text between consecutive tables.

    A table after text without a heading starts an unnamed section (name ""), whose rows are only audited.
    """
    sections: list[_Section] = []
    prev_end = 0
    for t, end in tables:
        gap = lines[prev_end : t.line - 1]
        prev_end = end
        sec = _open_section(gap)
        if sec is not None or not sections:
            sections.append(sec or _Section("", None, ""))
        sections[-1].tables.append(t)
    return sections


def _open_section(gap: list[str]) -> _Section | None:
    """The section the gap text starts, or None when the gap is blank (the next tier table of the same section)."""
    heading = None
    for i, line in enumerate(gap):
        s = line.strip()
        if (h := _ATX.match(s)) and len(h.group(1)) <= 2:
            heading = (i, clean_cell(h.group(2)))
        elif s and _SETEXT.match(s) and i > 0 and gap[i - 1].strip() and not _SETEXT.match(gap[i - 1].strip()):
            heading = (i, clean_cell(gap[i - 1]))
    if heading is not None:
        prose = gap[heading[0] + 1 :]
        model = next((m.group(1) for ln in prose if (m := _MODEL_ID.match(ln.strip()))), None)
        return _Section(heading[1], model, "\n".join(prose))
    return _Section("", None, "") if any(ln.strip() for ln in gap) else None


def _tiers(sec: _Section) -> list[str]:
    """Service tier of each table: the tab links, else standard (+ batch when the second offers nothing free)."""
    tiers = [_TIERS[x.lower()] for x, _ in links(sec.prose) if x.lower() in _TIERS]
    if not tiers and len(sec.tables) == 1:
        tiers = ["standard"]
    elif not tiers and len(sec.tables) == 2 and not _offers_free(sec.tables[1]):
        tiers = ["standard", "batch"]
    if len(tiers) != len(sec.tables):
        raise LayoutChanged(f"gemini: {sec.name!r} has {len(sec.tables)} tables but tabs {tiers}")
    return tiers


def _offers_free(t: MdTable) -> bool:
    """Whether a table's Free Tier column offers anything free (a batch table does not)."""
    return any("free" in row[1].lower() for row in t.rows if len(row) > 1 and not _LAST_ROW.match(row[0]))


@dataclass
class _Cell:
    """Where a paid cell sits: enough to add its items and to name it in a warning."""

    em: Emitter
    name: str
    model: str | None
    label: str
    tier: str
    image_note: bool

    @property
    def where(self) -> str:
        return f"{self.name} [{self.tier}] {self.label}"

    def add(self, key: str, unit: str, price: Decimal | str, ctx: int = 0, variant: str = "") -> None:
        self.em.add(
            self.name,
            key,
            unit,
            Decimal(price),
            self.label,
            model=self.model,
            tier=self.tier,
            context=ctx,
            variant=variant,
        )

    def warn(self, text: str) -> None:
        self.em.out.warnings.append(f"{self.where}: {text}")


def _table(em: Emitter, t: MdTable, sec: _Section, tier: str, image_note: bool = False) -> None:
    paid, name = t.header[2].lower(), sec.name
    for row in t.rows:
        label, cell = row[0], row[2] if len(row) > 2 else ""
        where = f"{name} [{tier}]" if name else f"table without a model heading (line {t.line})"
        if not em.row(f"{where} {label}", cell) or not name or _IGNORED_ROWS.match(label):
            continue  # no price, or an unnamed section's table / a tuning price: the row stays unpriced
        c = _Cell(em, name, sec.model, label, tier, image_note)
        if name.lower() == "pricing for tools":
            _tool_row(c, cell)
            continue
        if "grounding" in label.lower():
            m = _GROUNDING.search(cell)
            if not m:
                c.warn("grounding price not understood")
                continue
            key = "maps_grounding" if "maps" in label.lower() else "search"
            c.add(key, "per_1k_queries", m.group(1))
            continue
        if label.lower() == "live api" and "per 1m tokens" in paid:
            _live_cell(c, cell)
            continue
        if "per 1m tokens" in paid:
            found = meaning(label, VENDOR)
            if found is None:
                em.out.unmapped_columns.append(f"{name}: {label}")
                continue
            _token_cell(c, found.key, cell)
        elif "per image" in paid or "per second" in paid:
            key, unit = ("output_image", "per_image") if "image" in paid else ("output_video", "per_second")
            _unit_cell(c, key, unit, cell)
        elif "per request" in paid:  # Lyria: "$0.04 per song", one song per request
            _unit_cell(c, "request", "per_request", cell)
        else:
            c.warn(f"unit {t.header[2]!r} not mapped")


def _unit_cell(c: _Cell, key: str, unit: str, cell: str) -> None:
    """A per-image / per-second cell: one price (variant = row label), or one price per resolution.

    "$0.10 (720p) $0.12 (1080p) $0.30 (4k)" -> variants "<label> 720p", ...; "$0.40 (720p and 1080p)" gives
    both resolutions; "(4k output not supported)" adds nothing. Anything else in a multi-price cell: warning.
    """
    amounts = price_segments(cell)
    if len(amounts) == 1:
        c.add(key, unit, amounts[0][0], variant=c.label)
        return
    read: list[tuple[Decimal, str]] = []
    for num, qual in amounts:
        res = _resolutions(qual)
        if res is None:
            c.warn(f"several prices in {cell[:60]!r}; not mapped")
            return
        read += [(num, r) for r in res]
    for num, r in read:
        c.add(key, unit, num, variant=f"{c.label} {r}")


def _resolutions(qual: str) -> list[str] | None:
    """["720p", "1080p"] from " (720p and 1080p) " (a trailing "(4k output not supported)" is allowed)."""
    m = re.match(r"^\s*\(([^()]*)\)\s*(.*?)\s*$", qual, re.S)
    if m is None or (m.group(2) and not _NOT_SUPPORTED.match(m.group(2))):
        return None
    res = [r.strip() for r in re.split(r",|\band\b", m.group(1))]
    return res if all(_RESOLUTION.match(r) for r in res) else None


def _live_cell(c: _Cell, cell: str) -> None:
    """A "Live API" row ("Input: $0.50 (text), $3.00 (audio / image [video]) Output: $2.00 (text), ...").

    The realtime API has its own prices for the same model, so they are kept apart as ``variant="live"``.
    """
    parts = _LIVE_PART.split(cell)
    if parts[0].strip() or len(parts) < 3:
        c.warn(f"Live API prices not understood ({cell[:60]})")
        return
    for side, text in zip(parts[1::2], parts[2::2], strict=True):
        _token_cell(c, side.lower(), text, variant="live")


def _tidy(qual: str) -> str:
    """A price's qualifier without the connectors and footnote marks around it ("per 2K image*, and")."""
    text = qual.strip().lstrip(",").strip()
    while (shorter := _TAIL.sub("", text)) != text:
        text = shorter
    return text


def _token_cell(c: _Cell, key: str, cell: str, variant: str = "") -> None:
    """A cell of a per-1M-token table: every "$X qualifier" segment becomes an item or a warning."""
    if m := _EQUIVALENT.match(cell.strip()):
        _equivalent(c, key, m)
        return
    segments = price_segments(cell)
    i = 0
    while i < len(segments):
        num, qual = segments[i]
        i += 1
        if _tidy(qual).lower() == "or":
            nxt = _PER_MINUTE.match(_tidy(segments[i][1])) if i < len(segments) else None
            if nxt is None:
                partner = f"${segments[i][0]}{segments[i][1].rstrip()}" if i < len(segments) else "nothing"
                c.warn(f"price ${num} or {partner[:40]!r}: alternative not a per-minute price; not mapped")
                i += 1
                continue
            _segment(c, key, num, f"({nxt.group(1)})", variant)
            _per_minute(c, key, segments[i][0], nxt.group(1))
            i += 1
            continue
        _segment(c, key, num, qual, variant)


def _equivalent(c: _Cell, key: str, m: re.Match[str]) -> None:
    """ "$0.45 ($0.00012 per image)": the row's token price and the same price per image / per second."""
    c.add(key, TOKENS, m.group(1))
    unit = _EQUIVALENT_UNITS.get(m.group(3).lower())
    if unit is None:
        c.warn(f"price ${m.group(2)} per {m.group(3)}: no such unit; not mapped")
        return
    c.add(key, unit, m.group(2))


def _per_minute(c: _Cell, key: str, num: Decimal, media: str) -> None:
    """ "$0.005/min (audio)" -> input_audio / output_audio per minute; "(image/video)" -> input_video."""
    if media == "audio" and key in ("input", "output"):
        c.add(_AUDIO_KEY[key], "per_minute", num)
    elif media == "image/video" and key == "input":
        c.add("input_video", "per_minute", num)
    else:
        c.warn(f"price ${num}/min ({media}) not mapped")


def _segment(c: _Cell, key: str, num: Decimal, qual: str, variant: str) -> None:
    """One "$X qualifier" of a per-1M-token cell (see the module docstring for the forms read)."""
    raw = _tidy(qual)
    q = raw.lower()
    if _STORAGE.match(q):
        if key in ("cache_read", "cache_storage"):
            c.add("cache_storage", "per_1m_tokens_hour", num, variant=variant)
        else:
            c.warn(f"price ${num} per 1M tokens per hour outside a caching row; not mapped")
        return
    if q.startswith(_PER_1M):
        raw = raw[len(_PER_1M) :].strip()
        q = raw.lower()
    if key == "cache_storage":
        c.warn(f"price ${num} {qual.strip()[:40]!r} in the storage row is not per hour; not mapped")
        return
    if "prompts >" in q:
        if "200k" not in q:
            raise LayoutChanged(f"gemini: {c.where}: long-context threshold in {q!r}")
        c.add(key, TOKENS, num, ctx=200_000, variant=variant)
    elif "prompts <=" in q:
        c.add(key, TOKENS, num, variant=variant)
    elif q.startswith("(audio") and key in _AUDIO_KEY:
        c.add(_AUDIO_KEY[key], TOKENS, num, variant=variant)
    elif q.replace(" ", "") in _BASE_QUALS:
        c.add(key, TOKENS, num, variant=variant)
    elif q == "(images)" and key in ("output", "output_image"):
        c.add("output_image", TOKENS, num, variant=variant)
    elif q == "(image/video)" and key == "input":
        c.add("input_image", TOKENS, num, variant=variant)
        c.add("input_video", TOKENS, num, variant=variant)
    elif (m := _PER_IMAGE.match(raw)) and key in ("input", "input_image", "output", "output_image"):
        c.add(f"{key.split('_')[0]}_image", "per_image", num, variant=m.group(1) or variant)
    elif q == "(image)" and "*" in qual and key == "input" and c.image_note:
        c.add("input_image", "per_image", num, variant=variant)
    else:
        c.warn(f"price ${num} {qual.strip()[:40]!r} not mapped")


_FAMILY = re.compile(r"(Gemini [\d.]+ models):")
_TOOL_KEYS = {"google search": "search", "google maps": "maps_grounding"}


def _tool_row(c: _Cell, cell: str) -> None:
    """A "Pricing for tools" row: grounding per 1,000 prompts/queries, per model family where the cell names one
    ("Gemini 2.5 models: ... then $35 / 1,000 grounded prompts"), else for the tool itself."""
    key = _TOOL_KEYS.get(c.label.lower())
    parts = _FAMILY.split(cell)
    for name, text in [(c.label, parts[0]), *zip(parts[1::2], parts[2::2], strict=True)] if key else ():
        for num in _GROUNDING.findall(text):
            c.em.add(name, key, "per_1k_queries", Decimal(num), c.label)
