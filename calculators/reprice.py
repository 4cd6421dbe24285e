"""Set-based repricing: every line of every budget valued at many dates in one DuckDB query, with the
``price_changes`` rows that explain the drift between two dates.

Lines are planned in Python (quantities only), written once to a temp table, and joined with
``price_history`` on the price identity and the validity range of each date (the same selection rule as
``warehouse_lookup``: line's source or litellm first, exact key, highest applicable long-context tier;
a published price beats the documented fallback, e.g. cached input = 10% of input). Written prices and
fixed amounts do not depend on the date and are valued in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pyarrow as pa

from .budget import LinePlan, amounts_json, money, plan_budget
from .budget_file import BudgetFile
from .errors import BudgetError
from .money import plain
from .plan import ZERO, value
from .tco import Amounts
from .warehouse_lookup import suggest

_NEEDS_SCHEMA = pa.schema(
    [
        ("b", pa.int32()),
        ("l", pa.int32()),
        ("c", pa.int32()),
        ("ask", pa.int8()),
        ("name", pa.string()),
        ("want_source", pa.string()),
        ("want_vendor", pa.string()),
        ("price_key", pa.string()),
        ("unit", pa.string()),
        ("tier", pa.string()),
        ("context", pa.int64()),
        ("variant", pa.string()),
        ("factor", pa.decimal128(18, 6)),
    ]
)

_RESOLVE = """
WITH names AS (
    SELECT DISTINCT n.name, k.source, k.vendor, k.source_model_key
    FROM (SELECT DISTINCT name FROM calc_needs) n
    JOIN (SELECT DISTINCT source, vendor, model, source_model_key FROM price_history) k
      ON k.model = n.name OR k.source_model_key = n.name
),
asks AS (
    SELECT n.*, d.asof_day, nm.source, nm.source_model_key
    FROM calc_needs n
    JOIN calc_dates d ON d.b = n.b
    JOIN names nm ON nm.name = n.name
     AND (n.want_source IS NULL OR nm.source = n.want_source)
     AND (n.want_vendor IS NULL OR nm.vendor = n.want_vendor)
)
SELECT a.b, a.l, a.c, a.asof_day, a.ask, CAST(p.price * a.factor AS DECIMAL(38, 24)) AS price,
       p.source, p.vendor, p.model, p.source_model_key, p.price_key, p.unit, p.service_tier,
       p.context_min_tokens, p.region, p.variant
FROM asks a
JOIN price_history p
  ON p.source = a.source AND p.source_model_key = a.source_model_key AND p.price_key = a.price_key
 AND p.unit = a.unit AND p.service_tier = a.tier AND p.variant = a.variant
 AND p.region = '' AND p.currency = 'USD'
 AND (p.context_min_tokens = 0 OR a.context > p.context_min_tokens)
 AND p.valid_from < CAST(a.asof_day + 1 AS TIMESTAMPTZ)
 AND (p.valid_to IS NULL OR p.valid_to >= CAST(a.asof_day + 1 AS TIMESTAMPTZ))
QUALIFY row_number() OVER (
    PARTITION BY a.b, a.l, a.c, a.asof_day
    ORDER BY a.ask, (p.source <> 'litellm'), p.source, (p.source_model_key <> a.name), p.source_model_key,
             p.context_min_tokens DESC) = 1
"""

_CHANGES = """
SELECT r.b, r.l, r.c, ch.changed_on, ch.source, ch.source_model_key, ch.price_key, ch.service_tier,
       ch.context_min_tokens, ch.unit, ch.old_price, ch.new_price, ch.pct_change, ch.kind, ch.flag
FROM (SELECT DISTINCT b, l, c, source, source_model_key, price_key, unit, service_tier, context_min_tokens,
             region, variant FROM calc_resolved) r
JOIN calc_dates f ON f.b = r.b AND f.side = 0
JOIN calc_dates t ON t.b = r.b AND t.side = 1
JOIN price_changes ch
  ON ch.source = r.source AND ch.source_model_key = r.source_model_key AND ch.price_key = r.price_key
 AND ch.unit = r.unit AND ch.service_tier = r.service_tier AND ch.context_min_tokens = r.context_min_tokens
 AND ch.region = r.region AND ch.variant = r.variant
 AND ch.changed_at >= CAST(least(f.asof_day, t.asof_day) + 1 AS TIMESTAMPTZ)
 AND ch.changed_at < CAST(greatest(f.asof_day, t.asof_day) + 1 AS TIMESTAMPTZ)
 AND coalesce(ch.flag, '') NOT IN ('quarantined', 'rejected')   -- held back: never a cause of drift
