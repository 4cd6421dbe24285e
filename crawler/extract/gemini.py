"""Gemini Developer API pricing (ai.google.dev/gemini-api/docs/pricing) from markdown renders (Jina).

Each model section (``## Gemini 2.5 Pro``, API id in ``_`gemini-2.5-pro`_``) has one table per service
tier; the tab links above them ("[Standard](..)[Batch](..)[Flex](..)[Priority](..)") name the tiers in
order. Tables are ``| | Free Tier | Paid Tier, per 1M tokens in USD |``: only the paid column is read.
A paid cell can hold several prices: "$1.25, prompts <= 200k tokens $2.50, prompts > 200k" -> two items
(``context_min_tokens`` 0 and 200000); "$0.30 (text / image / video) $1.00 (audio)" -> ``input`` and
``input_audio``. Grounding rows: "then $35 / 1,000 grounded prompts" -> ``search`` (Maps ->
``maps_grounding``) per 1,000 queries. Per-image / per-second tables (Imagen, Veo) -> ``output_image`` /
``output_video`` with the row label as variant.
Known gaps (reported in ``warnings``, never guessed): cache storage per hour, image-output token cells
with several per-size prices, music per song, the tools/agents prose table. The 2025-11-03 headless
render (no pipe tables) is not supported: it raises ``LayoutChanged``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.markdown import MdTable, links, parse_tables

VENDOR = "gemini"
TOKENS = "per_1m_tokens"
_TIERS = {"standard": "standard", "batch": "batch", "flex": "flex", "priority": "priority"}
_MODEL_ID = re.compile(r"^_?`([a-z0-9][a-z0-9.-]+)`_?$")
_SEGMENT = re.compile(r"\$(\d+(?:\.\d+)?)([^$]*)")
_GROUNDING = re.compile(r"then \$(\d+(?:\.\d+)?) / 1,000 (?:grounded prompts|search queries)", re.I)
_BASE_KEYS = (
    (re.compile(r"^context caching price", re.I), "cache_read"),
    (re.compile(r"^output price", re.I), "output"),
    (re.compile(r"^(?:text )?input price", re.I), "input"),
    (re.compile(r"^image input price", re.I), "input_image"),
    (re.compile(r"^audio input price", re.I), "input_audio"),
    (re.compile(r"^video input price", re.I), "input_video"),
)
_AUDIO_KEY = {"input": "input_audio", "cache_read": "cache_read_audio", "output": "output_audio"}
_IGNORED_ROWS = re.compile(r"^(used to improve our products|tuning price|context caching \(storage\))", re.I)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of the Gemini API pricing page render."""
    if challenge_marker(body):
        raise PageBlocked(f"gemini: bot challenge at {url}")
    text = body.decode("utf-8", "replace")
    tables = [t for t in parse_tables(text) if len(t.header) == 3 and t.header[1] == "Free Tier"]
    if not tables:
        raise LayoutChanged(f"gemini: no 'Free Tier / Paid Tier' tables at {url}")
    lines = text.splitlines()
    ex = Extraction()
    groups: dict[tuple[int, str], list[MdTable]] = {}
    for t in tables:
        groups.setdefault(_section_start(lines, t), []).append(t)
    for (start, heading), group in groups.items():
        prose = "\n".join(lines[start : group[0].line - 1])
        tiers = [_TIERS[x.lower()] for x, _ in links(prose) if x.lower() in _TIERS]
        if len(group) == 1 and not tiers:
            tiers = ["standard"]
        if len(tiers) != len(group):
            raise LayoutChanged(f"gemini: {heading!r} has {len(group)} tables but tabs {tiers}")
        model_id = next((m.group(1) for ln in prose.splitlines() if (m := _MODEL_ID.match(ln.strip()))), None)
        for t, tier in zip(group, tiers, strict=True):
            _table(ex, t, heading, model_id, tier)
    if not ex.items:
        raise LayoutChanged(f"gemini: no paid prices at {url}")
    return ex


def _section_start(lines: list[str], t: MdTable) -> tuple[int, str]:
    i = t.line - 1
    while i > 0 and not lines[i - 1].startswith("#"):
        i -= 1
    return i, t.heading


def _add(ex, name, model, key, unit, price, field, tier, ctx=0, variant=""):
    ex.items.append(
        page_price(
            vendor=VENDOR,
            model_name=name,
            model=model,
            price_key=key,
            unit=unit,
            price=price,
            source_field=field,
            service_tier=tier,
            context_min_tokens=ctx,
            variant=variant,
        )
    )


def _table(ex: Extraction, t: MdTable, name: str, model: str | None, tier: str) -> None:
    paid = t.header[2].lower()
    if name.lower().startswith("pricing for"):
        ex.warnings.append(f"{name}: prose table (tool/agent billing rules) not mapped")
        return
    for row in t.rows:
        label, cell = row[0], row[2] if len(row) > 2 else ""
        if _IGNORED_ROWS.match(label) or "$" not in cell:
            if _IGNORED_ROWS.match(label) and "$" in cell and not label.lower().startswith("used"):
                ex.warnings.append(f"{name} [{tier}] {label}: not mapped ({cell[:60]})")
            continue
        where = f"{name} [{tier}] {label}"
        if "grounding" in label.lower():
            m = _GROUNDING.search(cell)
            if not m:
                ex.warnings.append(f"{where}: grounding price not understood")
                continue
            key = "maps_grounding" if "maps" in label.lower() else "search"
            _add(ex, name, model, key, "per_1k_queries", Decimal(m.group(1)), label, tier)
            continue
        if "per 1m tokens" in paid:
            key = next((k for pat, k in _BASE_KEYS if pat.match(label)), None)
            if key is None:
                ex.unmapped_columns.append(f"{name}: {label}")
                continue
            _token_cell(ex, name, model, key, label, cell, tier, where)
        elif "per image" in paid or "per second" in paid:
            amounts = _SEGMENT.findall(cell)
            if len(amounts) != 1:
                ex.warnings.append(f"{where}: several prices in {cell[:60]!r}; not mapped")
                continue
            key, unit = ("output_image", "per_image") if "image" in paid else ("output_video", "per_second")
            _add(ex, name, model, key, unit, Decimal(amounts[0][0]), label, tier, variant=label)
        else:
            ex.warnings.append(f"{where}: unit {t.header[2]!r} not mapped")


def _token_cell(ex, name, model, key, label, cell, tier, where) -> None:
    for num, qual in _SEGMENT.findall(cell):
        q = qual.strip().strip(",").strip().lower()
        ctx = 0
        seg_key = key
        if "per hour" in q:
            ex.warnings.append(f"{where}: cache storage ${num} per 1M tokens per hour not mapped")
            continue
        if "prompts >" in q:
            ctx = 200_000 if "200k" in q else None
        elif "prompts <=" in q:
            ctx = 0
        elif q.startswith("(audio") and key in _AUDIO_KEY:
            seg_key = _AUDIO_KEY[key]
        elif q in (
            "",
            "(text)",
            "(text / image / video)",
            "(text, image)",
            "(text/image)",
            "(text / image)",
            "(text and thinking)",
            "(text, image, video)",
        ):
            pass
        else:
            ex.warnings.append(f"{where}: price ${num} {qual.strip()[:40]!r} not mapped")
            continue
        if ctx is None:
            raise LayoutChanged(f"gemini: {where}: long-context threshold in {q!r}")
        _add(ex, name, model, seg_key, TOKENS, Decimal(num), label, tier, ctx=ctx)
