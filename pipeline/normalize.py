"""Prices to their stored unit, exactly, with Decimal arithmetic (the factors are the contract's).

Azure publishes per 1K (older meters) and per 1M (newer); OpenRouter and LiteLLM per token; a meter whose
price did not change therefore normalises to the same per-1M price across a unit change.
"""

from __future__ import annotations

from decimal import Decimal

from aiprices.warehouse.contract import unit_scale
from itemadapter import ItemAdapter


def normalize_price(price: Decimal, unit: str) -> tuple[Decimal, str]:
    """``(price, unit)`` in the stored unit (``per_1k_tokens`` -> ``usd_per_1m_tokens`` x1000, ...).

    The result is normalised (trailing zeros stripped) so that 0.0025 per 1K and 2.5 per 1M compare
    and serialise the same: ``Decimal('2.5000')`` -> ``Decimal('2.5')``. A unit outside the contract is
    returned as is (validation rejects it).
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


class NormalizePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["price"], adapter["unit"] = normalize_price(adapter["price"], adapter["unit"])
        return item
