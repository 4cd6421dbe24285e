"""Anthropic prices: the docs markdown twin (pipe tables) and claude.com/pricing (cards, HTML or a render).

Docs (``*.docs.md``, platform.claude.com/docs/en/about-claude/pricing.md):
- "Model pricing": one row per model; columns base input, 5m cache writes, 1h cache writes, cache hits,
  output (``$3 / MTok``).
- "Batch processing": ``service_tier="batch"``.
- "Long context pricing": the "> 200K input tokens" prices with ``context_min_tokens=200000``; the
  "<= 200K" column repeats the model table, so it is only checked against it (a mismatch is a warning).
  The oldest layout has no model column: the models are named in the paragraph above the table.
- "Fast mode pricing": ``variant="fast"`` (a premium speed mode, not a service tier).
- Dated rows: "Claude Sonnet 5 through August 31, 2026" (the introductory price) and "Claude Sonnet 5 starting
  September 1, 2026" (the standard price after it) are one price of "Claude Sonnet 5" with its stated dates
  (the emitter reads them): the first ends with August 31, the second starts on September 1.
- Prose prices: web search ($10 per 1,000 searches), code execution ($0.05 per container-hour) and the
  Managed Agents session runtime ($0.08 per session-hour).
Not prices and deliberately ignored: tool token overheads, prompt-caching multipliers, the CCU conversion
tables (Claude Platform on AWS / Foundry), worked examples.

claude.com/pricing (``html`` or the ``claude-pricing.md`` render): model cards read as a stream of lines
"Opus 4.7 / Input / $5 / MTok / Output / ... / Prompt caching / Write / ... / Read / ...", with
"Prompts > 200K tokens" switching to the long-context price. The batch toggle halves prices in JavaScript,
so batch prices are not published in the markup and are not emitted.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.markdown import MdTable, parse_tables
from aiprices.crawler.parsers.price_text import one_amount
from aiprices.crawler.vocabulary import meaning
from parsel import Selector

VENDOR = "anthropic"
TOKENS = "per_1m_tokens"
LONG_CONTEXT = 200_000

# Tables whose columns are not prices (token overheads, multipliers, CCU terms, worked examples): their rows
# with an amount stay unpriced in the audit.
_IGNORED_TABLES = re.compile(
    r"tool use|specific tool|bash tool|text editor|computer use|prompt caching|platform on aws|"
    r"microsoft foundry|worked example|^tokens$",
    re.I,
)
_NOT_A_PRICE_HEADERS = {"model", "tool choice", "tool use system prompt token count", "metering", "sku"}
_PAREN_NOTE = re.compile(r"\s*\((?:deprecated|retired|limited availability|legacy)[^()]*(?:\([^()]*\))?[^()]*\)", re.I)
_CLAUDE_NAME = re.compile(r"\b(?:Claude\s+)?(Opus|Sonnet|Haiku|Mythos|Fable)\s+(\d+(?:\.\d+)?)\b")
_GT = re.compile(r">\s*200K", re.I)
_LE = re.compile(r"(?:≤|<=)\s*200K", re.I)

# Prose / card prices that are not per-token: (pattern, model_name, price_key, unit, field)
_PROSE = (
    (
        re.compile(r"\$\s?([\d.,]+)\s*(?:per|/)\s*(?:1,000|1K)\s+searches", re.I),
        "Web search",
        "search",
        "per_1k_queries",
        "web search",
    ),
    (
        re.compile(r"\$\s?([\d.]+)\s*(?:USD\s+)?per hour,? per container", re.I),
        "Code execution",
        "code_interpreter",
        "per_hour",
        "code execution",
    ),
    (
        re.compile(r"\$\s?([\d.]+)\s*per session-hour", re.I),
        "Claude Managed Agents",
        "usage",
        "per_hour",
        "session runtime",
    ),
)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of one Anthropic page; the format is chosen from ``kind`` and the body."""
    text = body.decode("utf-8", "replace")
    if kind.endswith("html") or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return _cards(_html_lines(text), "html")
    tables = parse_tables(text)
    if any(_is_model_table(t) for t in tables):
        return _docs(text, tables)
    if "/ MTok" in text:
        return _cards([ln.strip() for ln in text.splitlines()], "claude-pricing")
    raise LayoutChanged(f"anthropic: no model pricing table or price cards at {url}")


