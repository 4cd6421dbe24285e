"""Valuing budgets at dates: every model line of every budget, at every date, in a few DuckDB statements.

Lines are planned in Python (quantities only) and written once to DuckDB; the warehouse's one resolver
(``warehouse.resolve``) answers every component at every date, and quantities x resolved prices are summed
per line and date in DuckDB. ``budget price`` (one date) and ``budget reprice`` (two) both value budgets
here, so they cannot disagree. Written prices and fixed amounts do not depend on the date and are valued in
Python.

Precision: the products run on 64-bit decimals, ten times faster than 128-bit ones: quantities are
DECIMAL(18,8) (millions of tokens, images, hours: up to 10^10) and each resolved price is rounded once to
DECIMAL(18,10) (10^-10 dollars per unit); the amounts are exact sums of those products.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pyarrow as pa
from aiprices.warehouse.resolve import (
    ASK_SCHEMA,
    priced_span,
    prompt_class,
    resolve_into,
    tier_thresholds,
    unknown_names,
)

from .budget_file import BudgetFile
from .errors import BudgetError, CalcError
from .plan import Valued, value
from .tco import Amounts
from .warehouse_prices import check_known, ref_fields

if TYPE_CHECKING:
    from .budget import LinePlan

QUANTITY = pa.decimal128(18, 8)
_Q = Decimal("1e-8")

# One row per component of a model line: what it needs (a question) and how much of it.
NEEDS_SCHEMA = pa.schema(
    [
        ("b", pa.int32()),
        ("l", pa.int32()),
        ("c", pa.int32()),
        ("question", pa.int64()),
        ("optional", pa.bool_()),  # a price most models lack (a per-request fee): absent adds nothing
        ("q_one_time", QUANTITY),
        ("q_monthly", QUANTITY),
        ("q_first_year", QUANTITY),
    ]
)
# One row per distinct question (the resolver's ask columns without the instant): budgets share models.
QUESTIONS_SCHEMA = pa.schema([f for f in ASK_SCHEMA if f.name != "as_of"])
DATES_SCHEMA = pa.schema([("b", pa.int32()), ("side", pa.int32()), ("day", pa.date32())])

_DAYS = """
CREATE OR REPLACE TEMP TABLE budget_days AS
SELECT day, end_of_day(day) AS as_of FROM (SELECT DISTINCT day FROM budget_dates)
"""

# Every question at every date some budget needs it, as the resolver's asks.
_ASKS = f"""
CREATE OR REPLACE TEMP VIEW budget_asks AS
SELECT {", ".join("d.as_of" if f.name == "as_of" else f"q.{f.name}" for f in ASK_SCHEMA)}
FROM budget_questions AS q
JOIN (SELECT DISTINCT n.question, x.day FROM budget_needs AS n JOIN budget_dates AS x USING (b)) AS w
  ON w.question = q.ask_id
JOIN budget_days AS d USING (day)
"""

# Each component at each date with the interval that priced it (NULL price: unpriced).
_ANSWERS = """
CREATE OR REPLACE TEMP VIEW budget_answers AS
SELECT n.b, n.l, n.c, x.day, n.optional, n.q_one_time, n.q_monthly, n.q_first_year,
       r.price, r.unit_price, r.rule, r.source, r.source_model_key
FROM budget_needs AS n
JOIN budget_dates AS x USING (b)
JOIN budget_days AS d USING (day)
LEFT JOIN (SELECT *, CAST(price AS DECIMAL(18, 10)) AS unit_price FROM budget_resolved) AS r
  ON r.ask_id = n.question AND r.as_of = d.as_of
"""

# One row per model line and date: its amounts from the components that have a price.
_LINE_VALUES = """
CREATE OR REPLACE TEMP TABLE budget_line_values AS
SELECT b, l, day,
       coalesce(sum(q_one_time * unit_price), 0) AS one_time,
       coalesce(sum(q_monthly * unit_price), 0) AS monthly,
       coalesce(sum(q_first_year * unit_price), 0) AS first_year
FROM budget_answers GROUP BY ALL
"""

_TOTALS = "SELECT b, day, sum(one_time), sum(monthly), sum(first_year) FROM budget_line_values GROUP BY ALL"

# Changes between each budget's two dates of every interval that priced one of its components.
_CHANGES = """
SELECT r.b, r.l, r.c, ch.changed_on, ch.source, ch.source_model_key, ch.price_key, ch.service_tier,
       ch.context_min_tokens, ch.unit, ch.old_price, ch.new_price, ch.pct_change, ch.kind, ch.flag
