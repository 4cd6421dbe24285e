"""Where prices come from: a small protocol, and explicit prices written in a budget or on the command line.

Calculators only ever ask ``price(model, price_key, unit, tier, context, variant)``; the warehouse at an
instant (``warehouse_prices``, through the warehouse's one resolver) and written prices (``ExplicitPrices``)
both answer it, so every calculator is a pure function of its inputs and a lookup. A lookup that ranks
published prices against their documented fallbacks itself (the warehouse) also has ``answer(model, ref)``.

``context`` is the prompt size of one request in tokens: the answer is the price of the highest long-context
tier whose threshold the prompt exceeds (the whole request pays that tier), or the base price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from .errors import PriceFormatError
from .money import parse_price

TOKENS = "usd_per_1m_tokens"


class PriceLookup(Protocol):
    def price(
        self,
        model: str | None,
        price_key: str,
        unit: str = TOKENS,
        tier: str = "standard",
        context: int = 0,
        variant: str = "",
    ) -> Decimal | None: ...


# Written price names -> (price_key, unit). A ``batch_``, ``flex_`` or ``priority_`` prefix picks that tier
# and an ``_above_<N>k`` suffix a long-context tier, the way LiteLLM spells them.
EXPLICIT_KEYS: dict[str, tuple[str, str]] = {
    "input": ("input", TOKENS),
    "output": ("output", TOKENS),
    "cache_read": ("cache_read", TOKENS),
    "cached_input": ("cache_read", TOKENS),
    "training": ("training", TOKENS),
    "training_input": ("training_input", TOKENS),
    "training_output": ("training_output", TOKENS),
    "request": ("request", "per_1k_requests"),
    "image": ("output_image", "per_image"),
    "gpu_hour": ("gpu_hour", "per_hour"),
}
_NAME = re.compile(r"^(?:(?P<tier>batch|flex|priority)_)?(?P<base>[a-z_]+?)(?:_above_(?P<k>\d+)k)?$")


class ExplicitPrices:
    """Prices written by hand: ``{"input": "$0.003 per 1K tokens", "batch_output": "...", ...}``."""

    def __init__(self, written: Mapping[str, object], *, where: str = "prices") -> None:
        self._prices: dict[tuple[str, str, str, int], Decimal] = {}
        for name, text in written.items():
            match = _NAME.match(str(name))
            if not match or match["base"] not in EXPLICIT_KEYS:
                known = ", ".join(EXPLICIT_KEYS)
                raise PriceFormatError(
                    f"{where}.{name}: unknown price name (use {known}; prefix batch_, flex_ or priority_, "
                    "suffix _above_200k)"
                )
            price_key, unit = EXPLICIT_KEYS[match["base"]]
            parsed = parse_price(text, field=f"{where}.{name}")
            if parsed.unit is not None and parsed.unit != unit:
                raise PriceFormatError(
                    f"{where}.{name}: {text!r} is not a price {_unit_words(unit)} (expected e.g. '{_example(unit)}')"
                )
            if parsed.unit is None:
                raise PriceFormatError(f"{where}.{name}: say what {text!r} is per (e.g. '{_example(unit)}')")
            tier = match["tier"] or "standard"
            context = int(match["k"]) * 1000 if match["k"] else 0
            self._prices[(price_key, unit, tier, context)] = parsed.amount

    def price(self, model, price_key, unit=TOKENS, tier="standard", context=0, variant=""):
        best: tuple[int, Decimal] | None = None
        for (key, u, t, threshold), amount in self._prices.items():
            if key == price_key and u == unit and t == tier and (threshold == 0 or context > threshold):
                if best is None or threshold > best[0]:
                    best = (threshold, amount)
        return best[1] if best else None

    def __bool__(self) -> bool:
        return bool(self._prices)


def _unit_words(unit: str) -> str:
    return {
        "usd_per_1m_tokens": "per tokens",
        "per_image": "per image",
        "per_hour": "per hour",
        "per_1k_requests": "per request",
    }.get(unit, unit)


def _example(unit: str) -> str:
    return {
        "usd_per_1m_tokens": "$8 per 1M tokens",
        "per_image": "$0.04 per image",
        "per_hour": "$2.50 per hour",
        "per_1k_requests": "$0.005 per request",
    }[unit]
