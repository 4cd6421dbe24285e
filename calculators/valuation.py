"""Valuing budgets at dates: every model line of every budget, at every date, in a few DuckDB statements.

Lines are planned in Python (quantities only) and written once to DuckDB; the warehouse's one resolver
(``warehouse.resolve``) answers each distinct question, and quantities x resolved prices are summed per line
and date in DuckDB. ``budget price`` (one date) and ``budget reprice`` (two, or a series) both value budgets
here, so they cannot disagree. Written prices and fixed amounts do not depend on the date and are valued in
Python.

Honest repricing: the offer (source and key) that prices each component on the budget's ``priced_on`` is
pinned for every other date; another offer may answer only where the budget allows it (``fallback``:
``any-key`` within the pinned source, ``any-source``). A model line that misses a price on a date is
*unpriced* on that date: it has no amounts, it is left out of the totals, and it says why.

Precision: quantities are DECIMAL(38,8) (millions of tokens, images, hours, to 10^-8) and each resolved price
is rounded once, in the small table of answers, to DECIMAL(38,10) (10^-10 dollars per unit); the amounts are
exact sums of those products, DECIMAL(38,18): up to 10^20 dollars, beyond which the valuation is an error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
from aiprices.warehouse.resolve import ASK_SCHEMA, prompt_class, resolve_into, tier_thresholds, unknown_names

from .budget_file import BudgetFile
from .errors import BudgetError, CalcError
from .plan import Valued, value
from .tco import Amounts
from .unpriced import reason
from .warehouse_prices import check_known, ref_fields

if TYPE_CHECKING:
    from .budget import LinePlan

QUANTITY = pa.decimal128(38, 8)
_Q = Decimal("1e-8")
_QUANTITY_DIGITS = Context(prec=38)  # a quantity has up to 30 digits before the point (10^15 counts multiply)
TOO_LARGE = "a line costs more than 10^20 dollars, beyond what a valuation holds"
# A line's ``fallback`` -> the resolver's pin scope for its components on other dates than priced_on.
PIN_SCOPES = {"none": "key", "any-key": "source", "any-source": "any"}

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
PRICED_ON_SCHEMA = pa.schema([("b", pa.int32()), ("day", pa.date32())])


def _ask_columns(**given: str) -> str:
    """The resolver's ask columns, from the questions table ``q`` unless given."""
    return ", ".join(f"{given[f.name]} AS {f.name}" if f.name in given else f"q.{f.name}" for f in ASK_SCHEMA)


_DAYS = """
CREATE OR REPLACE TEMP TABLE budget_days AS
SELECT day, end_of_day(day) AS as_of
FROM (SELECT day FROM budget_dates UNION SELECT day FROM budget_priced_on)
"""

# Every question on the priced_on of the budgets that ask it, any offer: the offer to pin.
_PIN_ASKS = f"""
CREATE OR REPLACE TEMP VIEW budget_pin_asks AS
SELECT {_ask_columns(as_of="d.as_of", pin_scope="'any'")}
FROM budget_questions AS q
JOIN (SELECT DISTINCT n.question, p.day FROM budget_needs AS n JOIN budget_priced_on AS p USING (b)) AS w
  ON w.question = q.ask_id
JOIN budget_days AS d USING (day)
"""

# Each component with the offer that answered it on its budget's priced_on (NULL: none did), and the id of
# its pinned question (the same question pinned to the same offer is asked once).
_PINNED = """
CREATE OR REPLACE TEMP TABLE budget_pinned AS
SELECT n.*, r.source AS pin_source, r.source_model_key AS pin_key,
       dense_rank() OVER (ORDER BY n.question, r.source, r.source_model_key) AS ask_id
FROM budget_needs AS n
JOIN budget_priced_on AS p USING (b)
JOIN budget_days AS d USING (day)
LEFT JOIN budget_pins AS r ON r.ask_id = n.question AND r.as_of = d.as_of
"""

# Every pinned question at every date some budget needs it.
_ASKS = f"""
CREATE OR REPLACE TEMP VIEW budget_asks AS
SELECT {_ask_columns(ask_id="k.ask_id", as_of="d.as_of", pin_source="k.pin_source", pin_key="k.pin_key")}
FROM (SELECT DISTINCT k.ask_id, k.question, k.pin_source, k.pin_key, x.day
      FROM budget_pinned AS k JOIN budget_dates AS x USING (b)) AS k
JOIN budget_questions AS q ON q.ask_id = k.question
JOIN budget_days AS d USING (day)
"""

