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

import contextlib
import gc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
from aiprices.warehouse.resolve import ASK_SCHEMA, NameFacts, name_facts, prompt_class, resolve_into

from .budget_file import BudgetFile
from .errors import BudgetError, CalcError
from .plan import ZERO, Valued, value
from .tco import Amounts
from .unpriced import reason
from .variants import Spellings, spell, stored_spellings
from .warehouse_prices import check_known

if TYPE_CHECKING:
    from .budget import LinePlan

QUANTITY = pa.decimal128(38, 8)
_Q = Decimal("1e-8")
_QUANTITY_DIGITS = Context(prec=38)  # a quantity has up to 30 digits before the point (10^15 counts multiply)
TOO_LARGE = "a line costs more than 10^20 dollars, beyond what a valuation holds"
# A line's ``fallback`` -> the resolver's pin scope for its components on other dates than priced_on.
PIN_SCOPES = {"none": "key", "any-key": "source", "any-source": "any"}

# One row per component of a model line: which ask answers it, and how much of it.
NEEDS_SCHEMA = pa.schema(
    [
        ("b", pa.int32()),
        ("l", pa.int32()),
        ("c", pa.int32()),
        ("ask_id", pa.int64()),
        ("optional", pa.bool_()),  # a price most models lack (a per-request fee): absent adds nothing
        ("q_one_time", QUANTITY),
        ("q_monthly", QUANTITY),
        ("q_first_year", QUANTITY),
    ]
)
# One row per distinct question and priced_on (budgets share models): the resolver's ask columns without
# the instant, and the day its offer is pinned on.
QUESTIONS_SCHEMA = pa.schema([*(f for f in ASK_SCHEMA if f.name != "as_of"), ("pin_day", pa.date32())])
ASKED_SCHEMA = pa.schema([("ask_id", pa.int64()), ("day", pa.date32())])  # each question on each day it is needed
LISTS_SCHEMA = pa.schema([("b", pa.int32()), ("list", pa.int32())])  # the date list of each budget
LIST_DAYS_SCHEMA = pa.schema([("list", pa.int32()), ("side", pa.int32()), ("day", pa.date32())])


def _ask_columns(**given: str) -> str:
    """The resolver's ask columns, from the questions table ``q`` unless given."""
    return ", ".join(f"{given[f.name]} AS {f.name}" if f.name in given else f"q.{f.name}" for f in ASK_SCHEMA)


_DAYS = """
CREATE OR REPLACE TEMP TABLE budget_days AS
SELECT day, end_of_day(day) AS as_of
FROM (SELECT day FROM budget_asked UNION SELECT pin_day FROM budget_questions)
"""

# Every question on its priced_on, from any offer: the offer to pin.
_PIN_ASKS = f"""
CREATE OR REPLACE TEMP VIEW budget_pin_asks AS
SELECT {_ask_columns(as_of="d.as_of", pin_scope="'any'")}
FROM budget_questions AS q JOIN budget_days AS d ON d.day = q.pin_day
"""

# Every question on every day it is needed, pinned to that offer (NULL: none answered on priced_on).
_ASKS = f"""
CREATE OR REPLACE TEMP VIEW budget_asks AS
SELECT {_ask_columns(as_of="d.as_of", pin_source="p.source", pin_key="p.source_model_key")}
FROM budget_asked AS w
JOIN budget_questions AS q USING (ask_id)
JOIN budget_days AS d USING (day)
LEFT JOIN budget_pins AS p USING (ask_id)
"""

# Each budget's dates, in its order: budgets with the same dates share one date list.
_DATES = """
CREATE OR REPLACE TEMP VIEW budget_dates AS
SELECT l.b, d.list, d.side, d.day FROM budget_lists AS l JOIN budget_list_days AS d USING (list)
"""
# Each budget's distinct dates: a date it lists twice (from = to) is valued once.
_DATE_SET = "CREATE OR REPLACE TEMP VIEW budget_date_set AS SELECT DISTINCT b, day FROM budget_dates"

