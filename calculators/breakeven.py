"""Break-even of fine-tuning: training cost against the monthly savings of a fine-tuned small model.

Payback = training cost / (frontier monthly cost - fine-tuned monthly cost). The retraining horizon is how
long a trained model lives (a new base model or new data means training again), so a payback beyond it
never amortizes. Seed 002: $3K training, $72/mo savings -> 42 months -> "never amortizes before
retraining"; $4K, $650/mo -> "pays back in 6 months"; $12K, $30K/mo -> "pays back in 2 weeks".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import CalcError

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


@dataclass(frozen=True)
class BreakEven:
    training_cost: Decimal
    monthly_savings: Decimal
    payback_months: Decimal | None  # None: no savings, never pays back
    retrain_months: int
    pays_back: bool
    verdict: str


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
    savings = Decimal(monthly_savings)
    if savings <= 0:
        return BreakEven(
            training_cost,
            savings,
            None,
            retrain_months,
            False,
            "never amortizes: the fine-tuned model saves nothing per month",
        )
    payback = (Decimal(training_cost) / savings).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    months = payback.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if payback > retrain_months:
        verdict = (
            f"never amortizes before retraining "
            f"(payback {months} months > retraining every {retrain_months} months)"
        )
        return BreakEven(training_cost, savings, payback, retrain_months, False, verdict)
    if payback < 1:
        weeks = max(Decimal(1), (payback * WEEKS_PER_MONTH).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        verdict = f"pays back in {weeks} week{'s' if weeks != 1 else ''}"
    else:
        verdict = f"pays back in {months} month{'s' if months != 1 else ''}"
    return BreakEven(training_cost, savings, payback, retrain_months, True, verdict)
