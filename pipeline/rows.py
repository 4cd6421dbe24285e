"""The rules one price row passes on its way to the warehouse, as plain functions (no Scrapy).

``check`` rejects a price that cannot be right; ``normalize_price`` converts its unit to the stored one with
the price contract's factors. The item pipelines (validate.py, normalize.py) apply them to crawled items;
``stage_rows`` applies them, in the same order, to rows read outside the engine (a LiteLLM registry copy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from operator import itemgetter

from aiprices.warehouse.contract import (
    CURRENCIES,
    EXACT,
    IDENTITY_COLUMNS,
    PRICE_KEYS,
    SERVICE_TIERS,
    TIME_WINDOW,
    UNIT_SCALES,
    unstorable,
)

REQUIRED = ("source", "vendor", "source_model_key", "price_key", "unit", "price", "currency")
_TEXTS = tuple(name for name in REQUIRED if name != "price")
_texts = itemgetter(*_TEXTS)
_ZERO, _ONE = Decimal(0), Decimal(1)
_CURRENCIES, _TIERS = frozenset(CURRENCIES), frozenset(SERVICE_TIERS)
_WINDOW = re.compile(TIME_WINDOW)


class InvalidPrice(ValueError):
    """One price failed a check: ``reason`` is the short stats key, ``problem`` what is wrong with the value
    (``is too large ...``), the message names the value too."""

    def __init__(self, reason: str, subject: str, problem: str):
        super().__init__(f"{subject} {problem}")
        self.reason, self.problem = reason, problem


def check(item: dict) -> None:
    """Raise InvalidPrice for the first problem found in one price dict (units as published)."""
    texts = _texts(item) if _TEXTS[0] in item else ()
    if not all(texts) or len(texts) < len(_TEXTS) or item.get("price") is None:
        missing = [name for name in REQUIRED if item.get(name) in (None, "")]
        raise InvalidPrice("missing_field", "price", f"has no {missing[0]}")  # (the problem names the field)
    price, unit = item["price"], item["unit"]
    if not isinstance(price, Decimal):
        raise InvalidPrice("not_decimal", f"price {price!r}", f"is {type(price).__name__}, not Decimal")
    if not price.is_finite() or price < _ZERO:
        raise InvalidPrice(
            "not_finite" if not price.is_finite() else "negative", f"price {price}", "is not a valid price"
        )
    scale = UNIT_SCALES.get(unit)
    if scale is None:
        raise InvalidPrice("unknown_unit", f"unit {unit!r}", "is not a known unit")
    problem = unstorable(price, scale[1].adjusted())
    if problem:
        raise InvalidPrice(problem[0], f"price {price}", problem[1])
    if item["price_key"] not in PRICE_KEYS:
        raise InvalidPrice("unknown_price_key", f"price_key {item['price_key']!r}", "is not a known price key")
    if item["currency"] not in _CURRENCIES:
        raise InvalidPrice("unknown_currency", f"currency {item['currency']!r}", "is not a known currency")
    if item.get("service_tier", "standard") not in _TIERS:
        raise InvalidPrice("unknown_tier", f"service_tier {item.get('service_tier')!r}", "is not a known tier")
    window = item.get("time_window", "")
    if window and not _WINDOW.match(window):
        raise InvalidPrice("bad_time_window", f"time_window {window!r}", "is not HH:MM-HH:MM (UTC)")
    ctx = item.get("context_min_tokens", 0)
    if not isinstance(ctx, int) or ctx < 0:
        raise InvalidPrice("bad_context", f"context_min_tokens {ctx!r}", "is not a non-negative int")


def normalize_price(price: Decimal, unit: str) -> tuple[Decimal, str]:
    """``(price, unit)`` in the stored unit (``per_1k_tokens`` -> ``usd_per_1m_tokens`` x1000, ...).

    Azure publishes per 1K (older meters) and per 1M (newer), OpenRouter and LiteLLM per token: a price that
    did not change normalises to the same stored price across a unit change. The result has no trailing
    zeros, so 0.0025 per 1K and 2.5 per 1M compare and serialise the same. A unit outside the contract is
    returned as is (``check`` rejects it).
    """
    scale = UNIT_SCALES.get(unit)
    if scale is None:
        return price, unit
    stored, factor = scale
    return tidy(EXACT.multiply(price, factor)), stored


def tidy(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and never in exponent form (``2.5E+3`` -> ``2500``)."""
    if not value:
        return _ZERO
    if value == value.to_integral_value():
        return value.quantize(_ONE, context=EXACT)
    return value.normalize(EXACT)


def stage_rows(
    rows: Iterable[tuple[object, dict]],
    *,
    source: str,
    source_url: str,
    rejected: list[str],
    kept: set[tuple] | None = None,
) -> list[dict]:
    """Page prices read outside Scrapy, each with its origin (what ``str`` names it by), as staged rows:
    provenance set, invalid ones left out (each described in ``rejected``, and its identity added to
    ``kept`` so that a price loaded before keeps its last good value), prices in their stored unit."""
    out = []
    for origin, row in rows:
        row["source"] = source
        row["source_url"] = source_url
        try:
            check(row)
        except InvalidPrice as exc:
            rejected.append(f"{origin} {exc.problem}")
            if kept is not None:
                kept.add(_stored_identity(row))
            continue
        row["price"], row["unit"] = normalize_price(row["price"], row["unit"])
        out.append(row)
    return out


def _stored_identity(row: dict) -> tuple:
    """The identity a row would be stored under (its unit as stored), whatever its price."""
    scale = UNIT_SCALES.get(row.get("unit"))
    return tuple(scale[0] if c == "unit" and scale else row.get(c) for c in IDENTITY_COLUMNS)
