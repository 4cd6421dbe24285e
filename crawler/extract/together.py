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
Audio (TTS) and transcribe entries stay unpriced in the audit: their fields are not per-token prices and the
API does not say their unit (the docs page does: "$15.00 per 1M chars", "$0.0015 per audio min").
Embedding and rerank entries have only an input price.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.markdown import MdTable, parse_tables
from aiprices.crawler.parsers.price_text import is_blank, one_amount, price_segments
from aiprices.crawler.vocabulary import meaning

VENDOR = "together"
TOKENS = "per_1m_tokens"

_ID_COLUMN = re.compile(r"^(api model string|model string for api)$", re.I)
_NOT_PRICES = re.compile(
    r"^(organization|model name|context length|quantization|function calling|structured outputs|unit|"
    r"output per \$1|resolution / duration|modality)$",
    re.I,
)
_AUDIO = (
    (re.compile(r"per 1M chars?", re.I), "input", "per_1m_characters"),
    (re.compile(r"per audio min", re.I), "input_audio", "per_minute"),
)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices of a Together docs page or of one /v1/models response."""
    if kind.endswith("json") or body.lstrip()[:1] in (b"[", b"{"):
        return _api(body, url)
    em = Emitter(VENDOR)
    for t in parse_tables(body.decode("utf-8", "replace")):
        _table(em, t)
    if not em.out.items:
        raise LayoutChanged(f"together: no model price table at {url}")
    return em.finish()


# --- docs --------------------------------------------------------------------------------------


def _table(em: Emitter, t: MdTable) -> None:
    """One model table (the vision table repeats chat models: the emitter keeps the first of each price)."""
    id_col = next((h for h in t.header if _ID_COLUMN.match(h)), None)
    if id_col is None:
        return  # not a model table (no API model string column)
    tokens = {h: m.key for h in t.header if "per 1m tokens" in h.lower() and (m := meaning(h, VENDOR))}
    readers = {"Price": _image, "Price per video": _video, "Pricing": _audio}
    handled = {id_col, *tokens, *(h for h in readers if h in t.header and (h != "Price" or "Unit" in t.header))}
    for row in t.records():
        model_id = row[id_col]
        name = row.get("Model name", "") or model_id
        em.row(f"{t.heading}: {name}", *(v for h, v in row.items() if h not in (id_col, "Model name")))
        for header, key in tokens.items():
            price = one_amount(row[header])
            if price is not None:
                em.add(name, key, TOKENS, price, header, model=model_id.lower())
        for header in handled & readers.keys():
            readers[header](em, row, name, model_id)
    em.out.unmapped_columns += [f"{t.heading}: {h}" for h in t.header if h not in handled and not _NOT_PRICES.match(h)]


def _image(em: Emitter, row: dict, name: str, model_id: str) -> None:
    cell = row["Price"]
    segments = price_segments(cell) if cell.startswith("$") else []
    if len(segments) != 1:
        raise LayoutChanged(f"together: image price {cell!r} for {model_id}")
    price, rest = segments[0][0], re.sub(r"\(varies\)", "", segments[0][1]).strip()
    variant = "from" if rest.startswith("+") and not rest[1:].strip() else rest.lstrip("+ ").strip()
    unit_word = row["Unit"].strip().lower()
    units = {"image": ("output_image", "per_image"), "megapixel": ("output_image", "per_1m_pixels")}
    if unit_word not in units:
        raise LayoutChanged(f"together: image unit {row['Unit']!r} for {model_id}")
    key, unit = units[unit_word]
    em.add(name, key, unit, price, "Price", model=model_id.lower(), variant=variant)


def _video(em: Emitter, row: dict, name: str, model_id: str) -> None:
    price = one_amount(row["Price per video"])
    res = row.get("Resolution / duration", "")
    variant = "per video" + (f" {res}" if res and not is_blank(res) else "")
    if price is not None:
        em.add(name, "output_video", "per_unit", price, "Price per video", model=model_id.lower(), variant=variant)


def _audio(em: Emitter, row: dict, name: str, model_id: str) -> None:
    cell = row["Pricing"]
    for pattern, key, unit in _AUDIO:
        if pattern.search(cell):
            price = one_amount(pattern.sub("", cell))
            if price is not None:
                em.add(name, key, unit, price, "Pricing", model=model_id.lower())
            return
    raise LayoutChanged(f"together: audio price {cell!r} for {model_id}")


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
    em = Emitter(VENDOR)
    for m in models:
        pricing = m["pricing"] or {}
        mtype = str(m.get("type", ""))
        nonzero = {k: v for k, v in pricing.items() if isinstance(v, Decimal) and v != 0}
        # 0 everywhere: priced elsewhere (per image/video) or unknown, never "free": not a priced entry
        if not em.row(f"{m['id']} ({mtype})", priced=bool(nonzero)):
            continue
        if mtype in _SKIPPED_TYPES or mtype not in _TOKEN_TYPES | _INPUT_ONLY_TYPES:
            continue  # audio / transcribe: the API states no unit for these numbers; the entry stays unpriced
        for name, value in nonzero.items():
            if name in _UNKNOWN_UNIT_FIELDS or name not in _FIELDS:
                if f"pricing.{name}" not in em.out.unmapped_columns:
                    em.out.unmapped_columns.append(f"pricing.{name}")
                continue
            if name == "output" and mtype in _INPUT_ONLY_TYPES:
                continue
            key, unit = _FIELDS[name]
            em.add(str(m["id"]), key, unit, value, f"pricing.{name}", model=str(m["id"]).lower())
    if not em.out.items:
        raise LayoutChanged(f"together: no priced model in the models response at {url}")
    return em.finish()
