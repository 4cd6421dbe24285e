"""Platform comparison: one token workload priced on every model that has the needed prices, ranked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .plan import MILLION


@dataclass(frozen=True)
class Offer:
    """One model's standard input and output prices (per 1M tokens) from one source."""

    source: str
    vendor: str
    model: str
    input_price: Decimal
    output_price: Decimal


@dataclass(frozen=True)
class Ranked:
    rank: int
    offer: Offer
    per_call: Decimal
    monthly: Decimal


def compare(
    offers: Iterable[Offer],
    *,
    input_tokens: int,
    output_tokens: int,
    calls_per_day: Decimal = Decimal(1),
    days_per_month: Decimal = Decimal(30),
    limit: int | None = None,
) -> list[Ranked]:
    """Cheapest first; ties broken by vendor then model so the order is stable."""
    priced = []
    for offer in offers:
        per_call = (Decimal(input_tokens) * offer.input_price + Decimal(output_tokens) * offer.output_price) / MILLION
        priced.append((per_call, offer.vendor, offer.model, offer.source, offer))
    priced.sort(key=lambda row: row[:4])
    if limit is not None:
        priced = priced[:limit]
    calls = Decimal(calls_per_day) * Decimal(days_per_month)
    return [Ranked(i + 1, row[4], row[0], row[0] * calls) for i, row in enumerate(priced)]
