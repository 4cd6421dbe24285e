"""Scale simulation: years of daily crawls over a backfilled warehouse, measured at an early day and a late one.

The warehouse is backfilled from the shared LiteLLM registry copies; the newest capture of every source is
replayed once through the real Scrapy engine to get its staged rows. Each simulated day then stages those rows
again (as a crawl batch on disk) and loads them with ``schedules.loading.load_batch``, the crawl's own load
path (snapshot load + cross-check per source). Two series:

- ``static``: the pages never change (storage should not grow with days: target day N <= 2x day B);
- ``changing``: ``--changes`` prices a day move by a small random factor (storage grows with changes only).

At day B (``--baseline-day``, default 30; the warehouse is copied then) and day N (``--days``, default 730): file
size after a checkpoint and rows per table. Then ``--window`` more days are loaded into both warehouses in turn
(so both are timed under the same machine load), giving one day's load time (median, wall and CPU; target day
N <= 1.5x day B) and the ``prices_on`` latency (every price on a date, and one model's as ``aiprices price``
asks). Usage::

    python benchmarks/bench_scale.py [--days 730] [--baseline-day 30] [--changes 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "scale"
SHARED = Path(os.environ.get("AIPRICES_SHARED", HERE.parent.parent / "shared"))
FIRST_DAY = datetime(2027, 1, 1, 6, tzinfo=UTC)  # after every registry copy: the crawls follow the backfill
TABLES = ("runs", "price_intervals", "changes", "quarantine", "crosscheck_intervals", "crosscheck_runs")
FACTORS = (Decimal("0.8"), Decimal("0.9"), Decimal("1.1"), Decimal("1.25"))
MODEL = "gpt-4o"


@dataclass
class Point:
    """What the warehouse looks like after one simulated day, and how fast it is then."""

    day: int
    file_mib: float
    rows: dict[str, int]
    load_s: float = 0.0  # one more day's load (median)
    load_cpu_s: float = 0.0
    prices_on_ms: float = 0.0  # every price on a date
    model_ms: float = 0.0  # one model's prices on a date


@dataclass
class Series:
    name: str
    points: list[Point] = field(default_factory=list)
    seconds: float = 0.0


def staged_rows(work: Path) -> dict[str, list[dict]]:
    """Every source's staged rows from its newest capture (replayed once through Scrapy; cached)."""
    from aiprices.crawler.sources import SOURCES
    from aiprices.schedules.captures import pick_captures
    from aiprices.schedules.runs import REPLAY_SETTINGS, plan_replay
    from aiprices.schedules.spawn import run_spiders
    from aiprices.warehouse.staging import read_staged_run

    folder = work / "staged"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        pages = SHARED / "vendor-pages"
        planned = plan_replay(pick_captures(pages, None, sorted(SOURCES)), "scale", None)
        staged = run_spiders(planned, folder, work / "archive", dict(REPLAY_SETTINGS), pages)
        (folder / "done").write_text(json.dumps(sorted(staged)))
    sources = json.loads((folder / "done").read_text())
    runs = {source: read_staged_run(folder / source) for source in sources}
    return {source: run.rows for source, run in runs.items() if run.run.status != "failed"}


def backfilled(work: Path) -> Path:
    """A warehouse holding every shared registry copy (built once; each series starts from a copy)."""
    from aiprices.schedules.registry import backfill
    from aiprices.warehouse.connection import connect

    db = work / "backfilled.duckdb"
    if not db.exists():
        con = connect(work / "building.duckdb")
        backfill(con, SHARED / "litellm-registry")
        con.execute("CHECKPOINT")
        con.close()
        (work / "building.duckdb").rename(db)
    return db


