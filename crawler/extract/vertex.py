"""Google Vertex AI (Agent Platform) generative-AI pricing page: devsite HTML, tabbed, rowspan rows.

Table families read (anything else holding ``$`` is reported in ``unmapped_columns``; prose, worked
examples and units outside the vocabulary stay in ``warnings``):

* grid tables ``Model | Type | [Region] | Price ... <= 200K | > 200K | cached ...``: the tier comes from the
  header ("with Priority", "with Flex/Batch", "Price with Batch API") or the tab heading; the
  ``> 200K`` columns are long-context rows (``context_min_tokens=200000``); a cell
  ``$0.25 (Global) $0.275 (Non-global)*`` gives two regions. "Flex/Batch" prices are emitted for both tiers.
  A ``Storage (M tok-hour)`` column -> ``cache_storage`` per 1M tokens per hour (audio storage: variant
  ``audio``); a ``Storage (Modality-hour)`` column (per 1M characters / image / second per hour) has no unit
  in the vocabulary and stays a warning.
* label-list tables ``Model | Pricing`` or ``Model | Price (/1M tokens) =< 200K ...`` with cells like
  ``Input: $5.00 Output: $25.00 Batch Input: $2.50 ...`` (partner models: Claude, Grok, DeepSeek, ...);
  the region comes from the tab heading (``Global``, ``us-east5``, ``EU Multi-Region (eu)``).
* media tables (Imagen per image, Veo per second, Lyria per song) and model-tuning tables.
* grounding (``Feature | Pricing`` tables and grounding rows inside model tables): "$35 per 1,000 grounded
  prompts" / "$14 per 1,000 search queries" -> ``search`` (``maps_grounding`` for Maps; variants
  ``web grounding for enterprise``, ``grounding with your data``) per 1,000 queries, as the gemini extractor
  and LiteLLM count them; the page's own wording is kept in ``source_field``. The page prices grounding per
  model family, so the model is the section's family ("Gemini 2.5 models"); free daily quotas are not modelled.
* ``Context Cache Storage price for Explicit Caching`` (``$4.5 (/M Tok/hr)``) -> ``cache_storage``.
* ``Pricing for tools`` (Claude web search, "$10 per 1000 searches", listed models) -> ``search`` per model.
* ``Provisioned Throughput`` (``Duration | Price per GSU | Per``) -> model ``Provisioned Throughput``, key
  ``usage``, unit ``per_unit``, variant ``GSU 1 month commit, per month``; Global and Non-Global regions.
* per-1,000 tables (embeddings, code completion): "Online requests: $x Batch requests: $y" -> standard and
  batch; per 1,000 tokens stays ``per_1k_tokens`` (the normalize pipeline scales it); per 1,000 characters is
  scaled x1000 to ``per_1m_characters`` here, with the page's own number kept in ``source_field``.
* ``Translation (Text)`` (per million characters, one ``tbody`` per model) and the legacy ``Other Gemini
  models`` table (Gemini 1.5/1.0: one line per modality in a cell, ``/ image``, ``/ second``, ``/ 1k characters``;
  ``> 128K`` columns -> ``context_min_tokens=128000``).

Kept as warnings: the Model Optimizer worked examples (not list prices), "$ per node hour" prose, the
modality-hour storage column, and a conflicting repeat (the us-east5 Claude Sonnet 4.6 cell carries an
unlabelled second set "Input: $6.60 Output: $24.75 ..." that equals Sonnet 4.5's > 200K prices; the page does
not say what it is, so the first is kept and the repeat warned).

Vendor is ``vertex`` for every row (Vertex sells the partner models too); the model name is the page's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.html_tables import Table, element_text, parse_document, parse_tables
from aiprices.crawler.parsers.price_text import money_amounts, price_segments
from aiprices.crawler.vocabulary import meaning

VENDOR = "vertex"
LONG_CONTEXT = 200_000
_TIERS = {"standard": ("standard",), "priority": ("priority",), "flex/batch": ("flex", "batch")}

# Headings that name a tab or a pricing mode inside a section, not the section (model family) itself.
_SUBHEADINGS = ("standard", "priority", "flex/batch", "token-based pricing", "modality-based pricing")
_SECTION_TAGS = ("h2", "h3", "h4")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


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
    return {b.get("id"): element_text(b) for b in root.iter("button") if b.get("role") == "tab" and b.get("id")}


def _tab_of(table: Table, tabs: dict[str, str]) -> str:
    node = table.el.getparent()
    while node is not None:
        if node.get("role") == "tabpanel" and node.get("aria-labelledby") in tabs:
            return tabs[node.get("aria-labelledby")]
        node = node.getparent()
    return table.heading


def _add(em: Emitter, model: str, key: str, unit: str, price: Decimal, field: str, tiers=("standard",), **kw) -> None:
    """One price, for each tier it is published for ("Flex/Batch" prices are both)."""
    for tier in tiers:
        em.add(model, key, unit, price, field, tier=tier, **kw)


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
    segments = [(amount, re.match(r"\s*\(([^)]+)\)", qual)) for amount, qual in price_segments(text)]
    if segments and all(region for _, region in segments):
        return [(amount, _region(region.group(1))) for amount, region in segments]
    return [(segments[0][0], "")] if len(segments) == 1 else []


def _grid_table(table: Table, tab: str, section: str, em: Emitter) -> None:
    header = table.header()
    tab_tiers = _TIERS.get(_norm(tab), ("standard",))
    cols = {c: spec for c, h in enumerate(header) if (spec := _column_spec(h, tab_tiers))}
    storage = [c for c, h in enumerate(header) if _norm(h).startswith("storage")]
    if storage:
        # context-cache tables: "Price" is the cached-input price; "Storage (M tok-hour)" is the cache storage
        # price per 1M tokens per hour. "Storage (Modality-hour)" (per 1M characters / image / second per hour)
        # has no unit in the vocabulary: reported, not read.
        cols = {c: ("cache_read", spec[1], spec[2]) for c, spec in cols.items()}
        for c in storage:
            if _norm(header[c]) == "storage (m tok-hour)":
                cols[c] = ("cache_storage", ("standard",), 0)
            else:
                em.out.warnings.append(
                    f"not read: {header[c]!r} column of table {table.heading!r} (per character/image/second-hour:"
                    " no such unit)"
                )
    has_region = any(_norm(h) == "region" for h in header)
    tab_region = _heading_region(tab)
    model = kind = ""
    for row in table.body():
        texts = [c.text for c in row]
        model = _clean_model(texts[0]) or model
        kind = texts[1] or kind
        priced = [c for c in cols if money_amounts(texts[c])]
        if not em.row(f"{table.heading} [{tab}]: {model} {kind} {texts[2] if has_region else ''}", *texts[1:]):
            continue
        if any(len(t) > 120 or "per 1,000" in t for t in texts[1:]):  # a grounding row, in whichever column
            _grounding_row(texts[0], texts[1:], section, em)  # else prose: the row stays unpriced
            continue
        found = meaning(kind, VENDOR)
        if found is None:
            em.out.unmapped_columns.append(f"{table.heading}: {kind}")
            continue
        key, unit = found.key, found.unit
        row_tiers = (found.tier,) if found.tier else None
        row_region = _region(texts[2]) if has_region else tab_region
        for c in priced:
            col_key, tiers, context = cols[c]
            price_key = key
            if col_key == "cache_storage":
                amounts = money_amounts(texts[c])
                if unit != "per_1m_tokens" or key not in ("input", "input_audio") or len(amounts) != 1:
                    em.out.warnings.append(f"not read: storage price of {model} {kind!r} (unit {unit})")
                    continue
                em.add(
                    model,
                    "cache_storage",
                    "per_1m_tokens_hour",
                    amounts[0],
                    f"{kind} / {header[c]}",
                    region=row_region,
                    variant="audio" if key == "input_audio" else "",
                )
                continue
            if col_key == "cache_read":
                price_key = {"input_audio": "cache_read_audio", "input_image": "cache_read_image"}.get(
                    key, "cache_read"
                )
            elif col_key:
                price_key = col_key
            for price, cell_region in _region_amounts(texts[c]):
                region = cell_region or row_region
                field = f"{kind} / {header[c]}"
                _add(em, model, price_key, unit, price, field, row_tiers or tiers, context=context, region=region)


_LABEL_PRICE = re.compile(r"([A-Za-z0-9][A-Za-z0-9 ]*?):\s*\$\s?([\d.,]+)")


def _label_table(table: Table, tab: str, em: Emitter) -> None:
    header = table.header()
    # Only the Claude-style tables ("Price (/1M tokens) =< 200K") sit under region tabs/headings; the
    # "Model | Pricing" tables sit under vendor headings ("xAI's Grok models"), which are not regions.
    region = _heading_region(tab) if _norm(header[1]).startswith("price (") else ""
    for row in table.body():
        model = _clean_model(row[0].text)
        em.row(f"{table.heading} [{tab}]: {model}", *(c.text for c in row[1:]))
        for c in range(1, len(row)):
            context = LONG_CONTEXT if re.search(r">\s*200k", _norm(header[c])) else 0
            for label, amount in _LABEL_PRICE.findall(row[c].text):
                found = meaning(label, VENDOR)
                if found is None:
                    em.out.unmapped_columns.append(f"{table.heading}: {label}")
                    continue
                price, field = money_amounts("$" + amount)[0], f"{header[c]}: {label}"
                tier = found.tier or "standard"
                em.add(model, found.key, found.unit, price, field, tier=tier, context=context, region=region)


def _media_table(table: Table, em: Emitter) -> None:
    header = [_norm(h) for h in table.header()]
    price_col = header.index("price")
    res_col = header.index("output resolution") if "output resolution" in header else None
    model = ""
    for row in table.body():
        model = _clean_model(row[0].text) or model
        key = ""
        text = row[price_col].text
        amounts = money_amounts(text)
        if not em.row(f"{table.heading}: {model} {row[1].text}", text) or len(amounts) != 1:
            continue  # "$ per node hour (custom training pricing)": no list price, the row stays unpriced
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


def _tuning_table(table: Table, em: Emitter) -> None:
    header = table.header()
    unit = "per_1m_characters" if "character" in header[2].lower() else "per_1m_tokens"
    for row in table.body():
        amounts = money_amounts(row[2].text)
        if em.row(f"{table.heading}: {row[0].text} {row[1].text}", row[2].text) and len(amounts) == 1:
            em.add(_clean_model(row[0].text), "training", unit, amounts[0], header[2], variant=row[1].text)


# --- grounding, tools, provisioned throughput -------------------------------------------------------------

_GROUNDING_PRICE = re.compile(
    r"\$\s?([\d.,]+)\s+per\s+1,?000\s+(grounded prompts|search queries|queries|requests?|prompts)\b", re.I
)


def _family_model(section: str) -> str:
    """Section heading -> the model family it prices ("Gemini 2.5" -> "Gemini 2.5 models")."""
    base = re.sub(r"\s*\bmodels\s*$", "", section.strip(), flags=re.I)
    return f"{base} models"


def _grounding_keys(label: str) -> list[tuple[str, str]]:
    """Grounding feature label -> [(price_key, variant)]; one label may name two features."""
    t = _norm(label)
    if "maps" in t:
        return [("maps_grounding", "")]
    if "your data" in t:
        return [("search", "grounding with your data")]
    keys = []
    if "google search" in t or "google web search" in t:
        keys.append(("search", ""))
    if "enterprise" in t:
        keys.append(("search", "web grounding for enterprise"))
    return keys


def _grounding_row(label: str, cells: list[str], section: str, em: Emitter) -> bool:
    """Read one grounding row ("... billed at $35 per 1,000 grounded prompts ..."); False if not readable."""
    keys = _grounding_keys(label)
    found = {(m.group(1), m.group(2).lower()) for cell in cells for m in _GROUNDING_PRICE.finditer(cell)}
    amounts = {money_amounts("$" + a)[0] for a, _ in found}
    if not keys or not section or len(amounts) != 1:
        return False
    amount, wording = sorted(found)[0]
    price = amounts.pop()
    for key, variant in keys:
        field = f"{_clean_model(label)}: ${amount} per 1,000 {wording}"
        em.add(_family_model(section), key, "per_1k_queries", price, field, variant=variant)
    return True


def _grounding_table(table: Table, section: str, em: Emitter) -> None:
    """``Feature | Pricing`` tables after a model family's tabs: one grounding feature per row."""
    for row in table.body():
        texts = [c.text for c in row]
        if em.row(f"{section} grounding: {texts[0]}", *texts[1:]):
            _grounding_row(texts[0], texts[1:], section, em)  # else prose: the row stays unpriced


