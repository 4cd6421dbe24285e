"""Together AI: the serverless-models docs twin (Mintlify markdown) and the GET /v1/models JSON.

Docs (``docs.md``): one table per modality, found by its header, not its position:
- chat / vision: "Input / Cached input / Output pricing (per 1M tokens)" -> input, cache_read, output;
  "Free" is a published zero; "-" is no item.
- image: "Unit" + "Price": ``image`` -> ``output_image`` per image, ``megapixel`` -> per 1M pixels; the
  qualifier after the amount becomes the variant ("$0.039+" -> ``from``: the docs call these estimates;
  "$0.134 at 1K or 2K" -> ``at 1K or 2K``). "Output per $1" is derived, not a price.
- video: "Price per video" -> ``output_video`` with unit ``per_unit`` and variant ``per video[ <res>]``.
- audio: "$15.00 per 1M chars" (text-to-speech input) and "$0.0015 per audio min" (speech-to-text).
The API string column gives ``model`` (lower-cased); the model name column is the page's name.

API (``api-models.json``): ``pricing`` fields are USD per 1M tokens. A ``0`` means "not priced in this
field" (image and video models show 0 everywhere although they are not free), so zeros are never emitted.
Audio (TTS) and transcribe entries are skipped with a warning: their fields are not per-token prices and
the API does not say their unit. Embedding and rerank entries have only an input price.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.markdown import MdTable, parse_tables
from aiprices.crawler.parsers.price_text import is_blank, is_free, money_amounts

VENDOR = "together"
TOKENS = "per_1m_tokens"

_TOKEN_COLUMNS = (
    (re.compile(r"^cached input pricing", re.I), "cache_read"),
    (re.compile(r"^input pricing", re.I), "input"),
    (re.compile(r"^output pricing", re.I), "output"),
)
_ID_COLUMN = re.compile(r"^(api model string|model string for api)$", re.I)
_NOT_PRICES = re.compile(
    r"^(organization|model name|context length|quantization|function calling|structured outputs|unit|"
    r"output per \$1|resolution / duration|modality)$",
    re.I,
)
_AMOUNT_HEAD = re.compile(r"^\$\s?(\d+(?:\.\d+)?)")
_AUDIO = (
    (re.compile(r"per 1M chars?", re.I), "input", "per_1m_characters"),
    (re.compile(r"per audio min", re.I), "input_audio", "per_minute"),
)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of a Together docs page or of one /v1/models response."""
    if challenge_marker(body):
        raise PageBlocked(f"together: bot challenge at {url}")
    if kind.endswith("json") or body.lstrip()[:1] in (b"[", b"{"):
        return _api(body, url)
    ex = Extraction()
    for t in parse_tables(body.decode("utf-8", "replace")):
        _table(ex, t)
    _dedupe(ex)
    if not ex.items:
        raise LayoutChanged(f"together: no model price table at {url}")
    return ex


# --- docs --------------------------------------------------------------------------------------


def _item(
    ex: Extraction,
    row: dict,
    model_id: str | None,
    key: str,
    unit: str,
    price: Decimal,
    field: str,
    variant: str = "",
) -> None:
    ex.items.append(
        page_price(
            vendor=VENDOR,
            model_name=row.get("Model name", "") or (model_id or ""),
            model=model_id.lower() if model_id else None,
            price_key=key,
            unit=unit,
            price=price,
            source_field=field,
            variant=variant,
        )
    )


def _single(cell: str, context: str) -> Decimal | None:
    """The one amount of a cell; Decimal(0) for "Free"; None for "-"."""
    if is_blank(cell):
        return None
    if is_free(cell):
        return Decimal(0)
    amounts = money_amounts(cell)
    if len(amounts) != 1:
        raise LayoutChanged(f"together: {context}: cell {cell!r} does not hold one price")
    return amounts[0]


def _table(ex: Extraction, t: MdTable) -> None:
    id_col = next((h for h in t.header if _ID_COLUMN.match(h)), None)
    if id_col is None:
        return  # not a model table (no API model string column)
    handled: set[str] = {id_col}
    for header in t.header:
        key = next((k for pat, k in _TOKEN_COLUMNS if pat.match(header)), None)
        if key:
            handled.add(header)
            for row in t.records():
                price = _single(row[header], f"{row[id_col]} {header}")
                if price is not None:
                    _item(ex, row, row[id_col], key, TOKENS, price, header)
    if "Price" in t.header and "Unit" in t.header:
        handled.add("Price")
        for row in t.records():
            _image(ex, row, row[id_col])
    if "Price per video" in t.header:
        handled.add("Price per video")
        for row in t.records():
            price = _single(row["Price per video"], row[id_col])
            res = row.get("Resolution / duration", "")
            variant = "per video" + (f" {res}" if res and not is_blank(res) else "")
            if price is not None:
                _item(ex, row, row[id_col], "output_video", "per_unit", price, "Price per video", variant)
    if "Pricing" in t.header:
        handled.add("Pricing")
        for row in t.records():
            _audio(ex, row, row[id_col])
    ex.unmapped_columns += [
        f"{t.heading}: {h}" for h in t.header if h not in handled and not _NOT_PRICES.match(h)
    ]


