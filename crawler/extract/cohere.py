"""Cohere pricing page (cohere.com/pricing, Next.js).

Live HTML: the price cards come from the RSC payload (``pricingGroups -> models -> pricings`` with
``inputLabel/inputPrice/outputLabel/outputPrice`` and ``per``), read with the RSC parser; JSON numbers are
decoded as Decimal. A text render (``jina.md``) has no cards, only FAQ prose about legacy models:
"<model> pricing is $X/1M tokens for input and $Y/1M tokens for output", which is read sentence by sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged, PageBlocked, page_price
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.rsc import objects_with

VENDOR = "cohere"

# Card labels -> price key. "Cost" is the only price of single-price models (embed, rerank input).
_LABELS = {
    "input": "input",
    "cost": "input",
    "output": "output",
    "image cost": "input_image",
    "image input": "input_image",
}
_UNITS = {"1m tokens": "per_1m_tokens", "1k tokens": "per_1k_tokens", "1k searches": "per_1k_queries"}

_PROSE = re.compile(
    r"(?P<model>[A-Z][\w.+\- ]*?(?: \([^)]*\))?)\s+(?:pricing is|on the API are charged at)\s+"
    r"\$(?P<inp>[\d.]+)/1M tokens for input and \$(?P<out>[\d.]+)/1M tokens for output"
)


def _from_rsc(text: str, out: Extraction) -> None:
    for model in objects_with(text, ["modelName", "pricings"]):
        name = model["modelName"]
        per = str(model.get("per") or "1M tokens").strip().lower()
        unit = _UNITS.get(per)
        if unit is None:
            out.unmapped_columns.append(f"{name}: per {per}")
            continue
        for pricing in model["pricings"]:
            for side in ("input", "output"):
                price = pricing.get(f"{side}Price")
                if price is None:
                    continue
                label = str(pricing.get(f"{side}Label") or side).strip()
                key = _LABELS.get(label.lower())
                if key is None:
                    out.unmapped_columns.append(f"{name}: {label}")
                    continue
                out.items.append(
                    page_price(
                        vendor=VENDOR,
                        model_name=name,
                        price_key=key,
                        unit=unit,
                        price=Decimal(str(price)),
                        source_field=f"{side}Price ({label})",
                    )
                )


def _from_prose(text: str, out: Extraction) -> None:
    for m in _PROSE.finditer(text):
        name = m.group("model").strip()
        for key, group in (("input", "inp"), ("output", "out")):
            out.items.append(
                page_price(
                    vendor=VENDOR,
                    model_name=name,
                    price_key=key,
                    unit="per_1m_tokens",
                    price=Decimal(m.group(group)),
                    source_field="FAQ prose (legacy models)",
                )
            )


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices from the RSC price cards, or (text renders) from the FAQ's legacy-model sentences."""
    marker = challenge_marker(body)
    if marker:
        raise PageBlocked(f"cohere: bot challenge page ({marker})")
    text = body.decode("utf-8", "replace")
    out = Extraction()
    if "self.__next_f" in text:
        _from_rsc(text, out)
    if not out.items and kind.endswith("md"):
        _from_prose(text, out)
        if out.items:
            out.warnings.append("text render: price cards absent, only FAQ legacy prices read")
    if not out.items:
        raise LayoutChanged("cohere: no pricingGroups cards and no legacy price sentences")
    return out