_TOOL_PRICE = re.compile(r"\$\s?([\d.,]+)\s+per\s+1,?000\s+searches\b", re.I)
_SUPPORTED = re.compile(r"Models Supported:\s*(.+?)\.?\s*$", re.I)


def _tools_table(table: Table, em: Emitter) -> None:
    """``Tool | Price``: "$10 per 1000 searches Models Supported: Claude Haiku 4.5, ..." -> search per model."""
    for row in table.body():
        tool, text = row[0].text, row[1].text
        price, models = _TOOL_PRICE.search(text), _SUPPORTED.search(text)
        if not em.row(f"{table.heading}: {tool}", text) or "search" not in tool.lower() or not price or not models:
            continue
        amount = money_amounts("$" + price.group(1))[0]
        for model in re.split(r",\s*|\s+and\s+", models.group(1)):
            if model.strip():
                em.add(_clean_model(model), "search", "per_1k_queries", amount, f"{tool}: {price.group(0)}")


def _gsu_table(table: Table, em: Emitter) -> None:
    """Provisioned Throughput ``Duration | Price per GSU | Per``: a list price per GSU and commit term."""
    header = table.header()
    for row in table.body():
        duration, cell, per = row[0].text, row[1].text, row[2].text
        amounts = _region_amounts(cell)
        if not em.row(f"{table.heading}: {duration}", cell) or not per:
            continue
        for price, region in amounts:
            em.add(
                "Provisioned Throughput",
                "usage",
                "per_unit",
                price,
                f"{header[1]} ({per})",
                region=region,
                variant=f"GSU {_norm(duration)}, per {_norm(per)}",
            )