def stage_day(folder: Path, day: int, rows: dict[str, list[dict]]):
    """One day's crawl batch on disk, as the crawler leaves it: a staged run per source."""
    from aiprices.schedules.loading import StagedBatch
    from aiprices.schedules.spawn import PlannedSource
    from aiprices.warehouse.staging import RunRecord, write_staged_run

    at = FIRST_DAY + timedelta(days=day - 1)
    batch = folder / f"day-{day:04d}"
    planned = []
    for source, source_rows in rows.items():
        run_id = f"sim-{day:04d}-{source}"
        run = RunRecord(run_id, source, "crawl", at, at, at, pages=1, items=len(source_rows),
                        content_sha256=f"day-{day}")  # fmt: skip
        write_staged_run(batch / source, run, source_rows)
        planned.append(PlannedSource(source, run_id, at))
    return StagedBatch(batch, "crawl", planned)


def change_prices(rows: dict[str, list[dict]], n: int, rng: random.Random) -> None:
    """Move ``n`` random published prices by a small factor (never 10x: no quarantine)."""
    published = [r for source_rows in rows.values() for r in source_rows if not r.get("inferred_rule")]
    for row in rng.sample(published, min(n, len(published))):
        row["price"] = (row["price"] * rng.choice(FACTORS)).quantize(Decimal("1e-12"))


def snapshot(con, db: Path, day: int) -> Point:
    """Size on disk (after a checkpoint) and rows per table after ``day``."""
    con.execute("CHECKPOINT")
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    return Point(day=day, file_mib=db.stat().st_size / 2**20, rows=rows)


