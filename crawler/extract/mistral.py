"""Mistral pricing page (mistral.ai/pricing, Next.js): prices live in the RSC payload, not the markup.

Two lists are embedded: the full API table (objects with ``api_endpoint``, ``price`` and ``fine_tuning``,
``price_dollar`` as HTML like ``<p>$0.5</p>``) and a featured-models grid (``api``, ``price``,
``price_dollar`` RSC-escaped as ``$$1.5``). Both are read; a featured price that repeats a full-table
price is dropped. Only the USD (``price_dollar``) amounts are emitted: the EUR ones are a separate price
list that would share the USD rows' identity. Tool prices ("$30 / 1000 calls") are converted exactly to
the vocabulary's units (per 1K requests, per page, per image).
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.price_text import is_free, money_amounts
from aiprices.crawler.parsers.rsc import objects_with, payload_text, rsc_string
from aiprices.crawler.vocabulary import meaning

VENDOR = "mistral"
_TAG = re.compile(r"<[^>]+>")
_ENTITY = {"&euro;": "€", "&amp;": "&", "&nbsp;": " ", "&rsquo;": "'"}

# Fields that describe, not price, a model: ignored without being reported as unmapped.
_NON_PRICE = re.compile(r"^(available on|api endpoint)$", re.I)
# Tool names (label "Price") -> price key.
_TOOLS = {
    "web search": "search",
    "code execution": "code_interpreter",
    "images": "output_image",
    "premium news": "request",
    "data capture": "input",
    "agent api": "request",
}


def _plain(html: str | None) -> str:
    text = _TAG.sub(" ", rsc_string(html or ""))
    for entity, char in _ENTITY.items():
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text).strip()


def _unit_of(text: str, default: str) -> tuple[str, Decimal, str]:
    """``(unit, multiplier, variant)`` for a price text; the multiplier converts the amount to ``unit``."""
    t = text.lower()
    if re.search(r"/\s*1,?000 pages|/\s*1k pages", t):
        return "per_page", Decimal("0.001"), ""
    if re.search(r"per 1k characters", t):
        return "per_1m_characters", Decimal(1000), ""
    if re.search(r"/\s*1,?000 calls", t):
        return "per_1k_requests", Decimal(1), ""
    if re.search(r"/\s*1,?000 images", t):
        return "per_image", Decimal("0.001"), ""
    if re.search(r"per call", t):
        return "per_1k_requests", Decimal(1000), ""
    if re.search(r"/\s*(per\s*)?m tokens", t):
        return "per_1m_tokens", Decimal(1), ""
    if re.search(r"month", t):
        return "per_unit", Decimal(1), "per model per month"
    return default, Decimal(1), ""


def _fields(label: str, name: str, text: str, fine_tuned: bool) -> list[tuple[str, str, Decimal, str]] | None:
    """``(price_key, unit, price, variant)`` for one price field, [] for no price, None if unmapped."""
    lab = label.strip().lower()
    amounts = money_amounts(text)
    if not amounts:
        if is_free(text):
            return [("input", "per_1m_tokens", Decimal(0), ""), ("output", "per_1m_tokens", Decimal(0), "")]
        return []
    ft = "fine-tuned" if fine_tuned else ""
    if lab.startswith("input (per min / per m tok)"):
        m = re.search(r"\$?([\d.]+)\s*\(audio\)\s*/\s*\$?([\d.]+)\s*\(text\)", text)
        if not m:
            return None
        return [
            ("input_audio", "per_minute", Decimal(m.group(1)), ft),
            ("input", "per_1m_tokens", Decimal(m.group(2)), ft),
        ]
    if len(amounts) != 1:
        return None
    found = meaning(lab, VENDOR) if lab != "price" else None
    if found is not None:
        key, default = found.key, found.unit
    elif lab == "price" and name.lower() in _TOOLS:
        key, default = _TOOLS[name.lower()], "per_1k_requests"
    else:
        return None
    unit, mult, variant = _unit_of(text, default)
    if key == "hosting":  # "$2 / month" per model: the vocabulary's unit and variant stand
        unit, mult = default, Decimal(1)
    variant = found.variant if found and found.variant else variant
    return [(key, unit, amounts[0] * mult, variant or ("" if key == "training" else ft))]


def _emit(em: Emitter, obj: dict, api: str | None, shared_ids: set[str]) -> None:
    name = obj["name"]
    model = api.lower() if api and api not in shared_ids else None
    groups = [(obj.get("price") or [], False), (obj.get("fine_tuning") or [], True)]
    for prices, fine_tuned in groups:
        for p in prices:
            label = (p.get("value") or "").strip()
            text = _plain(p.get("price_dollar"))
            field = f"{'fine_tuning' if fine_tuned else 'price'}: {label}"
            if not em.row(f"{name} {field}", text) or (_NON_PRICE.match(label) and not is_free(text)):
                continue
            fields = _fields(label, name, text, fine_tuned)
            if fields is None:
                em.out.unmapped_columns.append(f"{name}: {label}")
                continue
            for key, unit, price, variant in fields:
                em.add(name, key, unit, price, field, model=model, variant=variant)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every USD API price in the Mistral pricing page's RSC payload."""
    text = payload_text(body.decode("utf-8", "replace"))
    full = objects_with(text, ["api_endpoint", "price", "name"])
    featured = objects_with(text, ["api", "price", "name"])
    if not full and not featured:
        raise LayoutChanged("mistral: no model price objects (api_endpoint/price) in the RSC payload")
    em = Emitter(VENDOR)
    ids = [o["api_endpoint"] for o in full if o.get("api_endpoint")]
    # An API id the page gives to two different models (e.g. two "mistral-small-latest") is ambiguous.
    shared_ids = {i for i in ids if ids.count(i) > 1}
    for i in sorted(shared_ids):
        em.out.warnings.append(f"API id {i} names several models on the page; model left to the alias map")
    for obj in full:
        _emit(em, obj, obj.get("api_endpoint"), shared_ids)
    for obj in featured:
        _emit(em, obj, obj.get("api"), shared_ids)
    if not em.out.items:
        raise LayoutChanged("mistral: model objects found but no price could be read")
    return em.finish()
