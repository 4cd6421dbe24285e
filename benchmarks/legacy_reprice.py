"""Reference paths for ``bench_reprice.py`` only: how budgets were repriced before the one resolver.

Frozen here so the benchmark can time them in the same run and check that the new path gives the same
figures; nothing in the package imports this file.

- ``set_based_totals``: the previous ``calculators/reprice.py`` (one resolving query for every line x date,
  then Decimal products and sums in Python), minus its drift report.
- ``shared_lookup_totals``: a loop over dates sharing one lookup per date (the previous
  ``WarehouseLookup``: one ``prices_on`` query per model and date, ranked in Python), every line valued in
  Python with ``plan.value``.
- ``fetch_all_totals``: a loop that fetches every price once per date with one ``prices_on`` query, then
  the same Python ranking and valuation.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pyarrow as pa
from aiprices.calculators.budget import LinePlan
from aiprices.calculators.budget_file import BudgetFile
from aiprices.calculators.lookup import TOKENS
from aiprices.calculators.plan import value
from aiprices.calculators.tco import Amounts

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
SELECT a.b, a.l, a.c, a.asof_day, a.ask, CAST(p.price * a.factor AS DECIMAL(38, 24)) AS price
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

_ROWS = """
SELECT source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, variant, price
FROM prices_on(CAST(? AS DATE))
WHERE (model = ? OR source_model_key = ?) AND region = '' AND currency = 'USD'
"""
_ALL_ROWS = """
SELECT model, source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, variant, price
FROM prices_on(CAST(? AS DATE)) WHERE region = '' AND currency = 'USD'
"""


def _ask_rows(b: int, plan: LinePlan):
    for c, comp in enumerate(plan.components):
        ref = comp.ref
        model = comp.model or plan.model
        yield (b, plan.index, c, 0, model, plan.source, plan.vendor, ref.price_key, ref.unit, ref.tier, ref.context,
               ref.variant, Decimal(1))  # fmt: skip
        if ref.fallback:
            key, tier, factor, _rule = ref.fallback
            yield (b, plan.index, c, 1, model, plan.source, plan.vendor, key, ref.unit, tier, ref.context,
                   ref.variant, factor)  # fmt: skip


def _written(budgets, plans, dates, totals) -> None:
    for b, (bf, lines) in enumerate(zip(budgets, plans, strict=True)):
        for plan in lines:
            if not plan.model:
                valued = value(plan.components, bf.explicit.get(plan.index), None, what=plan.name)
                for d in dates[b]:
                    totals[(b, d)].add(Amounts(valued.one_time, valued.monthly, valued.first_year))


def set_based_totals(con, budgets: list[BudgetFile], plans: list[list[LinePlan]], dates: list[list[date]]):
    """The previous set-based path: one resolving query, Decimal products and sums in Python."""
    totals: dict[tuple[int, date], Amounts] = defaultdict(Amounts)
    _written(budgets, plans, dates, totals)
    rows = [row for b, lines in enumerate(plans) for plan in lines if plan.model for row in _ask_rows(b, plan)]
    cols = [pa.array(col, f.type) for col, f in zip(zip(*rows, strict=True), _NEEDS_SCHEMA, strict=True)]
    date_rows = [(b, d) for b, ds in enumerate(dates) for d in ds]
    con.register("calc_needs", pa.Table.from_arrays(cols, schema=_NEEDS_SCHEMA))
    con.register("calc_dates", pa.table({"b": pa.array([r[0] for r in date_rows], pa.int32()),
                                         "asof_day": pa.array([r[1] for r in date_rows], pa.date32())}))  # fmt: skip
    try:
        found = {(b, li, c, at): price for b, li, c, at, _ask, price in con.execute(_RESOLVE).fetchall()}
    finally:
        con.unregister("calc_needs")
        con.unregister("calc_dates")
    for b, lines in enumerate(plans):
        for plan in lines:
            if not plan.model:
                continue
            for d in dates[b]:
                for c, comp in enumerate(plan.components):
                    price = found.get((b, plan.index, c, d))
                    if price is not None:
                        amounts = Amounts(comp.one_time * price, comp.monthly * price, comp.first_year * price)
                        totals[(b, d)].add(amounts)
    return dict(totals)


class _Lookup:
    """The previous ``WarehouseLookup`` ranking over rows of one date: source (litellm first), exact key,
    key, highest long-context tier the prompt exceeds."""

    def __init__(self, fetch, *, source: str | None = None, vendor: str | None = None) -> None:
        self.fetch, self.source, self.vendor = fetch, source, vendor

    def for_line(self, source: str | None, vendor: str | None) -> _Lookup:
        return _Lookup(self.fetch, source=source, vendor=vendor)

    def price(self, model, price_key, unit=TOKENS, tier="standard", context=0, variant="") -> Decimal | None:
        best = None
        for source, vendor, key, pkey, u, t, ctx, var, price in self.fetch(model):
            if (pkey, u, t, var) != (price_key, unit, tier, variant):
                continue
            if self.source and source != self.source or self.vendor and vendor != self.vendor:
                continue
            if ctx and not context > ctx:
                continue
            rank = (source != "litellm", source, key != model, key, -ctx)
            if best is None or rank < best[0]:
                best = (rank, price)
        return best[1] if best else None


def _loop(budgets, plans, dates, lookup_on) -> dict[tuple[int, date], Amounts]:
    """Every line valued in Python, date by date, with one lookup per date."""
    totals: dict[tuple[int, date], Amounts] = defaultdict(Amounts)
    _written(budgets, plans, dates, totals)
    for d in sorted({d for ds in dates for d in ds}):
        look = lookup_on(d)
        for b, lines in enumerate(plans):
            if d not in dates[b]:
                continue
            for plan in lines:
                if plan.model:
                    valued = value(plan.components, look.for_line(plan.source, plan.vendor), plan.model, what="")
                    totals[(b, d)].add(Amounts(valued.one_time, valued.monthly, valued.first_year))
    return dict(totals)


def shared_lookup_totals(con, budgets, plans, dates):
    """One lookup per date shared by every budget: one ``prices_on`` query per model and date."""

    def lookup_on(d: date) -> _Lookup:
        cache: dict[str, list[tuple]] = {}

        def fetch(model: str) -> list[tuple]:
            if model not in cache:
                cache[model] = con.execute(_ROWS, [d, model, model]).fetchall()
            return cache[model]

        return _Lookup(fetch)

    return _loop(budgets, plans, dates, lookup_on)


def fetch_all_totals(con, budgets, plans, dates):
    """Every price of a date fetched with one ``prices_on`` query, indexed by model and by key."""

    def lookup_on(d: date) -> _Lookup:
        by_name: dict[str, list[tuple]] = defaultdict(list)
        for model, *row in con.execute(_ALL_ROWS, [d]).fetchall():
            by_name[model].append(tuple(row))
            if row[2] != model:
                by_name[row[2]].append(tuple(row))
        return _Lookup(lambda name: by_name.get(name, ()))

    return _loop(budgets, plans, dates, lookup_on)
