"""Pricing a budget: every line becomes a plan (quantities x prices), valued with explicit prices or the
warehouse on one date, then summed per line, per TCO category and in total.

JSON keys are stable: each line and the total carry ``one_time``, ``monthly`` (run-rate of the first
month) and ``first_year`` (one-time + twelve months of run-rate, with growth where a line has it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .budget_file import BudgetFile, FinetuneLine, FixedLine, ImageLine, InferenceLine, TokenLine
from .errors import BudgetError, CalcError
from .finetune import finetune_components
from .images import image_components
from .money import cents, parse_amount
from .plan import ZERO, Component, routed
from .tco import CATEGORIES, Amounts, category_of, tco
from .tokens import token_components
from .valuation import missing_message, value_budgets


@dataclass(frozen=True)
class LinePlan:
    """What one budget line needs priced: its components, and where its prices come from."""

    index: int
    name: str
    kind: str
    category: str
    model: str | None
    vendor: str | None
    source: str | None
    components: list[Component]


@dataclass
class LineValue:
    name: str
    kind: str
    category: str
    model: str | None
    one_time: Decimal
    monthly: Decimal
    first_year: Decimal
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)


@dataclass
class BudgetValue:
    name: str
    path: str
    on: date
    lines: list[LineValue]
    total: Amounts
    categories: dict[str, Amounts]
    saved_total: Decimal | None = None


def _default_category(line) -> str:
    if isinstance(line, FinetuneLine) and line.gpu_hours is not None:
        return "compute"
    return "model"


def plan_line(index: int, line) -> LinePlan:
    """Components of one validated line (pure: no prices yet); a routed line's components name their model."""
    model = getattr(line, "model", None)
    if isinstance(line, FixedLine):
        comps = []
        if line.one_time is not None:
            amount = parse_amount(line.one_time)
            comps.append(
                Component("one-time", None, one_time=Decimal(1), first_year=Decimal(1), price=amount)
            )
        if line.monthly is not None:
            amount = parse_amount(line.monthly)
            comps.append(Component("monthly", None, monthly=Decimal(1), first_year=Decimal(12), price=amount))
        return LinePlan(index, line.name, line.kind, category_of(line.category), None, None, None, comps)
    if isinstance(line, TokenLine):
        comps = token_components(
            line.input_tokens,
            line.output_tokens,
            calls_per_day=line.calls_per_day,
            calls_per_month=line.calls_per_month,
            days_per_month=line.days_per_month,
            cached_share=line.cached_share,
            batch_share=line.batch_share,
            tier=line.tier,
            monthly_growth=line.monthly_growth if isinstance(line, InferenceLine) else ZERO,
        )
        if line.routes:
            comps = [
                comp
                for i, route in enumerate(line.routes)
                for comp in routed(comps, route.share, model=route.model or route.label(i), label=route.label(i))
            ]
            model = line.routes[0].model
    elif isinstance(line, FinetuneLine):
        comps = finetune_components(
            examples=line.examples,
            tokens_per_example=line.tokens_per_example,
            input_tokens_per_example=line.input_tokens_per_example,
            output_tokens_per_example=line.output_tokens_per_example,
            epochs=line.epochs,
            gpu_hours=line.gpu_hours,
            iteration_buffer=line.iteration_buffer,
            retrains_per_year=line.retrains_per_year,
        )
    elif isinstance(line, ImageLine):
        comps = image_components(
            images=line.images, images_per_month=line.images_per_month, size=line.size, quality=line.quality
        )
    else:  # pragma: no cover - the schema admits only the kinds above
        raise CalcError(f"unknown kind {line.kind!r}")
    category = category_of(line.category) if line.category else _default_category(line)
    return LinePlan(index, line.name, line.kind, category, model, line.vendor, line.source, comps)


def plan_budget(bf: BudgetFile) -> list[LinePlan]:
    plans = []
    for i, line in enumerate(bf.budget.lines):
        try:
            plans.append(plan_line(i, line))
        except CalcError as exc:
            raise BudgetError(f"{bf.where('lines', i)}: {exc}") from None
    return plans


def price_budget(bf: BudgetFile, con=None, on: date | None = None) -> BudgetValue:
    """Value every line on ``on`` (default: the budget's ``priced_on``) with the same engine as ``reprice``.

    ``con`` is a warehouse connection, needed only when a line names a model. A model line without every
    price it needs on the date is an error naming the line.
    """
    on = on or bf.budget.priced_on
    plans = plan_budget(bf)
    first_model = next((p for p in plans if p.model), None)
    if first_model and con is None:
        raise BudgetError(f"{bf.where('lines', first_model.index, 'model')}: pricing a model needs a warehouse (--db)")
    valued = value_budgets(con, [bf], [plans], [[on]])
    values, total = [], Amounts()
    for plan in plans:
        at = valued.values[(0, plan.index, on)]
        if at.unpriced:
            raise BudgetError(f"{bf.where('lines', plan.index, 'model')}: {missing_message(con, plan, on, at)}")
        total.add(at.amounts)
        values.append(
            LineValue(
                plan.name,
                plan.kind,
                plan.category,
                plan.model,
                at.amounts.one_time,
                at.amounts.monthly,
                at.amounts.first_year,
                at.prices,
                at.inferred,
            )
        )
    cats = tco((v.category, Amounts(v.one_time, v.monthly, v.first_year)) for v in values).categories
    return BudgetValue(bf.budget.name, str(bf.path), on, values, total, cats, bf.saved_total)


def money(value: Decimal | None) -> str | None:
    """Money in JSON: a string with cents (exact; JSON numbers would be floats)."""
    return None if value is None else str(cents(value))


def amounts_json(a) -> dict:
    return {"one_time": money(a.one_time), "monthly": money(a.monthly), "first_year": money(a.first_year)}


def budget_json(bv: BudgetValue) -> dict:
    """The documented JSON shape of ``budget price --json``."""
    return {
        "budget": bv.name,
        "file": bv.path,
        "on": bv.on.isoformat(),
        "lines": [
            {
                "name": v.name,
                "kind": v.kind,
                "category": v.category,
                "model": v.model,
                **amounts_json(v),
                "prices": {k: format(p.normalize(), "f") for k, p in v.prices.items()},
                "inferred": v.inferred,
            }
            for v in bv.lines
        ],
        "total": amounts_json(bv.total),
        "tco": {CATEGORIES[k]: amounts_json(a) for k, a in bv.categories.items()},
        "saved_total": money(bv.saved_total),
    }