def compare(points: list[Point], files: list[Path], states: list[dict[str, list[dict]]], changes: int,
            window: int) -> None:  # fmt: skip
    """Time one more day's load, and the queries, on each warehouse in turn (so both run under the same machine
    load: the machines are shared), ``window`` times; the medians go to the points. Each warehouse gets the
    pages as they were on its day, with the same few changes a day."""
    from aiprices.schedules.loading import load_batch
    from aiprices.warehouse.connection import connect

    rngs = [random.Random(11) for _ in points]
    samples: list[list[tuple[float, float, float, float]]] = [[] for _ in points]
    for i in range(window):
        for point, db, rows, rng, out in zip(points, files, states, rngs, samples, strict=True):
            if changes:
                change_prices(rows, changes, rng)
            batch = stage_day(WORK / "compare-staging", point.day + 1 + i, rows)
            con = connect(db)
            t, cpu = time.perf_counter(), _cpu()
            load_batch(con, batch)
            wall, cpu = time.perf_counter() - t, _cpu() - cpu
            on = (FIRST_DAY + timedelta(days=point.day // 2)).date()
            out.append((wall, cpu, _timed(con, "SELECT count(*) FROM prices_on(?)", on), _timed_price(con, on)))
            con.close()
            shutil.rmtree(batch.folder)
    for point, out in zip(points, samples, strict=True):
        point.load_s, point.load_cpu_s, point.prices_on_ms, point.model_ms = (
            statistics.median(x[k] for x in out) for k in range(4)
        )


def _copy(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {source: [dict(r) for r in source_rows] for source, source_rows in rows.items()}


def _timed(con, sql: str, on) -> float:
    """Milliseconds of a query (median of 3)."""
    return _median_ms(lambda: con.execute(sql, [on]).fetchall())


def _timed_price(con, on) -> float:
    """Milliseconds of what ``aiprices price MODEL --on DATE`` asks the warehouse: resolve, then fetch."""
    from aiprices.warehouse.queries import prices_on

    return _median_ms(lambda: prices_on(con, MODEL, on).execute(con).fetchall())


def _median_ms(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def _cpu() -> float:
    """CPU seconds of this process, DuckDB's threads included (steadier than wall time on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def simulate(name: str, base: Path, rows: dict[str, list[dict]], args, changes: int) -> Series:
    """Load ``args.days`` daily crawls into a copy of ``base``, keeping a copy of the warehouse at the baseline
    day; then compare the two."""
    from aiprices.schedules.loading import load_batch
    from aiprices.warehouse.connection import connect

    db, early = WORK / f"{name}.duckdb", WORK / f"{name}-day{args.baseline_day}.duckdb"
    for path in (db, early):
        path.unlink(missing_ok=True)
    shutil.copy(base, db)
    rows = _copy(rows)
    rng = random.Random(7)
    series, start, early_rows = Series(name), time.perf_counter(), {}
    con = connect(db)
    for day in range(1, args.days + 1):
        if changes:
            change_prices(rows, changes, rng)
        batch = stage_day(WORK / f"{name}-staging", day, rows)
        load_batch(con, batch)
        shutil.rmtree(batch.folder)
        if day in (args.baseline_day, args.days):
            series.points.append(snapshot(con, db, day))
        if day == args.baseline_day:
            con.close()
            shutil.copy(db, early)
            early_rows = _copy(rows)
            con = connect(db)
        if day % 50 == 0:
            print(f"{name}: day {day} ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
    con.close()
    series.seconds = time.perf_counter() - start
    compare(series.points, [early, db], [early_rows, rows], changes, args.window)
    return series


def render(series: list[Series], args, items: int, sources: int) -> str:
    lines = [
        f"Simulated {args.days} days of daily crawls of {sources} sources ({items:,} staged rows a day, newest "
        f"capture of each) over a warehouse backfilled from the shared registry copies; loaded with "
        f"`schedules.loading.load_batch` (the crawl's load path, cross-checks included). `changing` moves "
        f"{args.changes} prices a day by 0.8-1.25x.",
        "",
        "| series | day | file MiB | "
        + " | ".join(TABLES)
        + " | day load s | day load CPU s | prices_on ms | price MODEL ms |",
        "|---|---|---|" + "---|" * len(TABLES) + "---|---|---|---|",
    ]
    for s in series:
        for p in s.points:
            counts = " | ".join(f"{p.rows[t]:,}" for t in TABLES)
            lines.append(f"| {s.name} | {p.day} | {p.file_mib:.1f} | {counts} | {p.load_s:.3f} | {p.load_cpu_s:.3f} | "
                         f"{p.prices_on_ms:.1f} | {p.model_ms:.1f} |")  # fmt: skip
    lines += ["", f"| series | ratio day {args.days} / day {args.baseline_day} | value | target |", "|---|---|---|---|"]
    for s in series:
        first, last = s.points[0], s.points[-1]
        size_target = "<= 2" if s.name == "static" else "(grows with changes)"
        lines += [
            f"| {s.name} | file size | {last.file_mib / first.file_mib:.2f} | {size_target} |",
            f"| {s.name} | one day's load (wall) | {last.load_s / first.load_s:.2f} | <= 1.5 |",
            f"| {s.name} | one day's load (CPU) | {last.load_cpu_s / first.load_cpu_s:.2f} | |",
            f"| {s.name} | prices_on | {last.prices_on_ms / first.prices_on_ms:.2f} | |",
            f"| {s.name} | price {MODEL} | {last.model_ms / first.model_ms:.2f} | |",
        ]
    lines += ["", "Simulation wall time: " + ", ".join(f"{s.name} {s.seconds:.0f} s" for s in series) + "."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--baseline-day", type=int, default=30)
    parser.add_argument("--changes", type=int, default=3, help="prices changed a day in the changing series")
    parser.add_argument("--series", nargs="+", choices=("static", "changing"), default=["static", "changing"])
    parser.add_argument("--window", type=int, default=7, help="days loaded into both warehouses to time them")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 30 days against day 5")
    args = parser.parse_args()
    if args.quick:
        args.days, args.baseline_day, args.window = 30, 5, 3
    if not (SHARED / "litellm-registry").is_dir() or not (SHARED / "vendor-pages").is_dir():
        print(f"no shared captures at {SHARED} (set AIPRICES_SHARED)", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    rows = staged_rows(WORK)
    base = backfilled(WORK)
    plans = {"static": 0, "changing": args.changes}
    series = [simulate(name, base, rows, args, plans[name]) for name in args.series]
    print(render(series, args, sum(map(len, rows.values())), len(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
