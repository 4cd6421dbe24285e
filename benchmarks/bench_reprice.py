"""Benchmark: 10,000 budgets x 5 lines repriced at 12 month-ends, four ways, in one run.

- **one query** (today): ``calculators.reprice.reprice(..., detail=False)``: each distinct question asked
  once per date through the one resolver, quantities x prices summed per budget and date in DuckDB.
- **previous set-based**: the path before it (one resolving query per line x date, products and sums in
  Python), frozen in ``legacy_reprice.py``.
- **shared lookup loop**: date by date, one lookup shared by every budget (one ``prices_on`` query per model
  and date), every line valued in Python.
- **fetch-all loop**: date by date, every price fetched with one ``prices_on`` query, every line valued in
  Python.

Every path starts from the same parsed budgets (YAML parsing is not timed) and includes planning the lines.
Each path runs once on 20 budgets first (imports, first queries), untimed. All four must give identical
totals for every budget and date (asserted). The warehouse is a synthetic three-year history built here
through the real loader: ``--models`` models x (input, output, cache_read) from ``litellm``, one snapshot a
month for 36 months, about 5% of prices changing each month.

    python benchmarks/bench_reprice.py [--budgets 10000] [--models 400] [--runs 3] [--record]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from calendar import monthrange
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from aiprices.calculators.budget import plan_budget
from aiprices.calculators.budget_file import parse_budget
from aiprices.calculators.reprice import reprice, totals_by_date
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from legacy_reprice import fetch_all_totals, set_based_totals, shared_lookup_totals

HERE = Path(__file__).resolve().parent


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
        load_run(con, StagedRun(RunRecord(f"bench-{month:02d}", "litellm", "registry", ts, ts), rows))
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


def one_query(con, budgets, dates):
    return totals_by_date(reprice(con, budgets, dates, detail=False))


def _planned(path):
    """A previous path, timed with the planning it needs (the new path plans inside ``reprice``)."""
    return lambda con, budgets, dates: path(con, budgets, [plan_budget(bf) for bf in budgets], dates)


PATHS = {
    "one query (today)": one_query,
    "previous set-based": _planned(set_based_totals),
    "shared lookup loop": _planned(shared_lookup_totals),
    "fetch-all loop": _planned(fetch_all_totals),
}


def timed(path, con, budgets, dates, runs: int) -> tuple[float, float, dict]:
    """Median wall and CPU seconds over ``runs`` runs, and the totals."""
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        totals = path(con, budgets, dates)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), totals


def report(args, intervals: int, results: dict[str, tuple[float, float]], load: tuple[float, float]) -> str:
    new_wall = results["one query (today)"][0]
    lines = [
        f"### Repricing — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `{platform.node()}` {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, DuckDB {duckdb.__version__}",
        "",
        f"Command: `python benchmarks/bench_reprice.py --budgets {args.budgets} --runs {args.runs} --record`. "
        f"{args.budgets:,} budgets x 5 lines (4 model lines, 1 fixed) at 12 month-ends of 2025 = "
        f"{args.budgets * 5 * 12:,} line-dates; warehouse {args.models} models x 3 prices, {intervals:,} "
        f"intervals. Load average before/after the run: {load[0]:.1f} / {load[1]:.1f} (2 CPUs shared with "
        "other work). Identical totals for every budget and date on all four paths (asserted).",
        "",
        "| path | wall s | CPU s | wall vs one query |",
        "|---|---|---|---|",
    ]
    for name, (wall, cpu) in results.items():
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / new_wall:.1f}x |")
    if "previous set-based" in results:
        ratio = results["previous set-based"][0] / new_wall
        met = {True: "met", False: "missed"}
        lines += ["", f"Targets: one query under 3 s ({new_wall:.2f} s: {met[new_wall < 3]}); >= 5x the previous "
                  f"set-based path ({ratio:.1f}x: {met[ratio >= 5]})."]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", type=int, default=10_000)
    ap.add_argument("--models", type=int, default=400)
    ap.add_argument("--runs", type=int, default=3, help="runs of each path (median reported)")
    ap.add_argument("--only", choices=list(PATHS), action="append", help="run only these paths (repeatable)")
    ap.add_argument("--record", action="store_true", help="append the results to benchmarks/RESULTS.md")
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build_warehouse(db, args.models, rng)
        budgets = [parse_budget(budget_text(i, args.models, rng), f"b{i}.yaml") for i in range(args.budgets)]
        dates = [month_ends(2025)] * len(budgets)
        con = connect(db, read_only=True)
        con.execute("SET enable_progress_bar = false")
        (intervals,) = con.execute("SELECT count(*) FROM price_history").fetchone()
        load_before = os.getloadavg()[0]
        results, totals = {}, {}
        for name, path in PATHS.items():
            if args.only and name not in args.only:
                continue
            path(con, budgets[:20], dates[:20])  # warm-up, untimed
            wall, cpu, totals[name] = timed(path, con, budgets, dates, args.runs)
            results[name] = (wall, cpu)
            print(f"{name}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
        for name, found in totals.items():
            assert found == next(iter(totals.values())), f"{name} and {next(iter(totals))} give different totals"
        text = report(args, intervals, results, (load_before, os.getloadavg()[0]))
    print(text)
    if args.record and not args.only:
        with (HERE / "RESULTS.md").open("a") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    main()
