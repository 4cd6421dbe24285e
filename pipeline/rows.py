"""The rules one price row passes on its way to the warehouse, as plain functions (no Scrapy).

``check`` rejects a price that cannot be right; ``normalize_price`` converts its unit to the stored one with
the price contract's factors. The item pipelines (validate.py, normalize.py) apply them to crawled items;
``stage_rows`` applies them, in the same order, to rows read outside the engine (a LiteLLM registry copy).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal

from aiprices.warehouse.contract import (
    CURRENCIES,
    IDENTITY_COLUMNS,
    PRICE_DIGITS,
    PRICE_KEYS,
    PRICE_SCALE,
    SERVICE_TIERS,
    unit_scale,
)

REQUIRED = ("source", "vendor", "source_model_key", "price_key", "unit", "price", "currency")
MAX_INTEGER_DIGITS = PRICE_DIGITS - PRICE_SCALE
# Wide enough for every storable price, so scaling and tidying one never rounds it (the default context
# keeps 28 digits).
_EXACT = Context(prec=PRICE_DIGITS)


class InvalidPrice(ValueError):
    """One price failed a check: ``reason`` is the short stats key, ``problem`` what is wrong with the value
    (``is too large ...``), the message names the value too."""

    def __init__(self, reason: str, subject: str, problem: str):
        super().__init__(f"{subject} {problem}")
        self.reason, self.problem = reason, problem


def check(item: dict) -> None:
    """Raise InvalidPrice for the first problem found in one price dict (units as published)."""
    for name in REQUIRED:
        if item.get(name) in (None, ""):
            raise InvalidPrice("missing_field", name, "is missing")
    price, unit = item["price"], item["unit"]
    if not isinstance(price, Decimal):
        raise InvalidPrice("not_decimal", f"price {price!r}", f"is {type(price).__name__}, not Decimal")
    if not price.is_finite() or price < 0:
        raise InvalidPrice(
            "not_finite" if not price.is_finite() else "negative", f"price {price}", "is not a valid price"
        )
    scale = unit_scale(unit)
    if scale is None:
        raise InvalidPrice("unknown_unit", f"unit {unit!r}", "is not a known unit")
    _check_storable(price, scale[1])
    if item["price_key"] not in PRICE_KEYS:
        raise InvalidPrice("unknown_price_key", f"price_key {item['price_key']!r}", "is not a known price key")
    if item["currency"] not in CURRENCIES:
        raise InvalidPrice("unknown_currency", f"currency {item['currency']!r}", "is not a known currency")
    if item.get("service_tier", "standard") not in SERVICE_TIERS:
        raise InvalidPrice("unknown_tier", f"service_tier {item.get('service_tier')!r}", "is not a known tier")
    ctx = item.get("context_min_tokens", 0)
    if not isinstance(ctx, int) or ctx < 0:
        raise InvalidPrice("bad_context", f"context_min_tokens {ctx!r}", "is not a non-negative int")


def _check_storable(price: Decimal, factor: Decimal) -> None:
    """``price`` times ``factor`` (a power of ten) fits the stored type exactly; judged from the digits alone,
    so no arithmetic can overflow or round first."""
    if not price:
        return
    power = factor.adjusted()
    if price.adjusted() + power >= MAX_INTEGER_DIGITS:
        problem = f"is too large (a price must stay below 10^{MAX_INTEGER_DIGITS} once scaled)"
        raise InvalidPrice("too_large", f"price {price}", problem)
    _, digits, exponent = price.as_tuple()
    trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    if exponent + trailing_zeros + power < -PRICE_SCALE:
        raise InvalidPrice("too_precise", f"price {price}", f"has more than {PRICE_SCALE} decimals when scaled")


def normalize_price(price: Decimal, unit: str) -> tuple[Decimal, str]:
    """``(price, unit)`` in the stored unit (``per_1k_tokens`` -> ``usd_per_1m_tokens`` x1000, ...).

    Azure publishes per 1K (older meters) and per 1M (newer), OpenRouter and LiteLLM per token: a price that
    did not change normalises to the same stored price across a unit change. The result has no trailing
    zeros, so 0.0025 per 1K and 2.5 per 1M compare and serialise the same. A unit outside the contract is
    returned as is (``check`` rejects it).
    """
    scale = unit_scale(unit)
    if scale is None:
        return price, unit
    stored, factor = scale
    return tidy(_EXACT.multiply(price, factor)), stored


def tidy(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and never in exponent form (``2.5E+3`` -> ``2500``)."""
    if value == 0:
        return Decimal(0)
    value = value.normalize(_EXACT)
    if value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1), context=_EXACT)
    return value


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
    scale = unit_scale(row.get("unit") or "")
    return tuple(scale[0] if c == "unit" and scale else row.get(c) for c in IDENTITY_COLUMNS)
