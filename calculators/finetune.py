"""Fine-tune budgets: training tokens x training price (hosted) or GPU-hours x hourly price (self-hosted).

Training is a project cost (one-time); re-trainings per year are a run-rate, spread over twelve months, so
the first year = one-time + the year's re-trainings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import CalcError
from .lookup import PriceLookup
from .plan import MILLION, ZERO, Component, PriceRef, value

TRAINING = PriceRef("training")
GPU_HOUR = PriceRef("gpu_hour", "per_hour")


@dataclass(frozen=True)
class FinetuneBudget:
    training_tokens: Decimal
    one_run: Decimal  # one training including the iteration buffer
    one_time: Decimal
    monthly: Decimal
    first_year: Decimal


def _check(**numbers) -> None:
    for name, number in numbers.items():
        if number is not None and number < 0:
            raise CalcError(f"{name} cannot be negative ({number})")


def finetune_components(
    *,
    examples: int | None = None,
    tokens_per_example: int | None = None,
    epochs: int = 1,
    gpu_hours: Decimal | None = None,
    iteration_buffer: Decimal = ZERO,
    retrains_per_year: Decimal = ZERO,
) -> list[Component]:
    """One training run (x (1 + buffer)) one-time, plus ``retrains_per_year`` runs as a run-rate."""
    _check(
        examples=examples,
        tokens_per_example=tokens_per_example,
        epochs=epochs,
        gpu_hours=gpu_hours,
        iteration_buffer=iteration_buffer,
        retrains_per_year=retrains_per_year,
    )
    buffer = 1 + Decimal(iteration_buffer)
    retrains = Decimal(retrains_per_year)
    if gpu_hours is not None:
        label, ref, qty = "gpu hours", GPU_HOUR, Decimal(gpu_hours)
    elif examples is not None and tokens_per_example is not None:
        label, ref = "training", TRAINING
        qty = Decimal(examples) * Decimal(tokens_per_example) * Decimal(epochs) / MILLION
    else:
        raise CalcError("a fine-tune needs examples and tokens_per_example (and epochs), or gpu_hours")
    run = qty * buffer
    return [Component(label, ref, one_time=run, monthly=run * retrains / 12, first_year=run * (1 + retrains))]


def finetune_budget(lookup: PriceLookup, model: str | None = None, **workload) -> FinetuneBudget:
    """E.g. 10,000 examples x 400 tokens x 3 epochs = 12M tokens at $10 per 1M = $120.00."""
    comps = finetune_components(**workload)
    valued = value(comps, lookup, model, what="fine-tune budget")
    tokens = comps[0].one_time * MILLION if comps[0].ref is TRAINING else ZERO
    buffer = 1 + Decimal(workload.get("iteration_buffer", ZERO))
    return FinetuneBudget(
        tokens / buffer, valued.one_time, valued.one_time, valued.monthly, valued.first_year
    )