# --- per-1,000 tables (embeddings, code completion), translation, legacy Gemini -----------------------------

_ONLINE_BATCH = re.compile(r"(Online|Batch) requests:\s*(\$\s?[\d.,]+|No charge)", re.I)


def _per_1k_table(table: Table, em: Emitter) -> None:
    """``Model | Type | [Region] | Price per 1,000 input tokens|characters``, cells "Online requests: $x ...".

    Per 1,000 tokens is published as ``per_1k_tokens``; per 1,000 characters is scaled x1000 to
    ``per_1m_characters`` (exact Decimal), the page's number staying in ``source_field``.
    """
    header = table.header()
    hn = [_norm(h) for h in header]
    price_col = next(c for c, h in enumerate(hn) if h.startswith("price per 1,000"))
    chars = "character" in hn[price_col]
    region_col = hn.index("region") if "region" in hn else None
    for row in table.body():
        texts = [c.text for c in row]
        em.row(f"{table.heading}: {' '.join(texts[:price_col])}", texts[price_col])
        values = _ONLINE_BATCH.findall(texts[price_col])
        labels = re.findall(r"([A-Za-z][A-Za-z ]*?):", texts[1])
        if labels:  # "Input: Output: Batch Input: Batch Output:" glued, one value each, in order
            ok = len(labels) == len(values) and all(
                ("batch" in lab.lower()) == (kind.lower() == "batch")
                for lab, (kind, _) in zip(labels, values, strict=True)
            )
            pairs = list(zip(labels, values, strict=True)) if ok else []
        else:
            pairs = [(texts[1], v) for v in values]
        for label, (kind, value) in pairs:
            lab = _norm(label)
            key = "output" if "output" in lab else "input" if "input" in lab else None
            if not value.startswith("$") or key is None:
                continue  # "No charge": nothing to price
            published = money_amounts(value)[0]
            unit, price = ("per_1m_characters", published.scaleb(3)) if chars else ("per_1k_tokens", published)
            em.add(
                _clean_model(texts[0]),
                key,
                unit,
                price,
                f"{header[price_col]}: {kind} requests: {value}",
                tier="batch" if kind.lower() == "batch" else "standard",
                region=_region(texts[region_col]) if region_col is not None else "",
            )


