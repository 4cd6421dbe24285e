"""Fine-tune budgets: training tokens x training price (hosted) or GPU-hours x hourly price (self-hosted),
and optionally the fine-tuned model's inference, with the breakdown seed 001 works by hand.

Training is a project cost (one-time); re-trainings per year are a run-rate, spread over twelve months, so
the first year = one-time + the year's re-trainings. Training tokens are one price (``training``) or split
into the examples' input and output tokens at ``training_input`` / ``training_output`` (where only one
training price is known, both pay it, reported as inferred).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from .errors import CalcError
from .lookup import PriceLookup
from .plan import MILLION, ZERO, Component, Part, PriceRef, check_counts, value
from .tokens import TokenWorkload
from .variants import FINE_TUNED

# Training prices are asked as the "fine-tuned" variant: stored as such (OpenAI, Azure), as "Supervised
# fine-tuning" (Vertex) or without a variant (LiteLLM, Mistral), all one variant in ``variants``.
TRAINING = PriceRef("training", variant=FINE_TUNED)
TRAINING_INPUT = PriceRef(
    "training_input", variant=FINE_TUNED, fallback=("training", "standard", Decimal(1), "training input = training")
)
TRAINING_OUTPUT = PriceRef(
    "training_output", variant=FINE_TUNED, fallback=("training", "standard", Decimal(1), "training output = training")
)
GPU_HOUR = PriceRef("gpu_hour", "per_hour")


@dataclass(frozen=True)
class FinetuneBudget:
    training_tokens: Decimal  # examples x tokens x epochs (one run, before the iteration buffer)
    one_run: Decimal  # one training including the iteration buffer
    one_time: Decimal
    monthly: Decimal  # re-trainings spread over the year + the first month of inference
    first_year: Decimal
    training: list[Part] = field(default_factory=list)  # one run (buffer included) per price
    inference: list[Part] = field(default_factory=list)  # the first month per price
    inference_monthly: Decimal = ZERO
    calls_per_month: Decimal = ZERO
    inferred: list[str] = field(default_factory=list)


def _training_quantities(
    examples: int | None,
    tokens_per_example: int | None,
    input_tokens_per_example: int | None,
    output_tokens_per_example: int | None,
    epochs: int,
) -> list[tuple[str, PriceRef, Decimal]]:
    """Millions of training tokens of one run, per price."""
    split = input_tokens_per_example is not None or output_tokens_per_example is not None
    if split and tokens_per_example is not None:
        raise CalcError("give tokens_per_example or input/output_tokens_per_example, not both")
    if examples is None or (tokens_per_example is None and not split):
        raise CalcError(
            "a fine-tune needs examples and tokens_per_example (or input_tokens_per_example and "
            "output_tokens_per_example), and epochs; or gpu_hours"
        )
    runs = Decimal(examples) * Decimal(epochs) / MILLION
    if not split:
        return [("training", TRAINING, runs * Decimal(tokens_per_example))]
    return [
        (label, ref, runs * Decimal(tokens))
        for label, ref, tokens in (
            ("training input", TRAINING_INPUT, input_tokens_per_example or 0),
            ("training output", TRAINING_OUTPUT, output_tokens_per_example or 0),
        )
        if tokens
    ]


def finetune_components(
    *,
    examples: int | None = None,
    tokens_per_example: int | None = None,
    input_tokens_per_example: int | None = None,
    output_tokens_per_example: int | None = None,
    epochs: int = 1,
    gpu_hours: Decimal | None = None,
    iteration_buffer: Decimal = ZERO,
    retrains_per_year: Decimal = ZERO,
) -> list[Component]:
    """One training run (x (1 + buffer)) one-time, plus ``retrains_per_year`` runs as a run-rate."""
    check_counts(
        examples=examples,
        tokens_per_example=tokens_per_example,
        input_tokens_per_example=input_tokens_per_example,
        output_tokens_per_example=output_tokens_per_example,
        epochs=epochs,
        gpu_hours=gpu_hours,
        iteration_buffer=iteration_buffer,
        retrains_per_year=retrains_per_year,
    )
    if gpu_hours is not None:
        quantities = [("gpu hours", GPU_HOUR, Decimal(gpu_hours))]
    else:
        quantities = _training_quantities(
            examples, tokens_per_example, input_tokens_per_example, output_tokens_per_example, epochs
        )
    buffer = 1 + Decimal(iteration_buffer)
    retrains = Decimal(retrains_per_year)
    return [
        Component(label, ref, one_time=qty * buffer, monthly=qty * buffer * retrains / 12,
                  first_year=qty * buffer * (1 + retrains))
        for label, ref, qty in quantities
    ]  # fmt: skip


def finetune_budget(
    lookup: PriceLookup, model: str | None = None, *, inference: TokenWorkload | None = None, **training
) -> FinetuneBudget:
    """E.g. 10,000 examples x (250 in + 150 out) x 3 epochs at $8 / $12 per 1M = $60 + $54 = $114.00; with
    ``inference`` (1.5M calls a month x 100 in + 70 out at $3 / $6 per 1M) also $450 + $630 a month."""
    comps = finetune_components(**training)
    trained = value(comps, lookup, model, what="fine-tune budget")
    buffer = 1 + Decimal(training.get("iteration_buffer", ZERO))
    tokens = sum((c.one_time for c in comps if c.ref is not GPU_HOUR), ZERO) * MILLION / buffer
    served = value([], lookup, model, what="fine-tuned inference")
    if inference is not None:
        served_comps = [replace(c, label=f"inference {c.label}") for c in inference.components(inference.calls_a_month)]
        served = value(served_comps, lookup, model, what="fine-tuned inference")
    return FinetuneBudget(
        training_tokens=tokens,
        one_run=trained.one_time,
        one_time=trained.one_time,
        monthly=trained.monthly + served.monthly,
        first_year=trained.first_year + served.first_year,
        training=trained.parts,
        inference=served.parts,
        inference_monthly=served.monthly,
        calls_per_month=inference.calls_a_month if inference is not None else ZERO,
        inferred=trained.inferred + served.inferred,
    )
