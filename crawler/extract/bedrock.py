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

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker

VENDOR = "bedrock"
UNITS = {"1k tokens": "per_1k_tokens", "1m tokens": "per_1m_tokens"}
TIERS = {"flex": "flex", "priority": "priority", "batch": "batch"}
_EDITION = re.compile(r"\s*\(Amazon Bedrock Edition\)\s*$", re.I)
_MP_METER = re.compile(
    r"_(?P<kind>(?:CacheRead|CacheWrite1h|CacheWrite)?(?:Input|Output)TokenCount)(?P<flags>(?:_[A-Za-z]+)*)-Units$"
)
_MP_KEYS = {
    "InputTokenCount": "input",
    "OutputTokenCount": "output",
    "CacheReadInputTokenCount": "cache_read",
    "CacheWriteInputTokenCount": "cache_write",
    "CacheWrite1hInputTokenCount": "cache_write_1h",
}


def _offers(doc) -> list[tuple[str, dict]]:
    if not isinstance(doc, dict):
        raise LayoutChanged("bedrock: body is not a JSON object")
    if "products" in doc and "terms" in doc:
        return [(str(doc.get("offerCode") or "AmazonBedrock"), doc)]
    offers = [
        (code, o) for code, o in doc.items() if isinstance(o, dict) and "products" in o and "terms" in o
    ]
    if not offers:
        raise LayoutChanged("bedrock: no Price List offer (products + terms) in the body")
    return offers


def _dimensions(offer: dict, sku: str):
    for term in (offer.get("terms", {}).get("OnDemand", {}).get(sku) or {}).values():
        yield from (term.get("priceDimensions") or {}).values()


def _bedrock_meter(attrs: dict) -> tuple[str, str, str, str] | None:
    """``(model, price_key, tier, variant)`` for an AmazonBedrock product, or None when unknown."""
    words = (attrs.get("inferenceType") or "").lower().split()
    if len(words) < 2 or words[1] != "tokens" or words[0] not in ("input", "output"):
        return None
    tier = TIERS.get(words[2], None) if len(words) > 2 else "standard"
    if tier is None:
        return None
    if (attrs.get("feature") or "").lower() == "batch inference":
        tier = "batch"
    variant = "mantle" if "-mantle-" in (attrs.get("usagetype") or "") else ""
    return attrs.get("model") or "", words[0], tier, variant


def _marketplace_meter(attrs: dict, region_code: str) -> tuple[str, str, str, str] | None:
    """``(model, price_key, tier, region)`` for a Marketplace (Claude) product, or None when unknown."""
    m = _MP_METER.search(attrs.get("usagetype") or "")
    if not m or m.group("kind") not in _MP_KEYS:
        return None
    flags = {f.lower() for f in m.group("flags").split("_") if f}
    if flags - {"global", "batch"}:
        return None
    model = _EDITION.sub("", attrs.get("servicename") or "")
    tier = "batch" if "batch" in flags else "standard"
    region = "global" if "global" in flags else region_code
    return model, _MP_KEYS[m.group("kind")], tier, region


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    marker = challenge_marker(body)
    if marker:
        raise PageBlocked(f"bedrock: bot challenge page ({marker})")
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise LayoutChanged(f"bedrock: body is not JSON ({exc})") from None
    out = Extraction()
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
                if meter is None or unit is None or not meter[0]:
                    out.unmapped_columns.append(label)
                    continue
                try:
                    price = Decimal(str(usd))
                except InvalidOperation:
                    out.warnings.append(f"{label}: price {usd!r} is not a number")
                    continue
                out.items.append(
                    page_price(
                        vendor=VENDOR,
                        model_name=model,
                        price_key=key,
                        unit=unit,
                        price=price,
                        service_tier=tier,
                        region=region,
                        variant=variant,
                        source_field=f"{code}:{attrs.get('usagetype') or sku}",
                    )
                )
    if not out.items:
        raise LayoutChanged("bedrock: no token price found in the offer")
    return out
