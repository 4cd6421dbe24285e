"""Google Vertex AI (Agent Platform) generative-AI pricing page: devsite HTML, tabbed, rowspan rows.

Table families read (anything else holding ``$`` is reported in ``unmapped_columns``, or, for the
families listed in ``_IGNORED`` (prose cells, worked examples, storage/throughput), in ``warnings``):

* grid tables ``Model | Type | [Region] | Price ... <= 200K | > 200K | cached ...``: the tier comes from the
  header ("with Priority", "with Flex/Batch", "Price with Batch API") or the tab heading; the
  ``> 200K`` columns are long-context rows (``context_min_tokens=200000``); a cell
  ``$0.25 (Global) $0.275 (Non-global)*`` gives two regions. "Flex/Batch" prices are emitted for both tiers.
* label-list tables ``Model | Pricing`` or ``Model | Price (/1M tokens) =< 200K ...`` with cells like
  ``Input: $5.00 Output: $25.00 Batch Input: $2.50 ...`` (partner models: Claude, Grok, DeepSeek, ...);
  the region comes from the tab heading (``Global``, ``us-east5``, ``EU Multi-Region (eu)``).
* media tables (Imagen per image, Veo per second, Lyria per song) and model-tuning tables.

Vendor is ``vertex`` for every row (Vertex sells the partner models too); the model name is the page's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.html_tables import Table, element_text, parse_document, parse_tables
from aiprices.crawler.parsers.price_text import money_amounts

VENDOR = "vertex"
LONG_CONTEXT = 200_000
_TIERS = {"standard": ("standard",), "priority": ("priority",), "flex/batch": ("flex", "batch")}

# Tables read deliberately as "not a list price" (first header cells, lower-case).
_IGNORED = (
    ("feature", "pricing"),  # grounding: prices in prose with free quotas
    ("duration", "price per gsu"),  # provisioned throughput
    ("tool", "price"),  # prose
    ("model", "method"),  # translation, prose with footnotes
    ("open source model", "type"),  # several labels glued in one cell
    ("model", "feature", "type"),  # legacy Gemini 1.5 (several units per cell) and cache storage per hour
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _key_unit(label: str) -> tuple[str, str] | None:
    """Row/field label -> (price_key, unit). The unit defaults to per 1M tokens."""
    t = _norm(label).rstrip("*").strip()
    unit = "per_1m_tokens"
    if "$/m char" in t:
        unit = "per_1m_characters"
    elif "$/image" in t:
        unit = "per_image"
    elif "$/sec" in t:
        unit = "per_second"
    if "tuning" in t or "training" in t:
        return "training", unit
    if re.search(r"\bbatch\b", t):
        t = re.sub(r"\bbatch\b", "", t).strip()
    if "cache hit" in t:
        return "cache_read", unit
    if "1h" in t and "cache write" in t:
        return "cache_write_1h", unit
    if "cache write" in t:
        return "cache_write", unit
    is_out = "output" in t
    is_in = "input" in t
    if not (is_in or is_out):
        return None
    direction = "output" if is_out and not t.startswith("input") else "input"
    mod = t.split("(")[0] if direction == "input" and "(" in t and "$/" not in t else t
    # "Input (text, image, video, audio)" is the text/multimodal input price, not image-only.
    if direction == "input" and re.match(r"^input \((text|audio)", t):
        return ("input_audio" if t.startswith("input (audio") else "input"), unit
    if "audio" in mod:
        return f"{direction}_audio", unit
    if "image" in mod and "video" not in mod:
        return f"{direction}_image", unit
    if "video" in mod and "image" not in mod:
        return f"{direction}_video", unit
    if "video/image" in mod:
        return "input_video", unit
    return direction, unit


def _region(text: str) -> str:
    t = _norm(text).rstrip("*").strip()
    if t in ("", "global", "models with uniform pricing across all regions"):
        return ""
    m = re.search(r"\(([a-z0-9-]+)\)$", t)
    if m:
        return m.group(1)
    return t.replace(" ", "-")


_REGION_NAME = re.compile(r"^[a-z]+-[a-z]+\d+$|multi-region \(([a-z]+)\)$")


def _heading_region(text: str) -> str:
    """A tab/heading that names a region ("us-east5", "EU Multi-Region (eu)") -> region; else ""."""
    t = _norm(text)
    m = _REGION_NAME.search(t)
    if not m:
        return ""
    return m.group(1) or t


def _tab_labels(root) -> dict[str, str]:
    """``id -> label`` of devsite tab buttons (the excerpt keeps them as ``<button role=tab>``)."""
    return {
        b.get("id"): element_text(b) for b in root.iter("button") if b.get("role") == "tab" and b.get("id")
    }


def _tab_of(table: Table, tabs: dict[str, str]) -> str:
    node = table.el.getparent()
    while node is not None:
        if node.get("role") == "tabpanel" and node.get("aria-labelledby") in tabs:
            return tabs[node.get("aria-labelledby")]
        node = node.getparent()
    return table.heading


class _Emitter:
    """Collects items, dropping exact repeats and warning on conflicting repeats."""

    def __init__(self, out: Extraction) -> None:
        self.out = out
        self.seen: dict[tuple, Decimal] = {}

    def add(self, model: str, key: str, unit: str, price: Decimal, field: str, **kw) -> None:
        tiers = kw.pop("tiers", ("standard",))
        for tier in tiers:
            ident = (
                model,
                key,
                unit,
                tier,
                kw.get("context_min_tokens", 0),
                kw.get("region", ""),
                kw.get("variant", ""),
            )
            if ident in self.seen:
                if self.seen[ident] != price:
                    self.out.warnings.append(
                        f"{model}: repeated {field} row {price} vs {self.seen[ident]}; kept first"
                    )
                continue
            self.seen[ident] = price
            self.out.items.append(
                page_price(
                    vendor=VENDOR,
                    model_name=model,
                    price_key=key,
                    unit=unit,
                    price=price,
                    service_tier=tier,
                    source_field=field,
                    **kw,
                )
            )


def _clean_model(name: str) -> str:
    return re.sub(r"\s*\*+\s*", " ", name).strip()


def _column_spec(header: str, tab_tiers: tuple[str, ...]) -> tuple[str | None, tuple[str, ...], int] | None:
    """Price column header -> (key override, tiers, context_min_tokens); None if not a price column."""
    h = _norm(header)
    if h.startswith("storage"):
        return None
    if not h.startswith(("price", "modelprice")):
        return None
    tiers = tab_tiers
    if "with priority" in h:
        tiers = ("priority",)
    elif "with flex/batch" in h:
        tiers = ("flex", "batch")
    elif "batch api" in h:
        tiers = ("batch",)
    context = LONG_CONTEXT if re.search(r">\s*200k", h) else 0
    key = "cache_read" if "cached" in h else None
    return key, tiers, context


def _region_amounts(text: str) -> list[tuple[Decimal, str]]:
    """``$0.25 (Global) $0.275 (Non-global)*`` -> [(0.25, ""), (0.275, "non-global")]; else [(x, "")]."""
    parts = re.findall(r"\$\s?([\d.,]+)\s*\(([^)]+)\)", text)
    if parts:
        return [(money_amounts("$" + a)[0], _region(r)) for a, r in parts]
    amounts = money_amounts(text)
    return [(amounts[0], "")] if len(amounts) == 1 else []


def _grid_table(table: Table, tab: str, em: _Emitter) -> None:
    header = table.header()
    tab_tiers = _TIERS.get(_norm(tab), ("standard",))
    cols = {c: spec for c, h in enumerate(header) if (spec := _column_spec(h, tab_tiers))}
    if any(_norm(h).startswith("storage") for h in header):
        # context-cache tables: "Price" is the cached-input price; the storage column (per token-hour) is
        # not a vocabulary unit and is reported as a warning, not read.
        cols = {c: ("cache_read", spec[1], spec[2]) for c, spec in cols.items()}
        em.out.warnings.append(f"not read: storage column of table {table.heading!r}")
    has_region = any(_norm(h) == "region" for h in header)
    tab_region = _heading_region(tab)
    model = kind = ""
    for row in table.body():
        texts = [c.text for c in row]
        model = _clean_model(texts[0]) or model
        kind = texts[1] or kind
        priced = [c for c in cols if money_amounts(texts[c])]
        if not priced:
            continue
        if len(texts[1]) > 120 or any(len(texts[c]) > 120 or "per 1,000" in texts[c] for c in priced):
            em.out.warnings.append(f"ignored prose row {texts[0][:40]!r} in table {table.heading!r}")
            continue
        ku = _key_unit(kind)
        if ku is None:
            em.out.unmapped_columns.append(f"{table.heading}: {kind}")
            continue
        key, unit = ku
        row_tiers = ("batch",) if re.search(r"\bbatch\b", _norm(kind)) else None
        row_region = _region(texts[2]) if has_region else tab_region
        for c in priced:
            col_key, tiers, context = cols[c]
            price_key = key
            if col_key == "cache_read":
                price_key = {"input_audio": "cache_read_audio", "input_image": "cache_read_image"}.get(
                    key, "cache_read"
                )
            elif col_key:
                price_key = col_key
            for price, cell_region in _region_amounts(texts[c]):
                em.add(
                    model,
                    price_key,
                    unit,
                    price,
                    f"{kind} / {header[c]}",
                    tiers=row_tiers or tiers,
                    context_min_tokens=context,
                    region=cell_region or row_region,
                )


_LABEL_PRICE = re.compile(r"([A-Za-z0-9][A-Za-z0-9 ]*?):\s*\$\s?([\d.,]+)")


def _label_table(table: Table, tab: str, em: _Emitter) -> None:
    header = table.header()
    # Only the Claude-style tables ("Price (/1M tokens) =< 200K") sit under region tabs/headings; the
    # "Model | Pricing" tables sit under vendor headings ("xAI's Grok models"), which are not regions.
    region = _heading_region(tab) if _norm(header[1]).startswith("price (") else ""
    for row in table.body():
        model = _clean_model(row[0].text)
        for c in range(1, len(row)):
            context = LONG_CONTEXT if re.search(r">\s*200k", _norm(header[c])) else 0
            for label, amount in _LABEL_PRICE.findall(row[c].text):
                ku = _key_unit(label)
                if ku is None:
                    em.out.unmapped_columns.append(f"{table.heading}: {label}")
                    continue
                tiers = ("batch",) if "batch" in label.lower() else ("standard",)
                em.add(
                    model,
                    ku[0],
                    ku[1],
                    money_amounts("$" + amount)[0],
                    f"{header[c]}: {label}",
                    tiers=tiers,
                    context_min_tokens=context,
                    region=region,
                )


def _media_table(table: Table, em: _Emitter) -> None:
    header = [_norm(h) for h in table.header()]
    price_col = header.index("price")
    res_col = header.index("output resolution") if "output resolution" in header else None
    model = ""
    for row in table.body():
        model = _clean_model(row[0].text) or model
        key = ""
        text = row[price_col].text
        amounts = money_amounts(text)
        if len(amounts) != 1:
            if "$" in text:
                em.out.warnings.append(f"no list price for {model} {row[1].text}: {text!r}")
            continue
        t = text.lower()
        variant = row[1].text + (f" {row[res_col].text}" if res_col is not None else "")
        price = amounts[0]
        if "embeddings" in row[1].text.lower():
            key = "input_video" if "video" in t else "input_image" if "image" in t else "input"
        if "song" in t or re.search(r"per \d+ seconds?\b", t):
            # music: priced per song or per N-second clip, not per second
            key, unit = "output_audio", "per_unit"
            variant = f"{variant}: {text.split(' per ', 1)[-1]}"
        elif "1k characters" in t:
            key, unit, price = "input", "per_1m_characters", price * 1000
        elif "second" in t:
            key = key if "embeddings" in row[1].text.lower() else "output_video"
            unit = "per_second"
        elif "image" in t:
            key = key if "embeddings" in row[1].text.lower() else "output_image"
            unit = "per_image"
        else:
            em.out.unmapped_columns.append(f"{table.heading}: {text}")
            continue
        em.add(model, key, unit, price, "Price", variant=variant)


def _tuning_table(table: Table, em: _Emitter) -> None:
    header = table.header()
    unit = "per_1m_characters" if "character" in header[2].lower() else "per_1m_tokens"
    for row in table.body():
        amounts = money_amounts(row[2].text)
        if len(amounts) == 1:
            em.add(_clean_model(row[0].text), "training", unit, amounts[0], header[2], variant=row[1].text)


def _classify(table: Table) -> str:
    h = [_norm(x) for x in table.header()]
    if tuple(h[:2]) in _IGNORED or tuple(h[:3]) in _IGNORED or (h and "customer preference" in h[0]):
        return "ignored"  # the last: Model Optimizer worked examples, not list prices
    if len(h) >= 3 and h[:2] == ["model", "type"] and "training" in h[2]:
        return "tuning"
    if h[:2] == ["model", "type"] and any(x.startswith(("price", "modelprice")) for x in h[2:]):
        if "region" in h and any("price per 1,000" in x for x in h):
            return "ignored"  # embeddings: "Online requests: $x Batch requests: $y" per 1K
        return "grid"
    if h[:1] == ["model"] and len(h) > 1 and (h[1] == "pricing" or h[1].startswith("price (/1m tokens)")):
        return "label"
    if h[:2] == ["model", "feature"] and "price" in h:
        return "media"
    return "other"


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every list price in the Vertex generative-AI pricing tables we recognise."""
    marker = challenge_marker(body)
    if marker:
        raise PageBlocked(f"vertex: bot challenge page ({marker})")
    root = parse_document(body)
    tabs = _tab_labels(root)
    out = Extraction()
    em = _Emitter(out)
    for table in parse_tables(root, drop=("sup",)):
        family = _classify(table)
        tab = _tab_of(table, tabs)
        if family == "grid":
            _grid_table(table, tab, em)
        elif family == "label":
            _label_table(table, tab, em)
        elif family == "media":
            _media_table(table, em)
        elif family == "tuning":
            _tuning_table(table, em)
        elif any("$" in c for row in table.texts for c in row):
            note = f"table {table.heading!r} ({' | '.join(table.header()[:3])})"
            if family == "ignored":
                out.warnings.append(f"not read (prose or not a list price): {note}")
            else:
                out.unmapped_columns.append(note)
    if not out.items:
        raise LayoutChanged("vertex: no recognisable price table")
    return out
