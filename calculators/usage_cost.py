"""Days of actual usage priced through the warehouse's one resolver, each at one day's prices.

Each stored day (``warehouse.usage_store.UsageRow``) splits into the prices it pays: fresh input, cached input
(the documented fallback: 10% of input), cache writes (5-minute and 1-hour), output, and the per-request fee
where the model has one, at the day's service tier. Every distinct (model, price, day) is one ask, and every
ask is answered in one resolver query. A day a needed price is missing is *unpriced*: it has no amount, it
says what is missing, and it is never counted as $0. Exports give no prompt sizes, so the base (not the
long-context) prices apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, localcontext

from aiprices.warehouse.resolve import asks_table, name_facts, resolve
from aiprices.warehouse.usage_store import UsageRow

from .lookup import TOKENS
from .plan import COUNTED, REQUEST_FEE, PriceRef, describe, token_ref
from .warehouse_prices import end_of_day, ref_ask

_EXACT = Context(prec=80)  # token counts up to 10^15 x 38-digit prices: never rounded


@dataclass(frozen=True)
class PricedDay:
    """One usage row valued at ``priced_on``'s prices: ``amount`` None when a needed price is missing."""

    usage: UsageRow
    priced_on: date
    amount: Decimal | None
    parts: dict[str, Decimal] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    offers: tuple[str, ...] = ()
    unknown: bool = False  # a model name the warehouse has never priced

    @property
    def reason(self) -> str:
        """Why the day is unpriced (empty when it is priced)."""
        if not self.missing:
            return ""
        if self.unknown:
            return f"{self.usage.model}: not a model the warehouse has prices for"
        return f"{self.usage.model}: no {', '.join(self.missing)} price on {self.priced_on}"


def usage_parts(row: UsageRow) -> list[tuple[str, PriceRef, Decimal]]:
    """(label, price, quantity in counted units) of one day: what it pays for, at its tier."""
    tier = row.service_tier
    fresh = row.input_tokens - row.cached_tokens - row.cache_write_tokens - row.cache_write_1h_tokens
    parts = [
        ("input", token_ref("input", tier=tier), fresh),
        ("cached input", token_ref("cache_read", tier=tier), row.cached_tokens),
        ("cache write", PriceRef("cache_write", TOKENS, tier), row.cache_write_tokens),
        ("cache write 1h", PriceRef("cache_write_1h", TOKENS, tier), row.cache_write_1h_tokens),
        ("output", token_ref("output", tier=tier), row.output_tokens),
        ("requests", REQUEST_FEE, row.requests),
    ]
    return [(label, ref, Decimal(n)) for label, ref, n in parts if n]


def price_usage(con, rows: list[UsageRow], on: Callable[[UsageRow], date] = lambda r: r.day) -> list[PricedDay]:
    """Every row valued at the prices of ``on(row)`` (default: its own day), in one resolver query."""
    known = name_facts(con, sorted({r.model for r in rows}))
    asks: dict[tuple[str, PriceRef, date], int] = {}
    for row in rows:
        if row.model in known:
            for _label, ref, _n in usage_parts(row):
                asks.setdefault((row.model, ref, on(row)), len(asks))
    instants = {d: end_of_day(con, d) for d in {d for _m, _r, d in asks}}
    table = [ref_ask(i, instants[d], model, ref) for (model, ref, d), i in asks.items()]
    found = resolve(con, asks_table(table)) if table else {}
    priced = []
    for row in rows:
        if row.model not in known:
            priced.append(PricedDay(row, on(row), None, missing=["any"], unknown=True))
            continue
        answers = {ref: found.get(asks[(row.model, ref, on(row))]) for _l, ref, _n in usage_parts(row)}
        priced.append(_priced(row, on(row), answers))
    return priced


def _priced(row: UsageRow, day: date, answers: dict) -> PricedDay:
    parts, missing, offers = {}, [], {}
    with localcontext(_EXACT):
        for label, ref, quantity in usage_parts(row):
            answer = answers[ref]
            if answer is None:
                if not ref.optional:
                    missing.append(describe(ref))
                continue
            parts[label] = quantity * answer.price / COUNTED[ref.unit][0]
            offers.setdefault(f"{answer.source}:{answer.source_model_key}", None)
        if missing:
            return PricedDay(row, day, None, {}, missing, tuple(offers))
        return PricedDay(row, day, sum(parts.values(), Decimal(0)), parts, [], tuple(offers))
