"""AWS Price List offer files for Amazon Bedrock (``AmazonBedrock``, ``AmazonBedrockFoundationModels``).

A body is one offer (``{"offerCode": ..., "products": {sku: {attributes}}, "terms": {"OnDemand": {sku:
{term: {"priceDimensions": {id: {"unit", "pricePerUnit": {"USD"}}}}}}}}``) or the combined capture
``{"AmazonBedrock": offer, "AmazonBedrockFoundationModels": offer}``. Units ``1K tokens`` / ``1M tokens``
are kept as published (normalised to per 1M later).

* ``AmazonBedrock`` products name the model in ``attributes.model`` and the meter in ``inferenceType``
  ("Input tokens", "Output tokens flex", "output tokens batch"; ``feature`` "Batch Inference" is batch too).
  The newer ``bedrock-mantle`` usage types repeat the same prices under another endpoint: variant "mantle".
* Marketplace products (Claude) name the model in ``attributes.servicename`` ("Claude Sonnet 4.6 (Amazon
  Bedrock Edition)") and the meter in ``usagetype`` (``USE1_CacheWrite1hInputTokenCount_Global_Batch``):
  ``_Global`` is the global cross-region endpoint (region "global"), otherwise the offer's region code.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.vocabulary import meaning

VENDOR = "bedrock"
UNITS = {"1k tokens": "per_1k_tokens", "1m tokens": "per_1m_tokens"}
_EDITION = re.compile(r"\s*\(Amazon Bedrock Edition\)\s*$", re.I)
_MP_METER = re.compile(
    r"_(?P<kind>(?:CacheRead|CacheWrite1h|CacheWrite)?(?:Input|Output)TokenCount)(?P<flags>(?:_[A-Za-z]+)*)-Units$"
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z0-9])")  # "CacheWrite1hInputTokenCount" -> "Cache Write 1h Input ..."


def _offers(doc) -> list[tuple[str, dict]]:
    if not isinstance(doc, dict):
        raise LayoutChanged("bedrock: body is not a JSON object")
    if "products" in doc and "terms" in doc:
        return [(str(doc.get("offerCode") or "AmazonBedrock"), doc)]
    offers = [(code, o) for code, o in doc.items() if isinstance(o, dict) and "products" in o and "terms" in o]
    if not offers:
        raise LayoutChanged("bedrock: no Price List offer (products + terms) in the body")
    return offers


def _dimensions(offer: dict, sku: str):
    for term in (offer.get("terms", {}).get("OnDemand", {}).get(sku) or {}).values():
        yield from (term.get("priceDimensions") or {}).values()


def _bedrock_meter(attrs: dict) -> tuple[str, str, str, str] | None:
    """``(model, price_key, tier, variant)`` for an AmazonBedrock product, or None when unknown."""
    label = attrs.get("inferenceType") or ""  # "Input tokens", "output tokens batch", "Input tokens flex"
    found = meaning(label, VENDOR)
    if found is None or " tokens" not in label.lower() or (len(label.split()) > 2 and found.tier is None):
        return None  # an unknown meter, or a word after "tokens" that is no tier
    batch = (attrs.get("feature") or "").lower() == "batch inference"
    variant = "mantle" if "-mantle-" in (attrs.get("usagetype") or "") else ""
    return attrs.get("model") or "", found.key, "batch" if batch else found.tier or "standard", variant


def _marketplace_meter(attrs: dict, region_code: str) -> tuple[str, str, str, str] | None:
    """``(model, price_key, tier, region)`` for a Marketplace (Claude) product, or None when unknown."""
    m = _MP_METER.search(attrs.get("usagetype") or "")
    found = meaning(_CAMEL.sub(" ", m.group("kind")), VENDOR) if m else None
    if found is None:
        return None
    flags = {f.lower() for f in m.group("flags").split("_") if f}
    if flags - {"global", "batch"}:
        return None
    model = _EDITION.sub("", attrs.get("servicename") or "")
    tier = "batch" if "batch" in flags else "standard"
    region = "global" if "global" in flags else region_code
    return model, found.key, tier, region


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every on-demand price of an offer (each SKU's price dimension is a row of the audit)."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise LayoutChanged(f"bedrock: body is not JSON ({exc})") from None
    em = Emitter(VENDOR)
    for code, offer in _offers(doc):
        for sku, product in (offer.get("products") or {}).items():
            attrs = product.get("attributes") or {}
            region_code = attrs.get("regionCode") or ""
            if attrs.get("model"):
                meter = _bedrock_meter(attrs)
                if meter:
                    model, key, tier, variant = meter
                    region = region_code
            else:
                meter = _marketplace_meter(attrs, region_code)
                if meter:
                    model, key, tier, region = meter
                    variant = ""
            for dim in _dimensions(offer, sku):
                usd = (dim.get("pricePerUnit") or {}).get("USD")
                unit = UNITS.get((dim.get("unit") or "").strip().lower())
                label = f"{code}:{attrs.get('usagetype') or sku} [{dim.get('unit')}]"
                em.row(label, priced=True)
                if meter is None or unit is None or not meter[0]:
                    em.out.unmapped_columns.append(label)
                    continue
                try:
                    price = Decimal(str(usd))
                except InvalidOperation:
                    continue  # not a number: the row stays unpriced
                field = f"{code}:{attrs.get('usagetype') or sku}"
                em.add(model, key, unit, price, field, tier=tier, region=region, variant=variant)
    if not em.out.items:
        raise LayoutChanged("bedrock: no token price found in the offer")
    return em.finish()