# --- docs markdown ---------------------------------------------------------------------------


def _is_model_table(t: MdTable) -> bool:
    return [h.lower() for h in t.header[:2]] == ["model", "base input tokens"]


def _model_name(cell: str) -> str:
    """Page model name without deprecation notes (a date phrase stays: the emitter reads it)."""
    return _PAREN_NOTE.sub("", cell).strip()


def _split_names(cell: str) -> list[str]:
    """'Claude Sonnet 4.5 / 4' -> ['Claude Sonnet 4.5', 'Claude Sonnet 4']; 'A / B' -> ['A', 'B']."""
    names: list[str] = []
    family = ""
    for part in re.split(r"\s*/\s*|,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", cell.strip()):
        part = part.strip()
        if not part:
            continue
        m = _CLAUDE_NAME.search(part)
        if m:
            family = m.group(1)
            names.append(f"Claude {m.group(1)} {m.group(2)}")
        elif re.fullmatch(r"\d+(?:\.\d+)?", part) and family:
            names.append(f"Claude {family} {part}")
    return names


def _docs(text: str, tables: list[MdTable]) -> Extraction:
    em = Emitter(VENDOR)
    lines = text.splitlines()
    for t in tables:
        title = t.heading
        low = title.lower()
        if _is_model_table(t) or low.startswith("batch"):
            _price_table(em, t, "batch" if low.startswith("batch") else "standard", "")
        elif low.startswith("fast mode"):
            names = None if t.header[0].lower() == "model" else _names_in_prose(lines, t)
            _price_table(em, t, "standard", "fast", names)
        elif low.startswith("long context"):
            _long_context(em, t, lines)
        elif low == "session runtime":
            continue  # its "$0.08 per session-hour" cell is read by the prose pass below
        else:
            seen = [em.row(f"{title}: {row[0]}", *row[1:]) for row in t.rows]
            if any(seen) and not _IGNORED_TABLES.search(low):
                em.out.unmapped_columns.append(f"{title}: {' | '.join(t.header)}")
    _prose_prices(em, text)
    if not em.out.items:
        raise LayoutChanged("anthropic: the docs page has no model prices")
    return em.finish()


def _names_in_prose(lines: list[str], t: MdTable) -> list[str]:
    """Claude model names mentioned between the table's heading and the table (for model-less tables)."""
    start = t.line - 1
    while start > 0 and not lines[start - 1].lstrip().startswith("#"):
        start -= 1
    prose = " ".join(lines[start : t.line - 1])
    seen: list[str] = []
    for m in _CLAUDE_NAME.finditer(prose):
        name = f"Claude {m.group(1)} {m.group(2)}"
        if name not in seen:
            seen.append(name)
    if not seen:
        raise LayoutChanged(f"anthropic: no model named for the table under {t.heading!r}")
    return seen


def _price_table(em: Emitter, t: MdTable, tier: str, variant: str, names: list[str] | None = None) -> None:
    keys = {}
    for i, h in enumerate(t.header):
        found = meaning(h, VENDOR) if h.lower() not in _NOT_A_PRICE_HEADERS else None
        if found:
            keys[i] = found.key
        elif h.lower() not in _NOT_A_PRICE_HEADERS:
            em.out.unmapped_columns.append(f"{t.heading}: {h}")
    for row in t.rows:
        em.row(f"{t.heading}: {row[0]}", *row[1:])
        if names is None:
            model_name = _model_name(row[0])
            models = _split_names(model_name) if " / " in model_name else [model_name]
        else:
            models = names
        for i, key in keys.items():
            price = one_amount(row[i]) if i < len(row) else None
            for model_name in models if price is not None else ():
                em.add(model_name, key, TOKENS, price, t.header[i], tier=tier, variant=variant)