# Each component at each date with the interval that priced it (NULL price: unpriced).
_ANSWERS = """
CREATE OR REPLACE TEMP VIEW budget_answers AS
SELECT n.b, n.l, n.c, x.day, n.optional, n.q_one_time, n.q_monthly, n.q_first_year,
       r.price, r.unit_price, r.rule, r.source, r.source_model_key
FROM budget_needs AS n
JOIN budget_date_set AS x USING (b)
LEFT JOIN budget_priced_asks AS r ON r.ask_id = n.ask_id AND r.day = x.day
"""
# The answers by day, with their price as the sums use it (rounded once here, not per component and date).
_PRICED_ASKS = """
CREATE OR REPLACE TEMP TABLE budget_priced_asks AS
SELECT r.*, d.day, CAST(r.price AS DECIMAL(38, 10)) AS unit_price
FROM budget_resolved AS r JOIN budget_days AS d USING (as_of)
"""

# The lines that miss a needed price on a date: found from the few asks without an answer, not by scanning
# every component x date.
_MISSING = """
CREATE OR REPLACE TEMP TABLE budget_missing AS
SELECT n.b, n.l, x.day, list(n.c ORDER BY n.c) AS components
FROM (SELECT w.ask_id, w.day
      FROM budget_asked AS w JOIN budget_days AS d USING (day)
      ANTI JOIN budget_resolved AS r ON r.ask_id = w.ask_id AND r.as_of = d.as_of) AS g
JOIN budget_needs AS n ON n.ask_id = g.ask_id AND NOT n.optional
JOIN budget_date_set AS x ON x.b = n.b AND x.day = g.day
GROUP BY ALL
"""

_SUMS = """coalesce(sum(q_one_time * unit_price), 0), coalesce(sum(q_monthly * unit_price), 0),
       coalesce(sum(q_first_year * unit_price), 0)"""

# Each ask's price along each date list it is used on (0 where it has none), as steps: the change since the
# list's previous date. Prices seldom move, so most steps are zero and are left out.
_STEPS = """
CREATE OR REPLACE TEMP TABLE budget_steps AS
WITH along AS (SELECT DISTINCT n.ask_id, l.list FROM budget_needs AS n JOIN budget_lists AS l USING (b)),
priced AS (
    SELECT a.ask_id, a.list, d.side, coalesce(p.unit_price, 0) AS price
    FROM along AS a
    JOIN budget_list_days AS d USING (list)
    LEFT JOIN budget_priced_asks AS p ON p.ask_id = a.ask_id AND p.day = d.day
)
SELECT ask_id, list, side, price - coalesce(lag(price) OVER (PARTITION BY ask_id, list ORDER BY side), 0) AS step
FROM priced
QUALIFY step <> 0
"""

# Per budget and date: the sum of the lines that have every price they need. The sum of every priced
# component is a running sum of quantity x step along the budget's dates (a few products per price change
# instead of one per component and date); the unpriced lines' priced components are then taken out again.
_TOTALS = """
WITH moves AS (
    SELECT n.b, s.side, sum(n.q_one_time * s.step) AS one_time, sum(n.q_monthly * s.step) AS monthly,
           sum(n.q_first_year * s.step) AS first_year
    FROM budget_needs AS n
    JOIN budget_lists AS l USING (b)
    JOIN budget_steps AS s ON s.ask_id = n.ask_id AND s.list = l.list
    GROUP BY ALL
),
running AS (
    SELECT x.b, x.day, sum(coalesce(m.one_time, 0)) OVER w AS one_time,
           sum(coalesce(m.monthly, 0)) OVER w AS monthly, sum(coalesce(m.first_year, 0)) OVER w AS first_year
    FROM budget_dates AS x LEFT JOIN moves AS m USING (b, side)
    WINDOW w AS (PARTITION BY x.b ORDER BY x.side)
),
unpriced AS (
    SELECT a.b, a.day, coalesce(sum(a.q_one_time * a.unit_price), 0) AS one_time,
           coalesce(sum(a.q_monthly * a.unit_price), 0) AS monthly,
           coalesce(sum(a.q_first_year * a.unit_price), 0) AS first_year
    FROM budget_missing AS m JOIN budget_answers AS a USING (b, l, day)
    GROUP BY ALL
)
SELECT r.b, r.day, r.one_time - coalesce(u.one_time, 0), r.monthly - coalesce(u.monthly, 0),
       r.first_year - coalesce(u.first_year, 0)
FROM running AS r LEFT JOIN unpriced AS u USING (b, day)
"""
_UNPRICED_LINES = "SELECT b, day, count(*) FROM budget_missing GROUP BY ALL"

