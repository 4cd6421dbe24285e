"""A line's cost as a sum of (quantity x price): the shape every calculator shares.

Every cost here is linear in prices, so a calculator first says *what* it needs (``Component``: which price,
how many units one-time, per month, and over the first year) and only then asks a lookup for the prices.
The same plan is valued against explicit prices, the warehouse on one date, or (set-based, in DuckDB) many
budgets at many dates at once, and drift splits exactly into per-price contributions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from aiprices.warehouse.contract import BATCH_SHARE, CACHED_INPUT_SHARE, OFF_PEAK

from .errors import CalcError, MissingPriceError
from .lookup import TOKENS, PriceLookup
from .money import fmt_count

ZERO = Decimal(0)
MILLION = Decimal(1_000_000)
TIERS = ("standard", "batch", "flex", "priority")
# The documented limit on every count a calculator takes (tokens, calls, examples, images, hours): a
# quadrillion fits DuckDB's BIGINT, and amounts stay far inside Decimal's 28 significant digits.
MAX_COUNT = 10**15
REQUESTS = "per_1k_requests"
# Price unit -> (units per price unit, what is counted): how a quantity is shown to people.
COUNTED: dict[str, tuple[Decimal, str]] = {
    TOKENS: (MILLION, "tokens"),
    REQUESTS: (Decimal(1000), "requests"),
    "per_image": (Decimal(1), "images"),
    "per_hour": (Decimal(1), "hours"),
}


@dataclass(frozen=True)
class PriceRef:
    """One price a line needs; ``fallback`` = (price_key, tier, factor, rule) when it is not published.

    ``optional``: a price most models do not have (a per-request fee); when absent it adds nothing, and it
    is never reported as missing.
    """

    price_key: str
    unit: str = TOKENS
    tier: str = "standard"
    context: int = 0
    variant: str = ""
    fallback: tuple[str, str, Decimal, str] | None = None
    optional: bool = False
    time_window: str = ""  # '' all day; OFF_PEAK: the vendor's time-of-day price (``off_peak``)


@dataclass(frozen=True)
class Component:
    """Quantities in the price's unit (millions of tokens, images, hours); ``price`` set = fixed amount.

    ``model`` overrides the line's model (one line routed between two models).
    """

    label: str
    ref: PriceRef | None
    one_time: Decimal = ZERO
    monthly: Decimal = ZERO
    first_year: Decimal = ZERO
    price: Decimal | None = None
    model: str | None = None


@dataclass(frozen=True)
class Part:
    """One valued component: how many units (``counted``: tokens, requests, ...) and what they cost."""

    label: str
    counted: str | None
    one_time_quantity: Decimal
    monthly_quantity: Decimal
    price: Decimal
    one_time: Decimal
    monthly: Decimal
    first_year: Decimal


@dataclass
class Valued:
    """A plan valued with prices: totals, the price and cost of each component, and any inferred rules."""

    one_time: Decimal = ZERO
    monthly: Decimal = ZERO
    first_year: Decimal = ZERO
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)


def check_counts(**counts: Decimal | int | None) -> None:
    """Every count is a finite number from 0 to ``MAX_COUNT``; one clear message otherwise."""
    for name, number in counts.items():
        if number is None:
            continue
        if not Decimal(number).is_finite():
            raise CalcError(f"{name} must be a finite number ({number})")
        if number < 0:
            raise CalcError(f"{name} cannot be negative ({number})")
        if number > MAX_COUNT:
            raise CalcError(f"{name} must be at most {MAX_COUNT:,} ({fmt_count(Decimal(number))})")


def check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise CalcError(f"unknown tier {tier!r} (use one of {', '.join(TIERS)})")


def token_ref(price_key: str, *, tier: str = "standard", context: int = 0) -> PriceRef:
    """A token price with the seed's documented fallbacks for cached input and batch tiers."""
    fallback = None
    named = "" if tier == "standard" else f"{tier} "
    if price_key == "cache_read" and tier == "batch":
        share = CACHED_INPUT_SHARE * BATCH_SHARE
        fallback = ("input", "standard", share, "batch cached input = 5% of input")
    elif price_key == "cache_read":
        fallback = ("input", tier, CACHED_INPUT_SHARE, f"{named}cached input = 10% of {named}input")
    elif tier == "batch":
        fallback = (price_key, "standard", BATCH_SHARE, f"batch {price_key} = 50% of {price_key}")
    return PriceRef(price_key, TOKENS, tier, context, "", fallback)


REQUEST_FEE = PriceRef("request", REQUESTS, optional=True)