def _image(ex: Extraction, row: dict, model_id: str) -> None:
    cell = row["Price"]
    m = _AMOUNT_HEAD.match(cell)
    if not m:
        raise LayoutChanged(f"together: image price {cell!r} for {model_id}")
    rest = re.sub(r"\(varies\)", "", cell[m.end() :]).strip()
    variant = "from" if rest.startswith("+") and not rest[1:].strip() else rest.lstrip("+ ").strip()
    unit_word = row["Unit"].strip().lower()
    units = {"image": ("output_image", "per_image"), "megapixel": ("output_image", "per_1m_pixels")}
    if unit_word not in units:
        raise LayoutChanged(f"together: image unit {row['Unit']!r} for {model_id}")
    key, unit = units[unit_word]
    _item(ex, row, model_id, key, unit, Decimal(m.group(1)), "Price", variant)


def _audio(ex: Extraction, row: dict, model_id: str) -> None:
    cell = row["Pricing"]
    for pattern, key, unit in _AUDIO:
        if pattern.search(cell):
            price = _single(pattern.sub("", cell), model_id)
            if price is not None:
                _item(ex, row, model_id, key, unit, price, "Pricing")
            return
    raise LayoutChanged(f"together: audio price {cell!r} for {model_id}")


def _dedupe(ex: Extraction) -> None:
    """The vision table repeats chat models: keep one item per identity, warn if the prices differ."""
    seen: dict[tuple, Decimal] = {}
    kept = []
    for it in ex.items:
        ident = (it["source_model_key"], it["model"], it["price_key"], it["unit"], it["variant"])
        if ident in seen:
            if seen[ident] != it["price"]:
                ex.warnings.append(f"{ident}: listed twice with {seen[ident]} and {it['price']}")
            continue
        seen[ident] = it["price"]
        kept.append(it)
    ex.items = kept


# --- /v1/models JSON --------------------------------------------------------------------------------

_TOKEN_TYPES = {"chat", "language", "moderation", "code", "vision"}
_INPUT_ONLY_TYPES = {"embedding", "rerank"}
_SKIPPED_TYPES = {"audio", "transcribe"}
_FIELDS = {"input": ("input", TOKENS), "output": ("output", TOKENS), "hourly": ("hosting", "per_hour")}
_UNKNOWN_UNIT_FIELDS = ("base", "finetune")


def _api(body: bytes, url: str) -> Extraction:
    try:
        data = json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:
        raise LayoutChanged(f"together: models response is not JSON at {url}: {exc}") from exc
    models = data.get("data") if isinstance(data, dict) else data
    if not isinstance(models, list) or not all(isinstance(m, dict) and "pricing" in m for m in models):
        raise LayoutChanged(f"together: not a /v1/models list with pricing at {url}")
    ex = Extraction()
    for m in models:
        pricing = m["pricing"] or {}
        mtype = str(m.get("type", ""))
        nonzero = {k: v for k, v in pricing.items() if isinstance(v, Decimal) and v != 0}
        if not nonzero:
            continue  # 0 everywhere: priced elsewhere (per image/video) or unknown, never "free"
        if mtype in _SKIPPED_TYPES or mtype not in _TOKEN_TYPES | _INPUT_ONLY_TYPES:
            ex.warnings.append(f"{m['id']}: type {mtype!r} prices have no stated unit; skipped")
            continue
        for name, value in nonzero.items():
            if name in _UNKNOWN_UNIT_FIELDS or name not in _FIELDS:
                if f"pricing.{name}" not in ex.unmapped_columns:
                    ex.unmapped_columns.append(f"pricing.{name}")
                continue
            if name == "output" and mtype in _INPUT_ONLY_TYPES:
                continue
            key, unit = _FIELDS[name]
            ex.items.append(
                page_price(
                    vendor=VENDOR,
                    model_name=str(m["id"]),
                    model=str(m["id"]).lower(),
                    price_key=key,
                    unit=unit,
                    price=value,
                    source_field=f"pricing.{name}",
                )
            )
    if not ex.items:
        raise LayoutChanged(f"together: no priced model in the models response at {url}")
    return ex