# Per model line and date (``detail``): its amounts, and the components it misses (NULL: none).
_LINE_VALUES = f"""
SELECT a.b, a.l, a.day, m.components, {_SUMS}
FROM budget_answers AS a LEFT JOIN budget_missing AS m USING (b, l, day)
GROUP BY ALL
"""

# The offer each (non-optional) component is pinned to; NULL: none answered it on priced_on.
_PINS = """
SELECT n.b, n.l, n.c, p.source, p.source_model_key
FROM budget_needs AS n LEFT JOIN budget_pins AS p USING (ask_id)
WHERE NOT n.optional ORDER BY n.b, n.l, n.c
"""

# Changes between each budget's two dates of every interval that priced one of its components.
_CHANGES = """
SELECT r.b, r.l, r.c, ch.changed_on, ch.source, ch.source_model_key, ch.price_key, ch.service_tier,
       ch.context_min_tokens, ch.unit, ch.old_price, ch.new_price, ch.pct_change, ch.kind, ch.flag
FROM (SELECT DISTINCT k.b, k.l, k.c, x.source, x.source_model_key, x.price_key, x.unit, x.service_tier,
             x.context_min_tokens, x.region, x.variant
      FROM budget_resolved AS x JOIN budget_needs AS k USING (ask_id)) AS r
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

_REGISTERED = ("budget_needs", "budget_questions", "budget_asked", "budget_lists", "budget_list_days")
# What a valuation leaves behind on the connection, dropped when it is done.
_CLEANUP = (
    "DROP VIEW IF EXISTS budget_answers",
    "DROP VIEW IF EXISTS budget_date_set",
    "DROP VIEW IF EXISTS budget_dates",
    "DROP TABLE IF EXISTS budget_steps",
    "DROP TABLE IF EXISTS budget_priced_asks",
    "DROP VIEW IF EXISTS budget_asks",
    "DROP VIEW IF EXISTS budget_pin_asks",
    "DROP TABLE IF EXISTS budget_days",
    "DROP TABLE IF EXISTS budget_pins",
    "DROP TABLE IF EXISTS budget_resolved",
    "DROP TABLE IF EXISTS budget_missing",
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


class _Needs:
    """The registered tables, filled line by line. Components asking the same question of budgets priced on
    the same day share one ask (and its pin); each ask is resolved on the days its budgets need."""

    def __init__(self, facts: dict[str, NameFacts], dates: list[list[date]], spellings: Spellings) -> None:
        self.facts = facts
        self.spellings = spellings
        self.dates = dates
        self.rows: list[tuple] = []
        self.asks: dict[tuple, int] = {}
        self.days: list[set[int]] = []  # per ask: the budgets' date lists it is needed on (by index)
        self.date_lists: dict[tuple[date, ...], int] = {}
        self.budget_dates = [self.date_lists.setdefault(tuple(ds), len(self.date_lists)) for ds in dates]

    def add(self, b: int, plan: LinePlan, fallback: str, priced_on: date) -> None:
        scope = PIN_SCOPES[fallback]
        for c, comp in enumerate(plan.components):
            name = comp.model or plan.model
            ref = spell(comp.ref, name, self.spellings, plan.source)  # the variant as the sources store it
            facts = self.facts[name]
            if ref.optional and ref.price_key not in facts.price_keys:
                continue  # a fee this model never had: it adds nothing on any date
            context = prompt_class(facts.thresholds, ref.context) if ref.context else 0
            key = (name, plan.source, plan.vendor, scope, ref.price_key, ref.unit, ref.tier, context, ref.variant,
                   ref.fallback, ref.time_window, priced_on)  # fmt: skip
            ask = self.asks.get(key)
            if ask is None:
                ask = self.asks[key] = len(self.asks)
                self.days.append(set())
            self.days[ask].add(self.budget_dates[b])
            self.rows.append((b, plan.index, c, ask, ref.optional, comp.one_time, comp.monthly, comp.first_year))

    def register(self, con, budgets: list[BudgetFile]) -> None:
        """The needs, questions, asked days and dates tables, under the names the SQL reads."""
        columns = list(zip(*self.rows, strict=True))
        quantities = [_quantities(col, budgets) for col in columns[5:]]
        con.register("budget_needs", _table(NEEDS_SCHEMA, [*columns[:5], *quantities]))
        questions = [
            (ask, name, source, vendor, None, None, scope, price_key, unit, tier, context, variant,
             *(fallback or (None,) * 4), window, pin_day)
            for (name, source, vendor, scope, price_key, unit, tier, context, variant, fallback, window, pin_day), ask
            in self.asks.items()
        ]  # fmt: skip
        con.register("budget_questions", _table(QUESTIONS_SCHEMA, list(zip(*questions, strict=True))))
        lists = list(self.date_lists)
        asked = [(ask, day) for ask, ids in enumerate(self.days) for day in {d for i in ids for d in lists[i]}]
        con.register("budget_asked", _table(ASKED_SCHEMA, list(zip(*asked, strict=True))))
        con.register("budget_lists", _table(LISTS_SCHEMA, [range(len(self.budget_dates)), self.budget_dates]))
        days = [(i, side, d) for ds, i in self.date_lists.items() for side, d in enumerate(ds)]
        con.register("budget_list_days", _table(LIST_DAYS_SCHEMA, list(zip(*days, strict=True))))


def _quantities(column: tuple[Decimal, ...], budgets: list[BudgetFile]) -> pa.Array:
    """Quantities as DECIMAL(38,8): as they are when they fit (the common case, and the fastest), else
    rounded to 10^-8 (growth, long shares)."""
    try:
        return pa.array(column, QUANTITY)
    except pa.ArrowInvalid:
        try:
            return pa.array([q.quantize(_Q, context=_QUANTITY_DIGITS) for q in column], QUANTITY)
        except (InvalidOperation, pa.ArrowInvalid):
            raise BudgetError(f"{_where(budgets)}: {TOO_LARGE}") from None


def _table(schema: pa.Schema, columns: list) -> pa.Table:
    arrays = [
        col if isinstance(col, pa.Array) else pa.array(col, f.type) for col, f in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _where(budgets: list[BudgetFile]) -> str:
    return str(budgets[0].path) if len(budgets) == 1 else "a budget"


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while budgets are planned and valued: every object made meanwhile stays
    alive until the valuation returns, so a collection would only walk the caller's objects again and again
    (a third of the CPU time for 10,000 budgets). The collector's state is restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    with quiet_gc():
        return _value(con, budgets, plans, dates, detail=detail, changes=changes)


def _value(con, budgets, plans, dates, *, detail: bool, changes: bool) -> Valuation:
    written = {
        (b, plan.index): _written(bf, plan)
        for b, (bf, lines) in enumerate(zip(budgets, plans, strict=True))
        for plan in lines
        if not plan.model
    }
    result = Valuation(budgets, plans, dates, _totals(dates, _fixed(written), []))
    if detail:
        result.values = _written_values(dates, written)
    names = sorted({c.model or plan.model for lines in plans for plan in lines if plan.model for c in plan.components})
    if not names:
        return result
    if con is None:
        raise BudgetError("pricing a model needs a warehouse (--db)")
    facts = name_facts(con, names)
    _check_names(con, budgets, plans, set(names) - set(facts))
    needs = _Needs(facts, dates, stored_spellings(con, names))
    for b, (bf, lines) in enumerate(zip(budgets, plans, strict=True)):
        for plan in lines:
            if plan.model:
                needs.add(b, plan, result.fallback(b, plan.index), bf.budget.priced_on)
    try:
        needs.register(con, budgets)
        result.totals = _totals(dates, _fixed(written), _run(con, budgets))
        result.unpriced_lines.update(((b, d), n) for b, d, n in con.execute(_UNPRICED_LINES).fetchall())
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
            with contextlib.suppress(duckdb.Error):  # not registered when registering failed
                con.unregister(name)


def _run(con, budgets: list[BudgetFile]) -> list[tuple]:
    """Pin each question on its budgets' priced_on, answer the pinned questions at every date, sum: the
    totals per budget and date."""
    con.execute(_DATES)
    con.execute(_DATE_SET)
    con.execute(_DAYS)
    con.execute(_PIN_ASKS)
    resolve_into(con, "budget_pin_asks", "budget_pins")
    con.execute(_ASKS)
    resolve_into(con, "budget_asks", "budget_resolved")
    con.execute(_PRICED_ASKS)
    con.execute(_ANSWERS)
    con.execute(_MISSING)
    try:
        con.execute(_STEPS)
        return _rows(con, _TOTALS)
    except duckdb.OutOfRangeException:
        raise BudgetError(f"{_where(budgets)}: {TOO_LARGE}") from None


def _rows(con, sql: str) -> list[tuple]:
    """A query's rows, through Arrow columns: twice as fast as ``fetchall`` for many DECIMAL(38) values."""
    columns = con.execute(sql).to_arrow_table().columns
    return list(zip(*(column.to_pylist() for column in columns), strict=True))


