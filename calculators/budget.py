"""Pricing a budget: every line becomes a plan (quantities x prices), valued with explicit prices or the
warehouse on one date, then summed per line, per TCO category and in total.

JSON keys are stable: each line and the total carry ``one_time``, ``monthly`` (run-rate of the first
month) and ``first_year`` (one-time + twelve months of run-rate, with growth where a line has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .budget_file import BudgetFile, FinetuneLine, FixedLine, ImageLine, InferenceLine, TokenLine
from .errors import BudgetError, CalcError
from .finetune import finetune_components
from .images import image_components
from .money import cents, parse_amount, plain
from .plan import ZERO, Component, routed
from .tco import CATEGORIES, Amounts, category_of, tco
from .tokens import token_components
from .valuation import LineAt, Offer, value_budgets


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
    """One line on one date: ``at.amounts`` is None when it is unpriced (``at.reason`` says why)."""

    plan: LinePlan
    at: LineAt
    fallback: str
    pins: dict[str, Offer | None]  # component -> the offer that priced it on priced_on

    name = property(lambda self: self.plan.name)
    kind = property(lambda self: self.plan.kind)
    category = property(lambda self: self.plan.category)
    model = property(lambda self: self.plan.model)
    prices = property(lambda self: self.at.prices)
    inferred = property(lambda self: self.at.inferred)

    @property
    def one_time(self) -> Decimal | None:
        return self.at.amounts.one_time if self.at.amounts else None

    @property
    def monthly(self) -> Decimal | None:
        return self.at.amounts.monthly if self.at.amounts else None

    @property
    def first_year(self) -> Decimal | None:
        return self.at.amounts.first_year if self.at.amounts else None


@dataclass
class BudgetValue:
    """A budget on one date; ``total`` and ``categories`` sum the priced lines only."""

    name: str
    path: str
    on: date
    lines: list[LineValue]
    total: Amounts
    categories: dict[str, Amounts]
    saved_total: Decimal | None = None

    @property
    def unpriced(self) -> list[LineValue]:
        return [v for v in self.lines if v.at.amounts is None]


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
            comps.append(Component("one-time", None, one_time=Decimal(1), first_year=Decimal(1), price=amount))
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
            off_peak_share=line.off_peak_share,
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
            images=line.images,
            images_per_month=line.images_per_month,
            size=line.size,
            quality=line.quality,
            steps=line.steps,
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

    ``con`` is a warehouse connection, needed only when a line names a model. Each model line is priced by
    the offer that priced it on ``priced_on`` (or as its ``fallback`` allows); a line missing a price on
    ``on`` is unpriced: left out of the totals, with its reason.
    """
    on = on or bf.budget.priced_on
    plans = plan_budget(bf)
    first_model = next((p for p in plans if p.model), None)
    if first_model and con is None:
        raise BudgetError(f"{bf.where('lines', first_model.index, 'model')}: pricing a model needs a warehouse (--db)")
    valued = value_budgets(con, [bf], [plans], [[on]])
    lines = [LineValue(p, valued.values[(0, p.index, on)], valued.fallback(0, p.index), valued.pins[(0, p.index)])
             for p in plans]  # fmt: skip
    priced = [(v.plan.category, v.at.amounts) for v in lines if v.at.amounts is not None]
    cats = tco(priced).categories
    return BudgetValue(bf.budget.name, str(bf.path), on, lines, valued.totals[(0, on)], cats, bf.saved_total)


def money(value: Decimal | None) -> str | None:
    """Money in JSON: a string with cents (exact; JSON numbers would be floats)."""
    return None if value is None else str(cents(value))


AMOUNT_KEYS = ("one_time", "monthly", "first_year")


def amounts_json(a) -> dict:
    return {"one_time": money(a.one_time), "monthly": money(a.monthly), "first_year": money(a.first_year)}


def priced_by_json(at: LineAt, pins: dict[str, Offer | None]) -> list[dict]:
    """Which offer priced which components of a line on one date; ``fallback``: not the pinned offer."""
    return [
        {
            "source": o.source,
            "source_model_key": o.source_model_key,
            "components": labels,
            "fallback": any(pins.get(label) != o for label in labels),
        }
        for o, labels in at.priced_by.items()
    ]


def summary_json(lines: int, unpriced: int) -> dict:
    return {"lines": lines, "priced": lines - unpriced, "unpriced": unpriced}


def budget_json(bv: BudgetValue) -> dict:
    """The documented JSON shape of ``budget price --json``; an unpriced line has null amounts."""
    return {
        "budget": bv.name,
        "file": bv.path,
        "on": bv.on.isoformat(),
        "lines": [
            {
                "name": v.plan.name,
                "kind": v.plan.kind,
                "category": v.plan.category,
                "model": v.plan.model,
                **(amounts_json(v.at.amounts) if v.at.amounts else dict.fromkeys(AMOUNT_KEYS)),
                "status": "priced" if v.at.amounts else "unpriced",
                "unpriced": v.at.unpriced,
                "reason": v.at.reason,
                "fallback": v.fallback,
                "priced_by": priced_by_json(v.at, v.pins),
                "prices": {k: plain(p) for k, p in v.at.prices.items()},
                "inferred": v.at.inferred,
            }
            for v in bv.lines
        ],
        "total": amounts_json(bv.total),
        "summary": summary_json(len(bv.lines), len(bv.unpriced)),
        "tco": {CATEGORIES[k]: amounts_json(a) for k, a in bv.categories.items()},
        "saved_total": money(bv.saved_total),
    }
