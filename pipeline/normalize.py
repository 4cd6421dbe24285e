"""Token prices to one unit (per 1M tokens), exactly, with Decimal arithmetic.

Azure publishes per 1K (older meters) and per 1M (newer); OpenRouter per token; a meter whose price did not
change therefore normalises to the same per-1M price across a unit change.
"""

from __future__ import annotations

from decimal import Decimal

from itemadapter import ItemAdapter

NORMAL_TOKEN_UNIT = "usd_per_1m_tokens"

# Multiply by this to get per 1M tokens. Copied from crawler.extract.PUBLISHED_TOKEN_UNITS on purpose:
# pipeline never imports crawler.
TOKEN_UNIT_FACTORS: dict[str, Decimal] = {
    "per_1m_tokens": Decimal(1),
    "usd_per_1m_tokens": Decimal(1),
    "per_1k_tokens": Decimal(1000),
    "per_token": Decimal(1_000_000),
}


def normalize_price(price: Decimal, unit: str) -> tuple[Decimal, str]:
    """``(price, unit)`` with token units converted to per 1M; other units unchanged.

    The result is normalised (trailing zeros stripped) so that 0.0025 per 1K and 2.5 per 1M compare
    and serialise the same: ``Decimal('2.5000')`` -> ``Decimal('2.5')``.
    """
    factor = TOKEN_UNIT_FACTORS.get(unit)
    if factor is None:
        return price, unit
    value = price * factor
    return _tidy(value), NORMAL_TOKEN_UNIT


def _tidy(value: Decimal) -> Decimal:
    if value == 0:
        return Decimal(0)
    value = value.normalize()
    # normalize() may give exponent form (2.5E+3); quantize back to a plain integer in that case.
    if value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))
    return value


class NormalizePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["price"], adapter["unit"] = normalize_price(adapter["price"], adapter["unit"])
        return item
