"""A budget's estimate against a month of actual usage, and the gap split into price and volume.

For each model line: the *estimate* is its monthly cost on the budget's ``priced_on`` (``price_budget``); the
*actual* is the month's usage of its models, each day at that day's prices; the same usage at the
``priced_on`` prices tells the two causes of the gap apart, exactly:

    price  = actual - usage at priced_on prices      (prices changed since the estimate)
    volume = usage at priced_on prices - estimate    (usage differs from what was estimated)
    gap    = actual - estimate = price + volume

Usage counts against the first line naming its model (by name, or by the canonical model both names map to);
usage of a model no line names is a line of its own (estimate $0). Lines without a model (fixed amounts,
written prices) are not measured by usage and count as estimated. A line with a day or an estimate that has
no price is *unpriced*: listed with its reasons and left out of the totals, never counted as $0.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from aiprices.warehouse.usage_store import usage_rows

from .budget import BudgetValue, price_budget
from .budget_file import BudgetFile
from .errors import CalcError
from .usage_cost import PricedDay, price_usage

ZERO = Decimal(0)


@dataclass
class ActualLine:
    """One line of the comparison; ``actual``/``price``/``volume`` are None when it is unpriced."""

    name: str
    model: str | None
    estimate: Decimal | None
    actual: Decimal | None = ZERO
    at_estimate_prices: Decimal | None = ZERO
    measured: bool = True  # False: a line usage cannot measure (counted as estimated)
    unpriced: list[str] = field(default_factory=list)
    days: set[date] = field(default_factory=set)

    @property
    def priced(self) -> bool:
        return not self.unpriced and self.estimate is not None

    @property
    def gap(self) -> Decimal | None:
        return self.actual - self.estimate if self.priced else None

    @property
    def price(self) -> Decimal | None:
        return self.actual - self.at_estimate_prices if self.priced else None

    @property
    def volume(self) -> Decimal | None:
        return self.at_estimate_prices - self.estimate if self.priced else None


@dataclass
class ActualReport:
    """A budget's month: every line, the totals of the priced ones, and which days had usage."""

    budget: BudgetValue
    month: date
    lines: list[ActualLine]
    usage_days: set[date]
    usage_sources: list[str]

    @property
    def days_in_month(self) -> int:
        return calendar.monthrange(self.month.year, self.month.month)[1]

    def total(self, what: str) -> Decimal:
        return sum((getattr(line, what) for line in self.lines if line.priced), ZERO)

    @property
    def unpriced(self) -> list[ActualLine]:
        return [line for line in self.lines if not line.priced]


def month_span(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s calendar month."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def budget_actual(con, bf: BudgetFile, month: date, usage_source: str | None = None) -> ActualReport:
    """Compare ``bf``'s estimate with the month's usage (of one usage source, or all)."""
    first, last = month_span(month)
    estimate = price_budget(bf, con)
    rows = usage_rows(con, first, last, usage_source)
    if not rows:
        where = f" from usage source {usage_source!r}" if usage_source else ""
        raise CalcError(f"no usage imported{where} for {first:%Y-%m}: run `aiprices usage import FILE` first")
    priced_on = bf.budget.priced_on
    actual = price_usage(con, rows)
    at_estimate = price_usage(con, rows, on=lambda _row: priced_on)
    lines = _lines(estimate)
    owner = _owners(con, estimate, {r.model for r in rows})
    for day_actual, day_estimate in zip(actual, at_estimate, strict=True):
        model = day_actual.usage.model
        index = owner.get(model)
        if index is None:
            index = owner[model] = len(lines)
            lines.append(ActualLine(f"(not in budget) {model}", model, ZERO))
        _count(lines[index], day_actual, day_estimate)
    sources = sorted({r.usage_source for r in rows})
    return ActualReport(estimate, first, lines, {r.day for r in rows}, sources)


def _lines(estimate: BudgetValue) -> list[ActualLine]:
    out = []
    for v in estimate.lines:
        line = ActualLine(v.name, v.model, v.monthly, measured=v.model is not None)
        if v.monthly is None:
            line.unpriced.append(f"no estimate on {estimate.on}: {v.at.reason}")
        if not line.measured:
            line.actual = line.at_estimate_prices = v.monthly
        out.append(line)
    return out


def _owners(con, estimate: BudgetValue, usage_models: set[str]) -> dict[str, int]:
    """Usage model name -> the index of the first line naming it (or the same canonical model)."""
    by_name: dict[str, int] = {}
    for v in estimate.lines:
        for comp in v.plan.components if v.model else []:
            by_name.setdefault(comp.model or v.model, v.plan.index)
    canonical = _canonical(con, set(by_name) | usage_models)
    by_model: dict[str, int] = {}
    for name, index in by_name.items():
        for model in canonical.get(name, {name}):
            by_model.setdefault(model, index)
    owners = {}
    for name in usage_models:
        if name in by_name:
            owners[name] = by_name[name]
            continue
        found = sorted(by_model[m] for m in canonical.get(name, {name}) if m in by_model)
        if found:
            owners[name] = found[0]
    return owners


def _canonical(con, names: set[str]) -> dict[str, set[str]]:
    """Each name's canonical model ids (a source's key maps to the model it prices)."""
    rows = con.execute(
        "SELECT n.name, list(DISTINCT i.model) FROM (SELECT unnest(?) AS name) AS n "
        "JOIN price_intervals AS i ON i.model = n.name OR i.source_model_key = n.name GROUP BY n.name",
        [sorted(names)],
    ).fetchall()
    return {name: set(models) for name, models in rows}


def _count(line: ActualLine, actual: PricedDay, at_estimate: PricedDay) -> None:
    line.days.add(actual.usage.day)
    for day in (actual, at_estimate):
        if day.amount is None:
            line.unpriced.append(day.reason)
    if line.unpriced:
        return
    line.actual += actual.amount
    line.at_estimate_prices += at_estimate.amount
