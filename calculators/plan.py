"""A line's cost as a sum of (quantity x price): the shape every calculator shares.

Every cost here is linear in prices, so a calculator first says *what* it needs (``Component``: which price,
how many units one-time, per month, and over the first year) and only then asks a lookup for the prices.
The same plan is valued against explicit prices, the warehouse on one date, or (set-based, in DuckDB) many
budgets at many dates at once, and drift splits exactly into per-price contributions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import MissingPriceError
from .lookup import TOKENS, PriceLookup

ZERO = Decimal(0)
MILLION = Decimal(1_000_000)
CACHE_SHARE_OF_INPUT = Decimal("0.1")  # seed convention: cached input = 10% of input
BATCH_SHARE_OF_STANDARD = Decimal("0.5")  # seed convention: batch = 50% of standard


@dataclass(frozen=True)
class PriceRef:
    """One price a line needs; ``fallback`` = (price_key, tier, factor, rule) when it is not published."""

    price_key: str
    unit: str = TOKENS
    tier: str = "standard"
    context: int = 0
    variant: str = ""
    fallback: tuple[str, str, Decimal, str] | None = None


@dataclass(frozen=True)
class Component:
    """Quantities in the price's unit (millions of tokens, images, hours); ``price`` set = fixed amount."""

    label: str
    ref: PriceRef | None
    one_time: Decimal = ZERO
    monthly: Decimal = ZERO
    first_year: Decimal = ZERO
    price: Decimal | None = None


@dataclass
class Valued:
    """A plan valued with prices: totals plus the price used by each component and any inferred rules."""

    one_time: Decimal = ZERO
    monthly: Decimal = ZERO
    first_year: Decimal = ZERO
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)


def token_ref(price_key: str, *, tier: str = "standard", context: int = 0) -> PriceRef:
    """A token price with the seed's documented fallbacks for cached input and batch tiers."""
    fallback = None
    if price_key == "cache_read" and tier == "standard":
        fallback = ("input", "standard", CACHE_SHARE_OF_INPUT, "cached input = 10% of input")
    elif price_key == "cache_read":
        fallback = (
            "input",
            "standard",
            CACHE_SHARE_OF_INPUT * BATCH_SHARE_OF_STANDARD,
            "batch cached input = 5% of input",
        )
    elif tier == "batch":
        fallback = (price_key, "standard", BATCH_SHARE_OF_STANDARD, f"batch {price_key} = 50% of {price_key}")
    return PriceRef(price_key, TOKENS, tier, context, "", fallback)


def resolve(lookup: PriceLookup, model: str | None, ref: PriceRef) -> tuple[Decimal | None, str | None]:
    """The price of ``ref`` (or its documented fallback, with the rule used)."""
    if hasattr(lookup, "answer"):  # the warehouse: its one resolver ranks published prices and fallbacks
        return lookup.answer(model, ref)
    found = lookup.price(model, ref.price_key, ref.unit, ref.tier, ref.context, ref.variant)
    if found is not None or ref.fallback is None:
        return found, None
    key, tier, factor, rule = ref.fallback
    base = lookup.price(model, key, ref.unit, tier, ref.context, ref.variant)
    return (base * factor, rule) if base is not None else (None, None)


def value(components: list[Component], lookup: PriceLookup | None, model: str | None, *, what: str) -> Valued:
    """Sum quantity x price over the components; a missing price is an error, never a silent zero."""
    out = Valued()
    for comp in components:
        if comp.ref is None:
            price = comp.price if comp.price is not None else ZERO
        else:
            price, rule = resolve(lookup, model, comp.ref) if lookup is not None else (None, None)
            if price is None:
                raise MissingPriceError(
                    f"{what}: no {describe(comp.ref)} price for {model or 'the written prices'}"
                )
            if rule:
                out.inferred.append(rule)
        out.prices[comp.label] = price
        out.one_time += comp.one_time * price
        out.monthly += comp.monthly * price
        out.first_year += comp.first_year * price
    return out


def describe(ref: PriceRef) -> str:
    parts = [ref.price_key.replace("_", " ")]
    if ref.tier != "standard":
        parts.insert(0, ref.tier)
    if ref.variant:
        parts.append(f"[{ref.variant}]")
    return " ".join(parts)


def growth_factor(monthly_growth: Decimal, months: int) -> Decimal:
    """Sum of (1+g)^i for i < months: the months of spend a growing run-rate adds up to."""
    total, step = ZERO, Decimal(1)
    for _ in range(months):
        total += step
        step *= 1 + monthly_growth
    return total


def per_call_token_quantities(
    input_tokens: int,
    output_tokens: int,
    *,
    cached_share: Decimal = ZERO,
    batch_share: Decimal = ZERO,
    long_context: bool = True,
) -> list[tuple[str, PriceRef, Decimal]]:
    """Millions of tokens per call, split by price: uncached/cached input and output, standard/batch.

    Long context: the prompt size (``input_tokens``) picks the tier, and the whole request pays it.
    """
    context = int(input_tokens) if long_context else 0
    cached = Decimal(input_tokens) * cached_share
    fresh = Decimal(input_tokens) - cached
    out: list[tuple[str, PriceRef, Decimal]] = []
    for tier, share in (("standard", 1 - batch_share), ("batch", batch_share)):
        if share == 0:
            continue
        prefix = "" if tier == "standard" else "batch "
        for label, key, tokens in (
            ("input", "input", fresh),
            ("cached input", "cache_read", cached),
            ("output", "output", Decimal(output_tokens)),
        ):
            if tokens:
                out.append(
                    (prefix + label, token_ref(key, tier=tier, context=context), tokens * share / MILLION)
                )
    return out
