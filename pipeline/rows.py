"""The rules one price row passes on its way to the warehouse, as plain functions (no Scrapy).

``check`` rejects a price that cannot be right; ``normalize_price`` converts its unit to the stored one with
the price contract's factors. The item pipelines (validate.py, normalize.py) apply them to crawled items;
``stage_rows`` applies them, in the same order, to rows read outside the engine (a LiteLLM registry copy).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from aiprices.warehouse.contract import CURRENCIES, PRICE_KEYS, PRICE_SCALE, SERVICE_TIERS, unit_scale

REQUIRED = ("source", "vendor", "source_model_key", "price_key", "unit", "price", "currency")


class InvalidPrice(ValueError):
    """One price failed a check; ``reason`` is the short stats key."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def check(item: dict) -> None:
    """Raise InvalidPrice for the first problem found in one price dict (units as published)."""
    for name in REQUIRED:
        if item.get(name) in (None, ""):
            raise InvalidPrice("missing_field", f"missing {name}")
    price = item["price"]
    if not isinstance(price, Decimal):
        raise InvalidPrice("not_decimal", f"price {price!r} is {type(price).__name__}, not Decimal")
    if not price.is_finite():
        raise InvalidPrice("not_finite", f"price {price} is not finite")
    if price < 0:
        raise InvalidPrice("negative", f"price {price} is negative")
    scale = unit_scale(item["unit"])
    if scale is None:
        raise InvalidPrice("unknown_unit", f"unknown unit {item['unit']!r}")
    if (price * scale[1]).normalize().as_tuple().exponent < -PRICE_SCALE:
        raise InvalidPrice("too_precise", f"price {price} has more than {PRICE_SCALE} decimals in {scale[0]}")
    if item["price_key"] not in PRICE_KEYS:
        raise InvalidPrice("unknown_price_key", f"unknown price_key {item['price_key']!r}")
    if item["currency"] not in CURRENCIES:
        raise InvalidPrice("unknown_currency", f"unknown currency {item['currency']!r}")
    if item.get("service_tier", "standard") not in SERVICE_TIERS:
        raise InvalidPrice("unknown_tier", f"unknown service_tier {item.get('service_tier')!r}")
    ctx = item.get("context_min_tokens", 0)
    if not isinstance(ctx, int) or ctx < 0:
        raise InvalidPrice("bad_context", f"context_min_tokens {ctx!r} is not a non-negative int")


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
    return tidy(price * factor), stored


def tidy(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and never in exponent form (``2.5E+3`` -> ``2500``)."""
    if value == 0:
        return Decimal(0)
    value = value.normalize()
    if value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))
    return value


def stage_rows(rows: Iterable[dict], *, source: str, source_url: str, rejected: list[str]) -> list[dict]:
    """Page prices read outside Scrapy as staged rows: provenance set, invalid ones left out (each described
    in ``rejected``), prices in their stored unit."""
    out = []
    for row in rows:
        row["source"] = source
        row["source_url"] = source_url
        try:
            check(row)
        except InvalidPrice as exc:
            rejected.append(f"{row['source_model_key']}.{row['source_field']}: {exc}")
            continue
        row["price"], row["unit"] = normalize_price(row["price"], row["unit"])
        out.append(row)
    return out
