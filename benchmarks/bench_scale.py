"""Scale simulation: years of daily crawls over a backfilled warehouse, measured at an early day and a late one.

The warehouse is backfilled from the shared LiteLLM registry copies; the newest capture of every source is
replayed once through the real Scrapy engine to get its staged rows. Each simulated day then stages those rows
again (as a crawl batch on disk) and loads them with ``schedules.loading.load_batch``, the crawl's own load
path (snapshot load + cross-check per source). Two series:

- ``static``: the pages never change (storage should not grow with days: target day N <= 2x day B);
- ``changing``: ``--changes`` prices a day move by a small random factor (storage grows with changes only).

At day B (``--baseline-day``, default 30) and day N (``--days``, default 730): file size after a checkpoint,
rows per table, one day's load time (median of the last ``--window`` days; target day N <= 1.5x day B) and
the ``prices_on`` latency (all prices on a date, and one model's as ``aiprices price`` reads them). Usage::

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
    """What the warehouse looks like after one simulated day."""

    day: int
    file_mib: float
    rows: dict[str, int]
    load_s: float
    load_cpu_s: float
    prices_on_ms: float
    model_ms: float


@dataclass
class Series:
    name: str
    points: list[Point] = field(default_factory=list)
    seconds: float = 0.0


def staged_rows(work: Path) -> dict[str, list[dict]]:
    """Every source's staged rows from its newest capture (replayed once through Scrapy; cached)."""
    from aiprices.crawler.sources import SOURCES
    from aiprices.pipeline.stage import read_jsonl
    from aiprices.schedules.captures import pick_captures
    from aiprices.schedules.runs import REPLAY_SETTINGS, plan_replay
    from aiprices.schedules.spawn import run_spiders

    folder = work / "staged"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        pages = SHARED / "vendor-pages"
        planned = plan_replay(pick_captures(pages, None, sorted(SOURCES)), "scale", None)
        run_spiders(planned, folder, work / "archive", dict(REPLAY_SETTINGS), pages)
        (folder / "done").write_text(datetime.now(UTC).isoformat())
    return {p.stem: read_jsonl(p) for p in sorted(folder.glob("*.jsonl"))}


def backfilled(work: Path) -> Path:
    """A warehouse holding every shared registry copy (built once; each series starts from a copy)."""
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.registry import backfill

    db = work / "backfilled.duckdb"
    if not db.exists():
        con = connect(work / "building.duckdb")
        backfill(con, SHARED / "litellm-registry")
        con.execute("CHECKPOINT")
        con.close()
        (work / "building.duckdb").rename(db)
    return db


def stage_day(folder: Path, day: int, rows: dict[str, list[dict]]):
    """One day's crawl batch on disk, as the crawler leaves it: rows and a summary per source."""
    from aiprices.pipeline.stage import write_jsonl
    from aiprices.schedules.loading import StagedBatch
    from aiprices.schedules.spawn import PlannedSource, summary_path

    at = FIRST_DAY + timedelta(days=day - 1)
    batch = folder / f"day-{day:04d}"
    planned = []
    for source, source_rows in rows.items():
        write_jsonl(batch / f"{source}.jsonl", source_rows)
        summary = {"status": "ok", "items": len(source_rows), "pages": 1, "started_at": at.isoformat(),
                   "finished_at": at.isoformat(), "content_sha256": f"day-{day}"}  # fmt: skip
        summary_path(batch, source).write_text(json.dumps(summary))
        planned.append(PlannedSource(source, f"sim-{day:04d}-{source}", at))
    return StagedBatch(batch, "crawl", planned)


def change_prices(rows: dict[str, list[dict]], n: int, rng: random.Random) -> None:
    """Move ``n`` random published prices by a small factor (never 10x: no quarantine)."""
    published = [r for source_rows in rows.values() for r in source_rows if not r.get("inferred_rule")]
    for row in rng.sample(published, min(n, len(published))):
        row["price"] = (row["price"] * rng.choice(FACTORS)).quantize(Decimal("1e-12"))


def measure(con, db: Path, day: int, loads: list[tuple[float, float]], window: int) -> Point:
    con.execute("CHECKPOINT")
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    on = (FIRST_DAY + timedelta(days=day // 2)).date()
    return Point(
        day=day, file_mib=db.stat().st_size / 2**20, rows=rows,
        load_s=statistics.median(w for w, _ in loads[-window:]),
        load_cpu_s=statistics.median(c for _, c in loads[-window:]),
        prices_on_ms=1000 * _median_time(lambda: con.execute("SELECT count(*) FROM prices_on(?)", [on]).fetchall()),
        model_ms=1000 * _median_time(lambda: _price_command(con, on)),
    )  # fmt: skip


def _price_command(con, on) -> list:
    """What ``aiprices price MODEL --on DATE`` asks the warehouse: resolve, count, fetch."""
    from aiprices.warehouse.queries import prices_on

    query = prices_on(con, MODEL, on)
    query.count(con)
    return query.execute(con).fetchall()


def _cpu() -> float:
    """CPU seconds of this process, DuckDB's threads included (steadier than wall time on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _median_time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def simulate(name: str, base: Path, rows: dict[str, list[dict]], args, changes: int) -> Series:
    """Load ``args.days`` daily crawls into a copy of ``base``; measure at the baseline day and the last."""
    from aiprices.schedules.loading import load_batch
    from aiprices.warehouse.connection import connect

    db = WORK / f"{name}.duckdb"
    db.unlink(missing_ok=True)
    shutil.copy(base, db)
    rows = {s: [dict(r) for r in source_rows] for s, source_rows in rows.items()}
    rng = random.Random(7)
    series, loads, start = Series(name), [], time.perf_counter()
    staging = WORK / f"{name}-staging"
    con = connect(db)
    for day in range(1, args.days + 1):
        if changes:
            change_prices(rows, changes, rng)
        batch = stage_day(staging, day, rows)
        t, cpu = time.perf_counter(), _cpu()
        load_batch(con, batch)
        loads.append((time.perf_counter() - t, _cpu() - cpu))
        shutil.rmtree(batch.folder)
        if day in (args.baseline_day, args.days):
            series.points.append(measure(con, db, day, loads, args.window))
            print(f"{name}: day {day} loaded in {loads[-1][0]:.2f} s", file=sys.stderr)
    con.close()
    series.seconds = time.perf_counter() - start
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
    parser.add_argument("--window", type=int, default=5, help="days whose median load time is reported")
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