def _long_context(em: Emitter, t: MdTable, lines: list[str]) -> None:
    """Emit the '> 200K' prices; cells read 'Input: $6 / MTok' / 'Output: $22.50 / MTok'."""
    has_model = t.header[0].lower() == "model"
    gt = [i for i, h in enumerate(t.header) if _GT.search(h)]
    le = [i for i, h in enumerate(t.header) if _LE.search(h)]
    if len(gt) != 1 or len(le) != 1:
        raise LayoutChanged(f"anthropic: long context table header {t.header!r}")
    models = [] if has_model else _names_in_prose(lines, t)
    standard = {
        (it["source_model_key"], it["price_key"]): it["price"]
        for it in em.out.items
        if it["service_tier"] == "standard"
    }
    for row in t.rows:
        em.row(f"{t.heading}: {' | '.join(row)}", *row)
        if has_model and row[0]:
            models = _split_names(_model_name(row[0]))
        for col, ctx in ((gt[0], LONG_CONTEXT), (le[0], 0)):
            label, _, value = row[col].partition(":")
            found, price = meaning(label, VENDOR), one_amount(value)
            if found is None or price is None:
                raise LayoutChanged(f"anthropic: long context cell {row[col]!r}")
            for model_name in models:
                if ctx == LONG_CONTEXT:
                    em.add(model_name, found.key, TOKENS, price, t.header[col], context=ctx)
                elif standard.get((model_name, found.key)) not in (None, price):
                    em.out.warnings.append(f"{model_name} {found.key}: <=200K price {price} differs from model table")


def _prose_prices(em: Emitter, text: str) -> None:
    """Non-token prices stated in sentences or cards; each is emitted once (the first mention)."""
    for pattern, model_name, key, unit, field_name in _PROSE:
        m = pattern.search(text)
        if m and em.row(f"prose: {field_name}", priced=True):
            em.add(model_name, key, unit, Decimal(m.group(1).replace(",", "")), field_name)


# --- claude.com/pricing cards ---------------------------------------------------------------------

_CARD_MODEL = re.compile(r"^(?:#+\s*)?(?:Claude\s+)?((?:Opus|Sonnet|Haiku|Mythos)\s+\d+(?:\.\d+)?)$")
_CARD_PRICE = re.compile(r"^\$\s?(\d+(?:\.\d+)?)\s*/\s*MTok$")


def _html_lines(html: str) -> list[str]:
    """Visible text nodes of the Webflow page, with '$' '5' '/ MTok' fragments joined into one line."""
    sel = Selector(text=html)
    nodes = sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    parts = [n.strip() for n in nodes if n.strip()]
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "$" and i + 1 < len(parts) and re.fullmatch(r"\d+(?:\.\d+)?", parts[i + 1]):
            line = "$" + parts[i + 1]
            i += 2
            if i < len(parts) and parts[i].startswith("/"):
                line += " " + parts[i]
                i += 1
            out.append(line)
            continue
        out.append(parts[i])
        i += 1
    return out


def _cards(lines: list[str], source: str) -> Extraction:
    em = Emitter(VENDOR)
    model = None
    key = None
    ctx = 0
    for raw in lines:
        line = raw.replace("\\>", ">").strip()
        if not line:
            continue
        prose = [p for p in _PROSE if p[0].search(line)]
        if prose:
            model = None
            continue
        m = _CARD_MODEL.match(line)
        if m:
            model, key, ctx = m.group(1), None, 0
            continue
        if model is None:
            continue
        low = line.lower()
        if low in ("input", "output"):
            key, ctx = low, 0
        elif low == "prompt caching":
            key, ctx = "cache", 0
        elif low in ("write", "read") and key and key.startswith("cache"):
            key = "cache_write" if low == "write" else "cache_read"
        elif _GT.search(line) and len(line) < 40:
            ctx = LONG_CONTEXT
        elif _LE.search(line) and len(line) < 40:
            ctx = 0
        elif _CARD_PRICE.match(line):
            if key in (None, "cache"):
                raise LayoutChanged(f"anthropic: price {line!r} for {model} without a label")
            em.row(f"{model} card: {key} {'> 200K' if ctx else ''}", priced=True)
            price = Decimal(_CARD_PRICE.match(line).group(1))
            em.add(model, key, TOKENS, price, f"{source} card: {key}", context=ctx)
    if not em.out.items:
        raise LayoutChanged("anthropic: no model price cards found")
    _prose_prices(em, "\n".join(lines))
    return em.finish()
