"""Token cost (per call, day, month, year) and inference budgets (growth over a horizon)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import CalcError
from .lookup import PriceLookup
from .plan import (
    REQUEST_FEE,
    ZERO,
    Component,
    Part,
    check_counts,
    check_tier,
    growth_factor,
    off_peak,
    per_call_token_quantities,
    value,
)

MAX_HORIZON_MONTHS = 1200  # a century of months: projections are month by month


@dataclass(frozen=True)
class TokenWorkload:
    """A recurring token workload: tokens per call, calls a day *or* a month, cache and batch shares, tier.

    Every call also pays the model's per-request fee where it has one (``request``, per 1K requests).
    """

    input_tokens: int
    output_tokens: int = 0
    calls_per_day: Decimal | None = None  # 1 when neither calls_per_day nor calls_per_month is given
    calls_per_month: Decimal | None = None
    days_per_month: Decimal = Decimal(30)
    cached_share: Decimal = ZERO
    batch_share: Decimal = ZERO
    tier: str = "standard"
    off_peak_share: Decimal = ZERO  # share of tokens sent in the vendor's off-peak hours (time-of-day prices)

    def __post_init__(self) -> None:
        check_counts(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            calls_per_day=self.calls_per_day,
            calls_per_month=self.calls_per_month,
            days_per_month=self.days_per_month,
        )
        if self.days_per_month > 31:
            raise CalcError(f"days_per_month must be at most 31 ({self.days_per_month})")
        if self.calls_per_day is not None and self.calls_per_month is not None:
            raise CalcError("give calls_per_day or calls_per_month, not both")
        if self.calls_per_month is not None and self.days_per_month == 0:
            raise CalcError("days_per_month must be at least 1 to spread calls_per_month over days")
        shares = (("cached_share", self.cached_share), ("batch_share", self.batch_share))
        for name, share in (*shares, ("off_peak_share", self.off_peak_share)):
            if not (Decimal(share).is_finite() and ZERO <= share <= 1):
                raise CalcError(f"{name} must be between 0 and 1 ({share})")
        check_tier(self.tier)

    @property
    def calls_a_month(self) -> Decimal:
        if self.calls_per_month is not None:
            return Decimal(self.calls_per_month)
        return Decimal(1 if self.calls_per_day is None else self.calls_per_day) * Decimal(self.days_per_month)

    def components(self, calls: Decimal, *, monthly_growth: Decimal = ZERO) -> list[Component]:
        """``calls`` calls a month (first month), growing ``monthly_growth`` a month over the first year."""
        year = growth_factor(Decimal(monthly_growth), 12)
        quantities = per_call_token_quantities(
            self.input_tokens,
            self.output_tokens,
            cached_share=Decimal(self.cached_share),
            batch_share=Decimal(self.batch_share),
            tier=self.tier,
        )
        quantities.append(("requests", REQUEST_FEE, Decimal(1) / 1000))
        comps = [
            Component(label, ref, monthly=qty * calls, first_year=qty * calls * year) for label, ref, qty in quantities
        ]
        return off_peak(comps, Decimal(self.off_peak_share))


@dataclass(frozen=True)
class TokenCost:
    per_call: Decimal
    per_day: Decimal
    per_month: Decimal
    per_year: Decimal
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    calls_per_month: Decimal = ZERO
    parts: list[Part] = field(default_factory=list)  # a month's tokens and cost per price


@dataclass(frozen=True)
class InferenceBudget:
    monthly: Decimal  # first month's run-rate
    first_year: Decimal
    horizon_total: Decimal
    months: list[Decimal]
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    calls_per_month: Decimal = ZERO
    parts: list[Part] = field(default_factory=list)  # the first month's tokens and cost per price


def token_components(
    input_tokens: int, output_tokens: int, *, monthly_growth: Decimal = ZERO, **workload
) -> list[Component]:
    """The plan of a recurring token workload: monthly quantities and first-year quantities."""
    load = TokenWorkload(input_tokens, output_tokens, **workload)
    return load.components(load.calls_a_month, monthly_growth=monthly_growth)


def token_cost(lookup: PriceLookup, model: str | None, input_tokens: int, output_tokens: int, **workload) -> TokenCost:
    """Cost of one call, a day, a month (``days_per_month`` days, or ``calls_per_month``) and a year."""
    load = TokenWorkload(input_tokens, output_tokens, **workload)
    per_call = value(load.components(Decimal(1)), lookup, model, what="token cost")
    month = value(load.components(load.calls_a_month), lookup, model, what="token cost")
    days = Decimal(load.days_per_month)
    per_day = month.monthly / days if days else ZERO
    return TokenCost(
        per_call.monthly,
        per_day,
        month.monthly,
        month.monthly * 12,
        per_call.prices,
        per_call.inferred,
        load.calls_a_month,
        month.parts,
    )


def inference_budget(
    lookup: PriceLookup,
    model: str | None,
    *,
    input_tokens: int,
    output_tokens: int,
    monthly_growth: Decimal = ZERO,
    horizon_months: int = 12,
    **workload,
) -> InferenceBudget:
    """Month-by-month spend of a workload growing ``monthly_growth`` (0.05 = 5%) a month."""
    if not 1 <= horizon_months <= MAX_HORIZON_MONTHS:
        raise CalcError(f"horizon_months must be from 1 to {MAX_HORIZON_MONTHS} ({horizon_months})")
    if not (Decimal(monthly_growth).is_finite() and monthly_growth >= -1):
        raise CalcError(f"monthly_growth cannot be below -100% ({monthly_growth})")
    load = TokenWorkload(input_tokens, output_tokens, **workload)
    comps = load.components(load.calls_a_month, monthly_growth=monthly_growth)
    valued = value(comps, lookup, model, what="inference budget")
    months, step = [], valued.monthly
    for _ in range(horizon_months):
        months.append(step)
        step *= 1 + Decimal(monthly_growth)
    return InferenceBudget(
        valued.monthly,
        valued.first_year,
        sum(months, ZERO),
        months,
        valued.prices,
        valued.inferred,
        load.calls_a_month,
        valued.parts,
    )