FROM (SELECT DISTINCT n.b, n.l, n.c, x.source, x.source_model_key, x.price_key, x.unit, x.service_tier,
             x.context_min_tokens, x.region, x.variant
      FROM budget_resolved AS x JOIN budget_needs AS n ON n.question = x.ask_id) AS r
JOIN budget_dates AS f ON f.b = r.b AND f.side = 0
JOIN budget_dates AS t ON t.b = r.b AND t.side = 1
JOIN price_changes AS ch
  ON ch.source = r.source AND ch.source_model_key = r.source_model_key AND ch.price_key = r.price_key
 AND ch.unit = r.unit AND ch.service_tier = r.service_tier AND ch.context_min_tokens = r.context_min_tokens
 AND ch.region = r.region AND ch.variant = r.variant
 AND ch.changed_at > end_of_day(least(f.day, t.day)) AND ch.changed_at <= end_of_day(greatest(f.day, t.day))
 AND coalesce(ch.flag, '') NOT IN ('quarantined', 'rejected')   -- held back: never a cause of drift
ORDER BY r.b, r.l, r.c, ch.changed_at
"""
# What a valuation leaves behind on the connection, dropped when it is done.
_CLEANUP = (
    "DROP VIEW IF EXISTS budget_answers",
    "DROP VIEW IF EXISTS budget_asks",
    "DROP TABLE IF EXISTS budget_days",
    "DROP TABLE IF EXISTS budget_resolved",
    "DROP TABLE IF EXISTS budget_line_values",
)


@dataclass
class LineAt:
    """One line valued on one date; ``unpriced`` names the prices the warehouse lacked."""

    amounts: Amounts = field(default_factory=Amounts)
    unpriced: list[str] = field(default_factory=list)
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)


@dataclass
class Valuation:
    """Every budget x date total, and (with ``detail``) every line x date and (with ``changes``) its causes."""

    budgets: list[BudgetFile]
    plans: list[list[LinePlan]]
    dates: list[list[date]]
    totals: dict[tuple[int, date], Amounts]
    values: dict[tuple[int, int, date], LineAt] = field(default_factory=dict)
    changes: dict[tuple[int, int], list[tuple]] = field(default_factory=dict)


class _Needs:
    """The needs and questions tables, filled line by line; equal questions share one row."""

    def __init__(self, thresholds: dict[str, list[int]]) -> None:
        self.thresholds = thresholds
        self.needs: list[list] = [[] for _ in NEEDS_SCHEMA]
        self.questions: dict[tuple, int] = {}

    def add(self, b: int, plan: LinePlan) -> None:
        for c, comp in enumerate(plan.components):
            name = comp.model or plan.model
            price_key, unit, tier, context, *rest = ref_fields(comp.ref)
            asked = (name, plan.source, plan.vendor, None, None, "any", price_key, unit, tier,
                     prompt_class(self.thresholds.get(name, []), context), *rest)  # fmt: skip
            question = self.questions.setdefault(asked, len(self.questions))
            row = (b, plan.index, c, question, comp.ref.optional, comp.one_time.quantize(_Q),
                   comp.monthly.quantize(_Q), comp.first_year.quantize(_Q))  # fmt: skip
            for column, item in zip(self.needs, row, strict=True):
                column.append(item)

    def __bool__(self) -> bool:
        return bool(self.questions)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        needs = [pa.array(col, f.type) for col, f in zip(self.needs, NEEDS_SCHEMA, strict=True)]
        asked = list(zip(*((i, *q) for q, i in self.questions.items()), strict=True))
        questions = [pa.array(col, f.type) for col, f in zip(asked, QUESTIONS_SCHEMA, strict=True)]
        return (
            pa.Table.from_arrays(needs, schema=NEEDS_SCHEMA),
            pa.Table.from_arrays(questions, schema=QUESTIONS_SCHEMA),
        )


def value_budgets(
    con,
    budgets: list[BudgetFile],
    plans: list[list[LinePlan]],
    dates: list[list[date]],
    *,
    detail: bool = True,
    changes: bool = False,
) -> Valuation:
    """Value every line of ``budgets[i]`` (planned as ``plans[i]``) at each of ``dates[i]`` (end of UTC day).

    ``con`` may be None when no line names a model. With ``changes`` (two dates per budget: from, to) the
    ``price_changes`` rows of every price that valued a line between the two dates are kept per component.
    """
    written = {
        (b, plan.index): _written(bf, plan)
        for b, (bf, lines) in enumerate(zip(budgets, plans, strict=True))
        for plan in lines
        if not plan.model
    }
    result = Valuation(budgets, plans, dates, _fixed_totals(dates, written))
    if detail:
        result.values = _written_values(dates, written)
    names = sorted({c.model or plan.model for lines in plans for plan in lines if plan.model for c in plan.components})
    if not names:
        return result
    if con is None:
        raise BudgetError("pricing a model needs a warehouse (--db)")
    _check_names(con, budgets, plans, names)
    needs = _Needs(tier_thresholds(con, names))
    for b, lines in enumerate(plans):
        for plan in lines:
            if plan.model:
                needs.add(b, plan)
    date_rows = [dict(b=b, side=side, day=d) for b, ds in enumerate(dates) for side, d in enumerate(ds)]
    needs_table, questions = needs.tables()
    con.register("budget_needs", needs_table)
    con.register("budget_questions", questions)
    con.register("budget_dates", pa.Table.from_pylist(date_rows, schema=DATES_SCHEMA))
    try:
        con.execute(_DAYS)
        con.execute(_ASKS)
        resolve_into(con, "budget_asks", "budget_resolved")
        con.execute(_ANSWERS)
        con.execute(_LINE_VALUES)
        for b, d, one, monthly, year in con.execute(_TOTALS).fetchall():
            result.totals[(b, d)].add(Amounts(one, monthly, year))
        if detail:
            result.values.update(_model_values(con, plans))
        if changes:
            for row in con.execute(_CHANGES).fetchall():
                result.changes.setdefault(tuple(row[:2]), []).append(row[2:])
        return result
    finally:
        for statement in _CLEANUP:
            con.execute(statement)
        for name in ("budget_needs", "budget_questions", "budget_dates"):
            con.unregister(name)


def _written(bf: BudgetFile, plan: LinePlan) -> Valued:
    """A line that needs no warehouse: written prices or fixed amounts."""
    try:
        return value(plan.components, bf.explicit.get(plan.index), None, what=f"line {plan.name!r}")
    except CalcError as exc:
        raise BudgetError(f"{bf.where('lines', plan.index, 'prices')}: {exc}") from None


def _fixed_totals(dates, written) -> dict[tuple[int, date], Amounts]:
    fixed: dict[int, Amounts] = defaultdict(Amounts)
    for (b, _l), valued in written.items():
        fixed[b].add(Amounts(valued.one_time, valued.monthly, valued.first_year))
    return {
        (b, d): Amounts(fixed[b].one_time, fixed[b].monthly, fixed[b].first_year)
        for b, ds in enumerate(dates)
        for d in ds
    }


def _written_values(dates, written) -> dict[tuple[int, int, date], LineAt]:
    return {
        (b, li, d): LineAt(
            Amounts(valued.one_time, valued.monthly, valued.first_year),
            [],
            dict(valued.prices),
            list(valued.inferred),
        )  # fmt: skip
        for (b, li), valued in written.items()
        for d in dates[b]
    }


def _model_values(con, plans) -> dict[tuple[int, int, date], LineAt]:
    values = {
        (b, li, d): LineAt(Amounts(one, monthly, year))
        for b, li, d, one, monthly, year in con.execute("SELECT * FROM budget_line_values").fetchall()
    }
    answers = con.execute("SELECT b, l, c, day, optional, price, rule FROM budget_answers ORDER BY b, l, c")
    for b, li, c, d, optional, price, rule in answers.fetchall():
        at = values[(b, li, d)]
        label = plans[b][li].components[c].label
        if price is None:
            if not optional:
                at.unpriced.append(label)
            continue
        at.prices[label] = price
        if rule:
            at.inferred.append(rule)
    return values


def _check_names(con, budgets: list[BudgetFile], plans: list[list[LinePlan]], names: list[str]) -> None:
    """One query for all names; the first unknown one is an error with suggestions and its line."""
    unknown = set(unknown_names(con, names))
    for bf, lines in zip(budgets, plans, strict=True):
        for plan in lines:
            for name in dict.fromkeys(c.model or plan.model for c in plan.components if plan.model):
                if name in unknown:
                    try:
                        check_known(con, name)
                    except CalcError as exc:
                        raise BudgetError(f"{bf.where('lines', plan.index, 'model')}: {exc}") from None


def missing_message(con, plan: LinePlan, on: date, at: LineAt) -> str:
    """Why a model line has no value on a date: which prices are missing, and when the model had prices."""
    first, last = priced_span(con, plan.model, plan.source)
    missing = ", ".join(at.unpriced)
    return f"{plan.model!r} has no {missing} price on {on} (priced from {first} to {last or 'now'})"
