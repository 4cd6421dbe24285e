"""Token cost (per call, day, month, year) and inference budgets (growth over a horizon)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import CalcError
from .lookup import PriceLookup
from .plan import ZERO, Component, growth_factor, per_call_token_quantities, value


@dataclass(frozen=True)
class TokenCost:
    per_call: Decimal
    per_day: Decimal
    per_month: Decimal
    per_year: Decimal
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InferenceBudget:
    monthly: Decimal  # first month's run-rate
    first_year: Decimal
    horizon_total: Decimal
    months: list[Decimal]
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)


def check_workload(input_tokens, output_tokens, calls_per_day, days_per_month, cached_share, batch_share):
    """Reject impossible workloads with one clear message each."""
    for name, number in (
        ("input_tokens", input_tokens),
        ("output_tokens", output_tokens),
        ("calls_per_day", calls_per_day),
        ("days_per_month", days_per_month),
    ):
        if number < 0:
            raise CalcError(f"{name} cannot be negative ({number})")
    if days_per_month > 31:
        raise CalcError(f"days_per_month must be at most 31 ({days_per_month})")
    for name, share in (("cached_share", cached_share), ("batch_share", batch_share)):
        if not ZERO <= share <= 1:
            raise CalcError(f"{name} must be between 0 and 1 ({share})")


def token_components(
    input_tokens: int,
    output_tokens: int,
    *,
    calls_per_day: Decimal,
    days_per_month: Decimal = Decimal(30),
    cached_share: Decimal = ZERO,
    batch_share: Decimal = ZERO,
    monthly_growth: Decimal = ZERO,
) -> list[Component]:
    """The plan of a recurring token workload: monthly quantities and first-year quantities."""
    check_workload(input_tokens, output_tokens, calls_per_day, days_per_month, cached_share, batch_share)
    calls_month = Decimal(calls_per_day) * Decimal(days_per_month)
    year = growth_factor(Decimal(monthly_growth), 12)
    return [
        Component(label, ref, monthly=qty * calls_month, first_year=qty * calls_month * year)
        for label, ref, qty in per_call_token_quantities(
            input_tokens, output_tokens, cached_share=Decimal(cached_share), batch_share=Decimal(batch_share)
        )
    ]


def token_cost(
    lookup: PriceLookup,
    model: str | None,
    input_tokens: int,
    output_tokens: int,
    *,
    calls_per_day: Decimal = Decimal(1),
    days_per_month: Decimal = Decimal(30),
    cached_share: Decimal = ZERO,
    batch_share: Decimal = ZERO,
) -> TokenCost:
    """Cost of one call, a day, a month (``days_per_month``) and a year (12 months) of calls."""
    comps = token_components(
        input_tokens,
        output_tokens,
        calls_per_day=Decimal(1),
        days_per_month=Decimal(1),
        cached_share=cached_share,
        batch_share=batch_share,
    )
    check_workload(input_tokens, output_tokens, calls_per_day, days_per_month, cached_share, batch_share)
    valued = value(comps, lookup, model, what="token cost")
    per_call = valued.monthly
    per_day = per_call * Decimal(calls_per_day)
    per_month = per_day * Decimal(days_per_month)
    return TokenCost(per_call, per_day, per_month, per_month * 12, valued.prices, valued.inferred)


def inference_budget(
    lookup: PriceLookup,
    model: str | None,
    *,
    calls_per_day: Decimal,
    input_tokens: int,
    output_tokens: int,
    days_per_month: Decimal = Decimal(30),
    monthly_growth: Decimal = ZERO,
    horizon_months: int = 12,
    cached_share: Decimal = ZERO,
    batch_share: Decimal = ZERO,
) -> InferenceBudget:
    """Month-by-month spend of a workload growing ``monthly_growth`` (0.05 = 5%) a month."""
    if horizon_months < 1:
        raise CalcError(f"horizon_months must be at least 1 ({horizon_months})")
    if monthly_growth < -1:
        raise CalcError(f"monthly_growth cannot be below -100% ({monthly_growth})")
    comps = token_components(
        input_tokens,
        output_tokens,
        calls_per_day=calls_per_day,
        days_per_month=days_per_month,
        cached_share=cached_share,
        batch_share=batch_share,
        monthly_growth=monthly_growth,
    )
    valued = value(comps, lookup, model, what="inference budget")
    months, step = [], valued.monthly
    for _ in range(horizon_months):
        months.append(step)
        step *= 1 + Decimal(monthly_growth)
    return InferenceBudget(
        valued.monthly, valued.first_year, sum(months, ZERO), months, valued.prices, valued.inferred
    )