# Each component at each date with the interval that priced it (NULL price: unpriced).
_ANSWERS = """
CREATE OR REPLACE TEMP VIEW budget_answers AS
SELECT k.b, k.l, k.c, x.day, k.optional, k.q_one_time, k.q_monthly, k.q_first_year, k.pin_source, k.pin_key,
       r.price, r.unit_price, r.rule, r.source, r.source_model_key
FROM budget_pinned AS k
JOIN budget_dates AS x USING (b)
JOIN budget_days AS d USING (day)
LEFT JOIN (SELECT *, CAST(price AS DECIMAL(38, 10)) AS unit_price FROM budget_resolved) AS r
  ON r.ask_id = k.ask_id AND r.as_of = d.as_of
"""

# One row per model line and date: its amounts, valid only when no needed price is missing.
_LINE_VALUES = """
CREATE OR REPLACE TEMP TABLE budget_line_values AS
SELECT b, l, day,
       count(*) FILTER (WHERE price IS NULL AND NOT optional) AS missing,
       coalesce(sum(q_one_time * unit_price), 0) AS one_time,
       coalesce(sum(q_monthly * unit_price), 0) AS monthly,
       coalesce(sum(q_first_year * unit_price), 0) AS first_year
FROM budget_answers GROUP BY ALL
"""

# Per budget and date: the sum of the priced lines, and how many lines are unpriced.
_TOTALS = """
SELECT b, day,
       coalesce(sum(one_time) FILTER (WHERE missing = 0), 0),
       coalesce(sum(monthly) FILTER (WHERE missing = 0), 0),
       coalesce(sum(first_year) FILTER (WHERE missing = 0), 0),
       count(*) FILTER (WHERE missing > 0)
FROM budget_line_values GROUP BY ALL
"""

_PINS = "SELECT b, l, c, pin_source, pin_key FROM budget_pinned WHERE NOT optional ORDER BY b, l, c"

# Changes between each budget's two dates of every interval that priced one of its components.
_CHANGES = """
SELECT r.b, r.l, r.c, ch.changed_on, ch.source, ch.source_model_key, ch.price_key, ch.service_tier,
       ch.context_min_tokens, ch.unit, ch.old_price, ch.new_price, ch.pct_change, ch.kind, ch.flag
FROM (SELECT DISTINCT k.b, k.l, k.c, x.source, x.source_model_key, x.price_key, x.unit, x.service_tier,
             x.context_min_tokens, x.region, x.variant
      FROM budget_resolved AS x JOIN budget_pinned AS k USING (ask_id)) AS r
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

_REGISTERED = ("budget_needs", "budget_questions", "budget_dates", "budget_priced_on")
# What a valuation leaves behind on the connection, dropped when it is done.
_CLEANUP = (
    "DROP VIEW IF EXISTS budget_answers",
    "DROP VIEW IF EXISTS budget_asks",
    "DROP VIEW IF EXISTS budget_pin_asks",
    "DROP TABLE IF EXISTS budget_days",
    "DROP TABLE IF EXISTS budget_pins",
    "DROP TABLE IF EXISTS budget_pinned",
    "DROP TABLE IF EXISTS budget_resolved",
    "DROP TABLE IF EXISTS budget_line_values",
)


@dataclass(frozen=True)
class Offer:
    """Who priced (or was pinned to price) some components of a line: a source and its key."""

    source: str
    source_model_key: str

    def __str__(self) -> str:
        return f"{self.source}:{self.source_model_key}"


@dataclass
class LineAt:
    """One line valued on one date. ``amounts`` is None when the line is unpriced on that date: ``unpriced``
    names the missing prices, ``missing_from`` the offer each was pinned to (None: nothing to pin)."""

    amounts: Amounts | None = field(default_factory=Amounts)
    unpriced: list[str] = field(default_factory=list)
    prices: dict[str, Decimal] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    priced_by: dict[Offer, list[str]] = field(default_factory=dict)
    missing_from: dict[str, Offer | None] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class Valuation:
    """Every budget x date total (of the priced lines) and count of unpriced lines; with ``detail`` every
    line x date, with ``changes`` the price changes behind each line's drift."""

    budgets: list[BudgetFile]
    plans: list[list[LinePlan]]
    dates: list[list[date]]
    totals: dict[tuple[int, date], Amounts]
    unpriced_lines: dict[tuple[int, date], int] = field(default_factory=dict)
    pins: dict[tuple[int, int], dict[str, Offer | None]] = field(default_factory=lambda: defaultdict(dict))
    values: dict[tuple[int, int, date], LineAt] = field(default_factory=dict)
    changes: dict[tuple[int, int], list[tuple]] = field(default_factory=dict)

    def fallback(self, b: int, index: int) -> str:
        """The line's ``fallback`` policy (its own, else its budget's)."""
        budget = self.budgets[b].budget
        return getattr(budget.lines[index], "fallback", None) or budget.fallback


def _quantity(q: Decimal, where: str) -> Decimal:
    try:
        return q.quantize(_Q, context=_QUANTITY_DIGITS)
    except InvalidOperation:
        raise BudgetError(f"{where}: {TOO_LARGE}") from None


