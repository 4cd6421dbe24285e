"""Reject prices that cannot be right before they reach the warehouse; count every reason.

A dropped item makes the source's run ``partial`` (nothing retired), so a bad cell never silently removes
or reprices anything.
"""

from __future__ import annotations

from decimal import Decimal

from aiprices.warehouse.contract import CURRENCIES, PRICE_KEYS, PRICE_SCALE, SERVICE_TIERS, unit_scale
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

REQUIRED = ("source", "vendor", "source_model_key", "price_key", "unit", "price", "currency")


class InvalidPrice(ValueError):
    """One price failed a check; ``reason`` is the short stats key."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def check(item: dict) -> None:
    """Raise InvalidPrice for the first problem found in one price dict."""
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


class ValidatePipeline:
    """Drops invalid prices with ``DropItem`` and bumps ``aiprices/dropped/<reason>``."""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        try:
            check(dict(adapter))  # shallow: asdict() recurses into every value (slow)
        except InvalidPrice as exc:
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"aiprices/dropped/{exc.reason}")
            name = adapter.get("source_model_key")
            raise DropItem(f"{adapter.get('source')} {name} {adapter.get('price_key')}: {exc}") from None
        return item
