"""Benchmark: 10,000 budgets x 5 lines repriced at 12 month-ends, set-based vs a per-line lookup loop.

The warehouse is a synthetic three-year history built here through the real loader (``load_snapshot``):
``--models`` models x (input, output, cache_read) from source ``litellm``, one snapshot a month for 36
months, about 5% of prices changing each month. The loop (``price_budget`` per budget and date) is timed on
a sample and scaled linearly; both paths must give identical totals on the sample.

    python benchmarks/bench_reprice.py [--budgets 10000] [--sample 200] [--models 400]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from calendar import monthrange
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from aiprices.calculators.budget import price_budget
from aiprices.calculators.budget_file import parse_budget
from aiprices.calculators.reprice import reprice, totals_by_date
from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import RunRecord, load_snapshot
from aiprices.warehouse.schema import price_row


def build_warehouse(path: Path, models: int, rng: random.Random) -> None:
    con = connect(path)
    prices = {
        (f"model-{m:04d}", key): Decimal(rng.randint(5, 6000)) / 100 * (Decimal("0.1") if key == "cache_read" else 1)
        for m in range(models)
        for key in ("input", "output", "cache_read")
    }
    for month in range(36):
        ts = datetime(2023 + month // 12, month % 12 + 1, 1, 6, tzinfo=UTC)
        if month:
            for k in rng.sample(sorted(prices), len(prices) // 20):
                prices[k] = (prices[k] * Decimal(rng.choice([50, 80, 90, 110, 125])) / 100).quantize(Decimal("0.0001"))
        rows = [
            price_row(
                source="litellm",
                vendor=f"vendor-{int(m[6:]) % 12}",
                model=m,
                price_key=key,
                unit="usd_per_1m_tokens",
                price=p,
            )
            for (m, key), p in prices.items()
        ]
        load_snapshot(con, RunRecord(f"bench-{month:02d}", "litellm", "registry", ts, ts), rows)
    con.close()


def budget_text(i: int, models: int, rng: random.Random) -> str:
    lines = []
    for n in range(4):
        kind = "inference" if n % 2 else "token"
        lines.append(
            f"  - {{name: l{n}, kind: {kind}, model: model-{rng.randrange(models):04d}, "
            f"calls_per_day: {rng.randint(100, 100000)}, input_tokens: {rng.randint(50, 5000)}, "
            f"output_tokens: {rng.randint(10, 2000)}, cached_share: 0.{rng.randint(0, 9)}}}"
        )
    lines.append(f"  - {{name: ops, kind: fixed, category: monitoring, monthly: '${rng.randint(100, 9000)}'}}")
    return f"name: b{i}\npriced_on: 2024-01-15\nlines:\n" + "\n".join(lines) + "\n"


def month_ends(year: int) -> list[date]:
    return [date(year, m, monthrange(year, m)[1]) for m in range(1, 13)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budgets", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--models", type=int, default=400)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        build_warehouse(db, args.models, rng)
        t_build = time.perf_counter() - t0
        budgets = [parse_budget(budget_text(i, args.models, rng), f"b{i}.yaml") for i in range(args.budgets)]
        days = month_ends(2025)
        con = connect(db, read_only=True)
        (intervals,) = con.execute("SELECT count(*) FROM price_history").fetchone()

        t0 = time.perf_counter()
        result = reprice(con, budgets, [days] * len(budgets))
        totals = totals_by_date(result)
        t_set = time.perf_counter() - t0

        sample = budgets[: args.sample]
        t0 = time.perf_counter()
        loop = {(b, d): price_budget(bf, con, on=d).total for b, bf in enumerate(sample) for d in days}
        t_loop_sample = time.perf_counter() - t0
        for key, amounts in loop.items():
            assert totals[key] == amounts, key
        t_loop = t_loop_sample * len(budgets) / len(sample)

    lines = len(budgets) * 5
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cpus, "
        f"python {platform.python_version()}, duckdb {duckdb.__version__}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"warehouse: {args.models} models x 3 prices, 36 monthly snapshots, {intervals} intervals "
        f"(built in {t_build:.1f}s)"
    )
    print(
        f"budgets: {len(budgets)} x 5 lines = {lines} lines, at {len(days)} month-ends = {lines * len(days)} line-dates"
    )
    print(f"set-based reprice: {t_set:.2f}s")
    print(f"per-line loop: {t_loop_sample:.2f}s for {len(sample)} budgets -> {t_loop:.1f}s scaled to {len(budgets)}")
    print(f"speed-up: {t_loop / t_set:.1f}x (identical totals on the {len(sample)}-budget sample)")


if __name__ == "__main__":
    main()