class _Needs:
    """The needs and questions tables, filled line by line; equal questions share one row."""

    def __init__(self, thresholds: dict[str, list[int]]) -> None:
        self.thresholds = thresholds
        self.needs: list[list] = [[] for _ in NEEDS_SCHEMA]
        self.questions: dict[tuple, int] = {}

    def add(self, b: int, plan: LinePlan, fallback: str, where: str) -> None:
        scope = PIN_SCOPES[fallback]
        for c, comp in enumerate(plan.components):
            name = comp.model or plan.model
            price_key, unit, tier, context, *rest = ref_fields(comp.ref)
            asked = (name, plan.source, plan.vendor, None, None, scope, price_key, unit, tier,
                     prompt_class(self.thresholds.get(name, []), context), *rest)  # fmt: skip
            question = self.questions.setdefault(asked, len(self.questions))
            row = (b, plan.index, c, question, comp.ref.optional,
                   *(_quantity(q, where) for q in (comp.one_time, comp.monthly, comp.first_year)))  # fmt: skip
            for column, item in zip(self.needs, row, strict=True):
                column.append(item)

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
                needs.add(b, plan, result.fallback(b, plan.index), budgets[b].where("lines", plan.index))
    needs_table, questions = needs.tables()
    date_rows = [dict(b=b, side=side, day=d) for b, ds in enumerate(dates) for side, d in enumerate(ds)]
    priced_on = [dict(b=b, day=bf.budget.priced_on) for b, bf in enumerate(budgets)]
    con.register("budget_needs", needs_table)
    con.register("budget_questions", questions)
    con.register("budget_dates", pa.Table.from_pylist(date_rows, schema=DATES_SCHEMA))
    con.register("budget_priced_on", pa.Table.from_pylist(priced_on, schema=PRICED_ON_SCHEMA))
    try:
        for b, d, one, monthly, year, unpriced in _run(con, budgets):
            result.totals[(b, d)].add(Amounts(one, monthly, year))
            result.unpriced_lines[(b, d)] = unpriced
        if detail:
            for b, li, c, source, key in con.execute(_PINS).fetchall():
                result.pins[(b, li)][plans[b][li].components[c].label] = Offer(source, key) if source else None
            result.values.update(_model_values(con, result))
        if changes:
            for row in con.execute(_CHANGES).fetchall():
                result.changes.setdefault(tuple(row[:2]), []).append(row[2:])
        return result
    finally:
        for statement in _CLEANUP:
            con.execute(statement)
        for name in _REGISTERED:
            con.unregister(name)


def _run(con, budgets: list[BudgetFile]) -> list[tuple]:
    """Pin each question on its budgets' priced_on, answer the pinned questions at every date, sum: the
    totals per budget and date."""
    con.execute(_DAYS)
    con.execute(_PIN_ASKS)
    resolve_into(con, "budget_pin_asks", "budget_pins")
    con.execute(_PINNED)
    con.execute(_ASKS)
    resolve_into(con, "budget_asks", "budget_resolved")
    con.execute(_ANSWERS)
    try:
        con.execute(_LINE_VALUES)
        return con.execute(_TOTALS).fetchall()
    except duckdb.OutOfRangeException:
        where = budgets[0].path if len(budgets) == 1 else "a budget"
        raise BudgetError(f"{where}: {TOO_LARGE}") from None


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
            prices=dict(valued.prices),
            inferred=list(valued.inferred),
        )
        for (b, li), valued in written.items()
        for d in dates[b]
    }


def _model_values(con, result: Valuation) -> dict[tuple[int, int, date], LineAt]:
    plans = result.plans
    values = {
        (b, li, d): LineAt(None if missing else Amounts(one, monthly, year))
        for b, li, d, missing, one, monthly, year in con.execute("SELECT * FROM budget_line_values").fetchall()
    }
    answers = con.execute(
        "SELECT b, l, c, day, optional, pin_source, pin_key, price, rule, source, source_model_key "
        "FROM budget_answers ORDER BY b, l, c"
    )
    for b, li, c, d, optional, pin_source, pin_key, price, rule, source, key in answers.fetchall():
        at = values[(b, li, d)]
        label = plans[b][li].components[c].label
        if price is None:
            if not optional:
                at.unpriced.append(label)
                at.missing_from[label] = Offer(pin_source, pin_key) if pin_source else None
            continue
        at.prices[label] = price
        at.priced_by.setdefault(Offer(source, key), []).append(label)
        if rule:
            at.inferred.append(rule)
    for (b, li, d), at in values.items():
        if at.unpriced:
            priced_on, fallback = result.budgets[b].budget.priced_on, result.fallback(b, li)
            at.reason = reason(con, plans[b][li], d, at, priced_on=priced_on, fallback=fallback)
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