_PER_MILLION_CHARS = re.compile(r"^\$\s?([\d.,]+) per million characters$", re.I)


def _translation_table(table: Table, em: Emitter) -> None:
    """``Translation (Text)``: one ``tbody`` per model (its rowspans overrun the tbody, so read the markup)."""
    for body in table.el.iter("tbody"):
        model = method = ""
        for tr in body.iter("tr"):
            cells = [element_text(td, drop=("sup",)) for td in tr.iter("td")]
            if len(cells) == 4:
                model, method = _clean_model(cells[0]), cells[1]
            usage, text = (cells[-2], cells[-1]) if len(cells) >= 2 else ("", "")
            m = _PER_MILLION_CHARS.match(text)
            key = "input" if "input" in usage.lower() else "output" if "output" in usage.lower() else None
            if not em.row(f"{table.heading}: {model} {method} {usage}", text) or not model or not m or key is None:
                continue
            em.add(model, key, "per_1m_characters", money_amounts(text)[0], text, variant=_norm(method))


_LEGACY_VALUE = re.compile(r"\$\s?([\d.]+)\s*/\s*(image|second|1k characters|M tokens)", re.I)
_LEGACY_LABEL = re.compile(r"(Image|Video|Text|Audio) (Input|Output)|Training Token", re.I)
_LEGACY_UNIT = {"image": "image", "video": "second", "audio": "second", "text": "1k characters"}


