"""Break-even of fine-tuning: training cost against the monthly savings of a fine-tuned small model.

Monthly savings = (frontier cost - fine-tuned cost) per query x the queries a month the fine-tuned model
serves (all of them, or its routing share: seed 002's 80/20 split). Payback = training cost / savings,
rounded *up* to whole months (after 6 months of $650, only $3,900 of $4,000 is back: it pays back in 7),
with the exact figure beside it. The retraining horizon is how long a trained model lives (a new base
model or new data means training again), so a payback beyond it never amortizes. Seed 002: $3K training,
$72/mo savings -> 41.67 months -> "never amortizes before retraining"; $4K, $650/mo -> 7 months (6.15);
$12K, $30K/mo -> 2 weeks (0.40 months).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from .errors import CalcError
from .plan import ZERO

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Savings:
    """A query volume priced on both models; ``share`` of the queries move to the fine-tuned model."""

    queries_per_month: Decimal
    share: Decimal
    frontier_per_query: Decimal
    finetuned_per_query: Decimal

    @property
    def before(self) -> Decimal:
        """Every query on the frontier model, a month."""
        return self.frontier_per_query * self.queries_per_month

    @property
    def after(self) -> Decimal:
        """The routed share on the fine-tuned model, the rest still on the frontier, a month."""
        moved = self.queries_per_month * self.share
        return self.finetuned_per_query * moved + self.frontier_per_query * (self.queries_per_month - moved)

    @property
    def monthly(self) -> Decimal:
        return self.before - self.after


def savings(
    frontier_per_query: Decimal, finetuned_per_query: Decimal, queries_per_month: Decimal, share: Decimal = Decimal(1)
) -> Savings:
    """Monthly savings of moving ``share`` of ``queries_per_month`` from the frontier to the fine-tuned model."""
    if not (share.is_finite() and ZERO <= share <= 1):
        raise CalcError(f"share must be between 0 and 1 ({share})")
    if not queries_per_month.is_finite() or queries_per_month < 0:
        raise CalcError(f"queries per month cannot be negative ({queries_per_month})")
    return Savings(Decimal(queries_per_month), share, frontier_per_query, finetuned_per_query)


@dataclass(frozen=True)
class BreakEven:
    training_cost: Decimal
    monthly_savings: Decimal
    payback_months: Decimal | None  # exact ratio to the cent of a month; None: never pays back
    payback_whole_months: int | None  # rounded up: the first month-end by which the cost is back
    retrain_months: int
    pays_back: bool
    verdict: str
    net_over_lifetime: Decimal  # savings over the retraining horizon - training cost


def break_even(
    training_cost: Decimal,
    *,
    frontier_monthly: Decimal | None = None,
    finetuned_monthly: Decimal | None = None,
    monthly_savings: Decimal | None = None,
    retrain_months: int = 12,
) -> BreakEven:
    """Payback in months and the verdict against the retraining horizon."""
    if training_cost < 0:
        raise CalcError(f"training cost cannot be negative ({training_cost})")
    if retrain_months < 1:
        raise CalcError(f"retrain_months must be at least 1 ({retrain_months})")
    if monthly_savings is None:
        if frontier_monthly is None or finetuned_monthly is None:
            raise CalcError("break-even needs monthly_savings, or frontier_monthly and finetuned_monthly")
        monthly_savings = Decimal(frontier_monthly) - Decimal(finetuned_monthly)
    saved = Decimal(monthly_savings)
    net = saved * retrain_months - Decimal(training_cost)
    if saved <= 0:
        verdict = "never amortizes: the fine-tuned model saves nothing per month"
        return BreakEven(training_cost, saved, None, None, retrain_months, False, verdict, net)
    exact = Decimal(training_cost) / saved
    payback = exact.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    months = _ceil(exact)
    if exact > retrain_months:
        verdict = (
            f"never amortizes before retraining "
            f"(payback {months} months ({payback}) > retraining every {retrain_months} months)"
        )
        return BreakEven(training_cost, saved, payback, months, retrain_months, False, verdict, net)
    if exact >= 1:
        verdict = f"pays back in {months} month{'s' if months != 1 else ''} ({payback})"
    else:
        weeks = max(1, _ceil(Decimal(training_cost) * 52 / (saved * 12)))
        verdict = f"pays back in {weeks} week{'s' if weeks != 1 else ''} ({payback} months)"
    return BreakEven(training_cost, saved, payback, months, retrain_months, True, verdict, net)


def _ceil(number: Decimal) -> int:
    return int(number.to_integral_value(rounding=ROUND_CEILING))