def _written(bf: BudgetFile, plan: LinePlan) -> Valued:
    """A line that needs no warehouse: written prices or fixed amounts."""
    try:
        return value(plan.components, bf.explicit.get(plan.index), None, what=f"line {plan.name!r}")
    except CalcError as exc:
        raise BudgetError(f"{bf.where('lines', plan.index, 'prices')}: {exc}") from None


def _fixed(written: dict[tuple[int, int], Valued]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Per budget, the lines that do not depend on the date (written prices, fixed amounts), summed."""
    fixed: dict[int, Amounts] = defaultdict(Amounts)
    for (b, _l), valued in written.items():
        fixed[b].add(Amounts(valued.one_time, valued.monthly, valued.first_year))
    return {b: (a.one_time, a.monthly, a.first_year) for b, a in fixed.items()}


def _totals(dates, fixed: dict[int, tuple], sums: list[tuple]) -> dict[tuple[int, date], Amounts]:
    """Per budget and date: its fixed sum plus the sum of its priced model lines (``sums``: b, day, one-time,
    monthly, first year; a budget without model lines has none)."""
    none = (ZERO, ZERO, ZERO)
    totals = {}
    for b, d, s1, s2, s3 in sums:
        one, monthly, year = fixed.get(b, none)
        totals[(b, d)] = Amounts(one + s1, monthly + s2, year + s3)
    for b, ds in enumerate(dates):
        for d in ds:
            if (b, d) not in totals:
                totals[(b, d)] = Amounts(*fixed.get(b, none))
    return totals


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
        for b, li, d, missing, one, monthly, year in _rows(con, _LINE_VALUES)
    }
    answers = con.execute(
        "SELECT b, l, c, day, optional, price, rule, source, source_model_key FROM budget_answers ORDER BY b, l, c"
    )
    for b, li, c, d, optional, price, rule, source, key in answers.fetchall():
        at = values[(b, li, d)]
        label = plans[b][li].components[c].label
        if price is None:
            if not optional:
                at.unpriced.append(label)
                at.missing_from[label] = result.pins[(b, li)][label]
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


def _check_names(con, budgets: list[BudgetFile], plans: list[list[LinePlan]], unknown: set[str]) -> None:
    """The first line naming an unknown model is an error with its line and the closest known names."""
    for bf, lines in zip(budgets, plans, strict=True):
        for plan in lines:
            for name in dict.fromkeys(c.model or plan.model for c in plan.components if plan.model):
                if name in unknown:
                    try:
                        check_known(con, name)
                    except CalcError as exc:
                        raise BudgetError(f"{bf.where('lines', plan.index, 'model')}: {exc}") from None