def _legacy_table(table: Table, section: str, em: Emitter) -> None:
    """``Other Gemini models`` (Gemini 1.5/1.0): one line per modality, each value carrying its own unit."""
    header = table.header()
    model = ""
    for row in table.body():
        texts = [c.text for c in row]
        model = _clean_model(texts[0]) or model
        if not em.row(f"{table.heading}: {model} {texts[1]} {texts[2]}", *texts[3:]) and not _grounding_keys(texts[0]):
            continue
        if _grounding_keys(texts[0]):
            _grounding_row(texts[0], texts[1:], section, em)  # else prose: the row stays unpriced
            continue
        labels = _LEGACY_LABEL.findall(texts[2])
        labels = [f"{m} {d}".lower() if m else "training token" for m, d in labels]
        for c in range(3, len(header)):
            values = _LEGACY_VALUE.findall(texts[c])
            if not values:
                continue
            context = 128_000 if re.search(r">\s*128k", _norm(header[c])) else 0
            ok = len(values) == len(labels) and all(
                (lab == "training token" and u.lower() == "m tokens") or _LEGACY_UNIT.get(lab.split()[0]) == u.lower()
                for lab, (_, u) in zip(labels, values, strict=True)
            )
            if not ok:
                em.out.warnings.append(f"not read: {model} {texts[2]!r} {texts[c]!r}")
                continue
            for lab, (amount, u) in zip(labels, values, strict=True):
                published = money_amounts("$" + amount)[0]
                field = f"{lab} / {header[c]}: ${amount} / {u}"
                if lab == "training token":
                    em.add(model, "training", "per_1m_tokens", published, field, context=context)
                    continue
                modality, direction = lab.split()
                key = direction if modality == "text" else f"{direction}_{modality}"
                if u.lower() == "1k characters":
                    unit, price = "per_1m_characters", published.scaleb(3)
                else:
                    unit, price = f"per_{u.lower()}", published
                em.add(model, key, unit, price, field, context=context)