ORDER BY r.b, r.l, r.c, ch.changed_at
"""


@dataclass
class LineAt:
    """One line valued on one date; ``unpriced`` names the prices the warehouse lacked."""

    amounts: Amounts = field(default_factory=Amounts)
    unpriced: list[str] = field(default_factory=list)
    prices: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Repriced:
    """Every budget x line x date, plus (for two dates) the changes between them."""

    budgets: list[BudgetFile]
    plans: list[list[LinePlan]]
    dates: list[list[date]]
    values: dict[tuple[int, int, date], LineAt]
    changes: dict[tuple[int, int], list[dict]] = field(default_factory=dict)


def _ask_rows(b: int, plan: LinePlan):
    for c, comp in enumerate(plan.components):
        ref = comp.ref
        base = (b, plan.index, c)
        model = comp.model or plan.model
        yield (*base, 0, model, plan.source, plan.vendor, ref.price_key, ref.unit, ref.tier, ref.context,
               ref.variant, Decimal(1))  # fmt: skip
        if ref.fallback:
            key, tier, factor, _rule = ref.fallback
            ident = (model, plan.source, plan.vendor, key, ref.unit, tier, ref.context, ref.variant)
            yield (*base, 1, *ident, factor)


def reprice(con, budgets: list[BudgetFile], dates: list[list[date]], *, changes: bool = False) -> Repriced:
    """Value all lines of ``budgets[i]`` at each of ``dates[i]`` with one resolving query.

    With ``changes`` (and exactly two dates per budget: from, to) the ``price_changes`` rows of every
    resolved price between the two dates are attached to their line.
    """
    plans = [plan_budget(bf) for bf in budgets]
    values: dict[tuple[int, int, date], LineAt] = {}
    rows = []
    for b, (bf, lines) in enumerate(zip(budgets, plans, strict=True)):
        for plan in lines:
            if plan.model:
                rows.extend(_ask_rows(b, plan))
                continue
            valued = value(plan.components, bf.explicit.get(plan.index), None, what=plan.name)
            for d in dates[b]:
                values[(b, plan.index, d)] = LineAt(
                    Amounts(valued.one_time, valued.monthly, valued.first_year), [], valued.prices
                )
    _check_names(con, budgets, plans)
    if rows:
        cols = [pa.array(col, f.type) for col, f in zip(zip(*rows, strict=True), _NEEDS_SCHEMA, strict=True)]
        needs = pa.Table.from_arrays(cols, schema=_NEEDS_SCHEMA)
    else:
        needs = _NEEDS_SCHEMA.empty_table()
    date_rows = [(b, side, d) for b, ds in enumerate(dates) for side, d in enumerate(ds)]
    calc_dates = pa.table(
        {
            "b": pa.array([r[0] for r in date_rows], pa.int32()),
            "side": pa.array([r[1] for r in date_rows], pa.int32()),
            "asof_day": pa.array([r[2] for r in date_rows], pa.date32()),
        }
    )
    con.register("calc_needs", needs)
    con.register("calc_dates", calc_dates)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE calc_resolved AS {_RESOLVE}")
        resolved = con.execute("SELECT b, l, c, asof_day, ask, price FROM calc_resolved").fetchall()
        found = {(b, li, c, at): (ask, price) for b, li, c, at, ask, price in resolved}
        for b, lines in enumerate(plans):
            for plan in lines:
                if not plan.model:
                    continue
                for d in dates[b]:
                    out = values.setdefault((b, plan.index, d), LineAt())
                    for c, comp in enumerate(plan.components):
                        hit = found.get((b, plan.index, c, d))
                        if hit is None:
                            if not comp.ref.optional:  # an absent per-request fee adds nothing
                                out.unpriced.append(comp.label)
                            continue
                        price = hit[1]
                        out.prices[comp.label] = price
                        out.amounts.add(
                            Amounts(comp.one_time * price, comp.monthly * price, comp.first_year * price)
                        )
        result = Repriced(budgets, plans, dates, values)
        if changes:
            merged: dict[tuple, dict] = {}
            for row in con.execute(_CHANGES).fetchall():
                b, li, c = row[:3]
                label = plans[b][li].components[c].label
                entry = merged.get((b, li, *row[3:10]))
                if entry is None:
                    entry = merged[(b, li, *row[3:10])] = _change_json(row)
                    result.changes.setdefault((b, li), []).append(entry)
                entry["components"].append(label)
        return result
    finally:
        con.execute("DROP TABLE IF EXISTS calc_resolved")
        con.unregister("calc_needs")
        con.unregister("calc_dates")


def _check_names(con, budgets: list[BudgetFile], plans: list[list[LinePlan]]) -> None:
    """One query for all names; the first unknown one is an error with suggestions and its line."""
    wanted = {c.model or plan.model for lines in plans for plan in lines if plan.model for c in plan.components}
    if not wanted:
        return
    known = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT model FROM price_history WHERE model IN (SELECT unnest(?)) UNION "
            "SELECT DISTINCT source_model_key FROM price_history "
            "WHERE source_model_key IN (SELECT unnest(?))",
            [sorted(wanted), sorted(wanted)],
        ).fetchall()
    }
    for bf, lines in zip(budgets, plans, strict=True):
        for plan in lines:
            for model in dict.fromkeys(c.model or plan.model for c in plan.components if plan.model):
                if model not in known:
                    raise BudgetError(f"{bf.where('lines', plan.index, 'model')}: {suggest(con, model)}")


def _change_json(row) -> dict:
    _b, _l, _c, on, source, key, price_key, tier, ctx, unit, old, new, pct, kind, flag = row
    return {
        "components": [],
        "changed_on": on.isoformat(),
        "source": source,
        "source_model_key": key,
        "price_key": price_key,
        "service_tier": tier,
        "context_min_tokens": ctx,
        "unit": unit,
        "old_price": None if old is None else plain(old),
        "new_price": None if new is None else plain(new),
        "pct_change": pct,
        "kind": kind,
        "flag": flag,
    }


def _pct(old: Decimal, new: Decimal) -> str | None:
    if old == 0:
        return None if new == 0 else "inf"
    return str(((new - old) * 100 / old).quantize(Decimal("0.01")))


def _drift(a: Amounts, z: Amounts) -> dict:
    return {
        **amounts_json(Amounts(z.one_time - a.one_time, z.monthly - a.monthly, z.first_year - a.first_year)),
        "pct": _pct(a.first_year, z.first_year),
    }


def drift_report(result: Repriced, *, threshold_pct: Decimal = Decimal(10)) -> list[dict]:
    """The documented JSON of ``budget reprice``: per budget and line, from/to values, drift and causes."""
    report = []
    for b, bf in enumerate(result.budgets):
        start, end = result.dates[b]
        tot_a, tot_z = Amounts(), Amounts()
        lines, unpriced = [], []
        for plan in result.plans[b]:
            a, z = result.values[(b, plan.index, start)], result.values[(b, plan.index, end)]
            tot_a.add(a.amounts)
            tot_z.add(z.amounts)
            for d, at in ((start, a), (end, z)):
                if at.unpriced:
                    unpriced.append(f"{plan.name}: no {', '.join(at.unpriced)} price on {d}")
            lines.append(
                {
                    "name": plan.name,
                    "kind": plan.kind,
                    "model": plan.model,
                    "from": amounts_json(a.amounts),
                    "to": amounts_json(z.amounts),
                    "drift": _drift(a.amounts, z.amounts),
                    "unpriced": sorted(set(a.unpriced) | set(z.unpriced)),
                    "drift_by_component": _by_component(plan, a, z),
                    "changes": result.changes.get((b, plan.index), []),
                }
            )
        drift = _drift(tot_a, tot_z)
        pct = drift["pct"]
        over = pct == "inf" or (pct is not None and abs(Decimal(pct)) > threshold_pct)
        report.append(
            {
                "budget": bf.budget.name,
                "file": str(bf.path),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "saved_total": money(bf.saved_total),
                "lines": lines,
                "total": {"from": amounts_json(tot_a), "to": amounts_json(tot_z), "drift": drift},
                "stale": bool(over or unpriced),
                "stale_reasons": ([f"first-year drift {pct}% beyond {threshold_pct}%"] if over else [])
                + unpriced,
                "threshold_pct": str(threshold_pct),
            }
        )
    return report


def _by_component(plan: LinePlan, a: LineAt, z: LineAt) -> dict[str, dict]:
    """How much each priced component moved the line (monthly and first year)."""
    out = {}
    for comp in plan.components:
        if comp.label in a.prices and comp.label in z.prices and a.prices[comp.label] != z.prices[comp.label]:
            delta = z.prices[comp.label] - a.prices[comp.label]
            out[comp.label] = {
                "monthly": money(comp.monthly * delta),
                "first_year": money(comp.first_year * delta),
            }
    return out


def totals_by_date(result: Repriced) -> dict[tuple[int, date], Amounts]:
    """Sum lines per budget and date (the benchmark's month-end series)."""
    out: dict[tuple[int, date], Amounts] = defaultdict(Amounts)
    for (b, _l, d), at in result.values.items():
        out[(b, d)].add(at.amounts)
    return dict(out)


__all__ = ["ZERO", "Repriced", "drift_report", "reprice", "totals_by_date"]