def resolve(lookup: PriceLookup, model: str | None, ref: PriceRef) -> tuple[Decimal | None, str | None]:
    """The price of ``ref`` (or its documented fallback, with the rule used)."""
    if hasattr(lookup, "answer"):  # the warehouse: its one resolver ranks published prices and fallbacks
        return lookup.answer(model, ref)
    # Written prices have no time of day: an off-peak price comes from its fallback (the all-day price).
    found = (
        None if ref.time_window else lookup.price(model, ref.price_key, ref.unit, ref.tier, ref.context, ref.variant)
    )
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
            priced_on = comp.model or model
            price, rule = resolve(lookup, priced_on, comp.ref) if lookup is not None else (None, None)
            if price is None and comp.ref.optional:
                continue
            if price is None:
                raise MissingPriceError(
                    f"{what}: no {describe(comp.ref)} price for {priced_on or 'the written prices'}"
                )
            if rule:
                out.inferred.append(rule)
        part = _part(comp, price)
        out.parts.append(part)
        out.prices[comp.label] = price
        out.one_time += part.one_time
        out.monthly += part.monthly
        out.first_year += part.first_year
    return out


def _part(comp: Component, price: Decimal) -> Part:
    size, counted = COUNTED.get(comp.ref.unit, (Decimal(1), None)) if comp.ref else (Decimal(1), None)
    return Part(
        comp.label,
        counted,
        comp.one_time * size,
        comp.monthly * size,
        price,
        comp.one_time * price,
        comp.monthly * price,
        comp.first_year * price,
    )


def describe(ref: PriceRef) -> str:
    parts = [ref.price_key.replace("_", " ")]
    if ref.tier != "standard":
        parts.insert(0, ref.tier)
    if ref.variant:
        parts.append(f"[{ref.variant}]")
    if ref.time_window:
        parts.insert(0, ref.time_window)
    return " ".join(parts)


def off_peak(components: list[Component], share: Decimal) -> list[Component]:
    """Token components with ``share`` of their tokens at the vendor's off-peak (time-of-day) price. A model
    without one pays its all-day price for them, and says so (the rule is reported like any fallback)."""
    if not share:
        return components
    out = []
    for comp in components:
        ref = comp.ref
        if ref is None or ref.unit != TOKENS or ref.optional:
            out.append(comp)
            continue
        same = (ref.price_key, ref.tier, Decimal(1), f"off-peak {ref.price_key} = all-day price (none published)")
        late = replace(ref, time_window=OFF_PEAK, fallback=ref.fallback or same)
        out.append(_scaled(comp, 1 - share, comp.label, ref))
        out.append(_scaled(comp, share, f"off-peak {comp.label}", late))
    return out


def _scaled(comp: Component, share: Decimal, label: str, ref: PriceRef) -> Component:
    return replace(
        comp,
        label=label,
        ref=ref,
        one_time=comp.one_time * share,
        monthly=comp.monthly * share,
        first_year=comp.first_year * share,
    )


def growth_factor(monthly_growth: Decimal, months: int) -> Decimal:
    """Sum of (1+g)^i for i < months: the months of spend a growing run-rate adds up to."""
    total, step = ZERO, Decimal(1)
    for _ in range(months):
        total += step
        step *= 1 + monthly_growth
    return total


def routed(components: list[Component], share: Decimal, *, model: str | None, label: str) -> list[Component]:
    """The share of a workload sent to one model (routing): quantities x share, labels prefixed."""
    return [
        replace(
            comp,
            label=f"{label}: {comp.label}",
            one_time=comp.one_time * share,
            monthly=comp.monthly * share,
            first_year=comp.first_year * share,
            model=model,
        )
        for comp in components
    ]


def per_call_token_quantities(
    input_tokens: int,
    output_tokens: int,
    *,
    cached_share: Decimal = ZERO,
    batch_share: Decimal = ZERO,
    tier: str = "standard",
    long_context: bool = True,
) -> list[tuple[str, PriceRef, Decimal]]:
    """Millions of tokens per call, split by price: uncached/cached input and output, per tier.

    Calls go to ``tier`` except the ``batch_share`` sent through the batch API. Long context: the prompt
    size (``input_tokens``) picks the tier, and the whole request pays it.
    """
    context = int(input_tokens) if long_context else 0
    cached = Decimal(input_tokens) * cached_share
    fresh = Decimal(input_tokens) - cached
    shares: dict[str, Decimal] = {}
    for name, share in ((tier, 1 - batch_share), ("batch", batch_share)):
        shares[name] = shares.get(name, ZERO) + share
    out: list[tuple[str, PriceRef, Decimal]] = []
    for name, share in shares.items():
        if share == 0:
            continue
        prefix = "" if name == "standard" else f"{name} "
        for label, key, tokens in (
            ("input", "input", fresh),
            ("cached input", "cache_read", cached),
            ("output", "output", Decimal(output_tokens)),
        ):
            if tokens:
                out.append((prefix + label, token_ref(key, tier=name, context=context), tokens * share / MILLION))
    return out