def _storage_table(table: Table, em: Emitter) -> None:
    """``Context Cache Storage price for Explicit Caching``: ``$4.5 (/M Tok/hr)`` per context band."""
    header = table.header()
    for row in table.body():
        texts = [c.text for c in row]
        em.row(f"{table.heading}: {texts[0]} {texts[1]}", *texts[3:])
        for c in range(3, len(header)):
            if not re.fullmatch(r"\$\s?([\d.,]+)\s*\(/M Tok/hr\)", texts[c], re.I):
                continue
            em.add(
                _clean_model(texts[0]),
                "cache_storage",
                "per_1m_tokens_hour",
                money_amounts(texts[c])[0],
                f"{texts[1]} / {header[c]}",
                context=LONG_CONTEXT if re.search(r">\s*200k", _norm(header[c])) else 0,
            )


def _sections(root) -> dict:
    """Table element -> the heading of the section (model family) it sits in, skipping tab headings."""
    out, current = {}, ""
    for el in root.iter(*_SECTION_TAGS, "table"):
        if el.tag == "table":
            out[el] = current
        elif _norm(element_text(el)) not in _SUBHEADINGS:
            current = element_text(el)
    return out


def _classify(table: Table) -> str:
    h = [_norm(x) for x in table.header()]
    if h and "customer preference" in h[0]:
        return "ignored"  # Model Optimizer worked examples, not list prices
    if h[:2] == ["feature", "pricing"]:
        return "grounding"
    if h[:2] == ["tool", "price"]:
        return "tools"
    if h[:2] == ["duration", "price per gsu"]:
        return "gsu"
    if h[:2] == ["model", "method"]:
        return "translation"
    if h[:3] == ["model", "feature", "type"]:
        return "storage" if any("tok/hr" in c.lower() for r in table.texts for c in r) else "legacy"
    if len(h) >= 3 and h[:2] == ["model", "type"] and "training" in h[2]:
        return "tuning"
    if h[:2] in (["model", "type"], ["open source model", "type"]) and any(x.startswith("price per 1,000") for x in h):
        return "per1k"
    if h[:2] == ["model", "type"] and any(x.startswith(("price", "modelprice")) for x in h[2:]):
        return "grid"
    if h[:1] == ["model"] and len(h) > 1 and (h[1] == "pricing" or h[1].startswith("price (/1m tokens)")):
        return "label"
    if h[:2] == ["model", "feature"] and "price" in h:
        return "media"
    return "other"


# Table family -> reader(table, tab label, section heading, emitter); see the module docstring.
_READERS = {
    "grid": lambda t, tab, section, em: _grid_table(t, tab, section, em),
    "label": lambda t, tab, section, em: _label_table(t, tab, em),
    "media": lambda t, tab, section, em: _media_table(t, em),
    "tuning": lambda t, tab, section, em: _tuning_table(t, em),
    "grounding": lambda t, tab, section, em: _grounding_table(t, section, em),
    "tools": lambda t, tab, section, em: _tools_table(t, em),
    "gsu": lambda t, tab, section, em: _gsu_table(t, em),
    "per1k": lambda t, tab, section, em: _per_1k_table(t, em),
    "translation": lambda t, tab, section, em: _translation_table(t, em),
    "legacy": lambda t, tab, section, em: _legacy_table(t, section, em),
    "storage": lambda t, tab, section, em: _storage_table(t, em),
}


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every list price in the Vertex generative-AI pricing tables we recognise."""
    root = parse_document(body)
    tabs = _tab_labels(root)
    sections = _sections(root)
    em = Emitter(VENDOR)
    for table in parse_tables(root, drop=("sup",)):
        family = _classify(table)
        tab = _tab_of(table, tabs)
        reader = _READERS.get(family)
        if reader is not None:
            reader(table, tab, sections.get(table.el, ""), em)
            continue
        seen = [em.row(f"{table.heading}: {row[0].text}", *(c.text for c in row[1:])) for row in table.body()]
        if family != "ignored" and any(seen):  # an unknown table with prices (worked examples are "ignored")
            em.out.unmapped_columns.append(f"table {table.heading!r} ({' | '.join(table.header()[:3])})")
    if not em.out.items:
        raise LayoutChanged("vertex: no recognisable price table")
    return em.finish()
