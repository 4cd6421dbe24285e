"""Cohere pricing page (cohere.com/pricing, Next.js).

Live HTML: the price cards come from the RSC payload (``pricingGroups -> models -> pricings`` with
``inputLabel/inputPrice/outputLabel/outputPrice`` and ``per``), read with the RSC parser; JSON numbers are
decoded as Decimal. A text render (``jina.md``) has no cards, only FAQ prose about legacy models:
"<model> pricing is $X/1M tokens for input and $Y/1M tokens for output", which is read sentence by sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.parsers.rsc import objects_with
from aiprices.crawler.vocabulary import meaning

VENDOR = "cohere"

_UNITS = {"1m tokens": "per_1m_tokens", "1k tokens": "per_1k_tokens", "1k searches": "per_1k_queries"}

_PROSE = re.compile(
    r"(?P<model>[A-Z][\w.+\- ]*?(?: \([^)]*\))?)\s+(?:pricing is|on the API are charged at)\s+"
    r"\$(?P<inp>[\d.]+)/1M tokens for input and \$(?P<out>[\d.]+)/1M tokens for output"
)


def _from_rsc(text: str, em: Emitter) -> None:
    for model in objects_with(text, ["modelName", "pricings"]):
        name = model["modelName"]
        per = str(model.get("per") or "1M tokens").strip().lower()
        em.row(name, priced=any(p.get(f"{s}Price") is not None for p in model["pricings"] for s in ("input", "output")))
        unit = _UNITS.get(per)
        if unit is None:
            em.out.unmapped_columns.append(f"{name}: per {per}")
            continue
        for pricing in model["pricings"]:
            for side in ("input", "output"):
                price = pricing.get(f"{side}Price")
                label = str(pricing.get(f"{side}Label") or side).strip()
                found = meaning(label, VENDOR) if price is not None else None  # "Cost": a single-price model
                if found is None and price is not None:
                    em.out.unmapped_columns.append(f"{name}: {label}")
                elif found is not None:
                    em.add(name, found.key, unit, Decimal(str(price)), f"{side}Price ({label})")


def _from_prose(text: str, em: Emitter) -> None:
    for m in _PROSE.finditer(text):
        name = m.group("model").strip()
        em.row(f"FAQ: {name}", priced=True)
        for key, group in (("input", "inp"), ("output", "out")):
            em.add(name, key, "per_1m_tokens", Decimal(m.group(group)), "FAQ prose (legacy models)")


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Prices from the RSC price cards, or (text renders) from the FAQ's legacy-model sentences."""
    text = body.decode("utf-8", "replace")
    em = Emitter(VENDOR)
    if "self.__next_f" in text:
        _from_rsc(text, em)
    if not em.out.items and kind.endswith("md"):
        _from_prose(text, em)
        if em.out.items:  # a text render has no RSC payload: the model cards are simply not in the body
            em.out.warnings.append("text render: price cards absent, only FAQ legacy prices read")
    if not em.out.items:
        raise LayoutChanged("cohere: no pricingGroups cards and no legacy price sentences")
    return em.finish()
