"""``budget reprice``: budgets valued on two dates (or a series), the drift between them and its causes.

The valuation itself (one resolver, sums in DuckDB) is ``valuation.value_budgets``, shared with
``budget price``; this module turns it into the documented drift report.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .budget import LinePlan, amounts_json, money, plan_budget, priced_by_json, summary_json
from .budget_file import BudgetFile
from .money import plain
from .tco import Amounts
from .valuation import LineAt, Offer, Valuation, quiet_gc, value_budgets


def reprice(
    con, budgets: list[BudgetFile], dates: list[list[date]], *, changes: bool = False, detail: bool = True
) -> Valuation:
    """Value all lines of ``budgets[i]`` at each of ``dates[i]``; with ``changes`` (from, to) keep the causes."""
    with quiet_gc():
        plans = [plan_budget(bf) for bf in budgets]
        return value_budgets(con, budgets, plans, dates, detail=detail, changes=changes)


def _changes_json(result: Valuation, b: int, plan: LinePlan) -> list[dict]:
    """The price changes behind one line's drift, one entry per change with the components it moved."""
    merged: dict[tuple, dict] = {}
    for c, *change in result.changes.get((b, plan.index), []):
        entry = merged.setdefault(tuple(change[:7]), _change_json(change))
        entry["components"].append(plan.components[c].label)
    return list(merged.values())


def _change_json(row) -> dict:
    on, source, key, price_key, tier, ctx, unit, old, new, pct, kind, flag = row
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


def drift_report(result: Valuation, *, threshold_pct: Decimal = Decimal(10)) -> list[dict]:
    """The documented JSON of ``budget reprice``: per budget and line, from/to values, drift and causes.

    A line unpriced on either date has no drift and is left out of both totals, so the total drift is
    price changes only; the summary counts such lines and each says why.
    """
    report = []
    for b, bf in enumerate(result.budgets):
        start, end = result.dates[b]
        tot_a, tot_z = Amounts(), Amounts()
        lines, unpriced = [], []
        for plan in result.plans[b]:
            a, z = result.values[(b, plan.index, start)], result.values[(b, plan.index, end)]
            line = _line_json(result, b, plan, (start, a), (end, z))
            if line["status"] == "priced":
                tot_a.add(a.amounts)
                tot_z.add(z.amounts)
            unpriced += [f"{plan.name}: unpriced on {u['on']}: {u['reason']}" for u in line["unpriced"]]
            lines.append(line)
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
                "summary": summary_json(len(lines), sum(line["status"] == "unpriced" for line in lines)),
                "stale": bool(over or unpriced),
                "stale_reasons": ([f"first-year drift {pct}% beyond {threshold_pct}%"] if over else []) + unpriced,
                "threshold_pct": str(threshold_pct),
            }
        )
    return report


def _line_json(result: Valuation, b: int, plan: LinePlan, start: tuple[date, LineAt], end: tuple[date, LineAt]):
    (_, a), (_, z) = start, end
    both = a.amounts is not None and z.amounts is not None
    pins = result.pins.get((b, plan.index), {})
    return {
        "name": plan.name,
        "kind": plan.kind,
        "model": plan.model,
        "status": "priced" if both else "unpriced",
        "from": amounts_json(a.amounts) if a.amounts else None,
        "to": amounts_json(z.amounts) if z.amounts else None,
        "drift": _drift(a.amounts, z.amounts) if both else None,
        "unpriced": [
            {"on": d.isoformat(), "components": at.unpriced, "reason": at.reason}
            for d, at in dict((start, end)).items()
            if at.amounts is None
        ],
        "fallback": result.fallback(b, plan.index),
        "pinned": [
            {"source": o.source, "source_model_key": o.source_model_key, "components": labels}
            for o, labels in _by_offer(pins).items()
            if o is not None
        ],
        "priced_by": {"from": priced_by_json(a, pins), "to": priced_by_json(z, pins)},
        "drift_by_component": _by_component(plan, a, z) if both else {},
        "changes": _changes_json(result, b, plan),
    }


def _by_offer(pins: dict[str, Offer | None]) -> dict[Offer | None, list[str]]:
    out: dict[Offer | None, list[str]] = {}
    for label, offer in pins.items():
        out.setdefault(offer, []).append(label)
    return out


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


def totals_by_date(result: Valuation) -> dict[tuple[int, date], Amounts]:
    """Sum lines per budget and date (the benchmark's month-end series)."""
    return result.totals
