"""Crawl benchmark: every source's newest capture replayed over loopback through the real Scrapy engine.

Measures the full crawl (all sources in one Scrapy process, and spread over one process per CPU, the
default), each source alone, the ratio of the full crawl to its slowest single source (concurrency working:
target <= 1.5), peak memory, and the full crawl + load into a fresh DuckDB file. Each time is the median of
``--repeat`` runs: the machines are shared and single runs vary by a second.

The whole command (issue 16 item 4, target <= 1.4): ``aiprices crawl --from-archive PAGES --on DATE -q`` as a
user runs it (its own process: start-up, crawler processes, load, cross-checks), into a fresh warehouse each
time, against the same command for its slowest single source: every source alone first (to find the slowest),
then the full command and the slowest single source's in turns; medians of wall and CPU (the command's process
and its crawler processes). The slowest source is the one with the most CPU alone (its wall time on a shared
machine varies by seconds from run to run). With ``--day-after`` each timed command runs on a copy of a warehouse
that already holds the day before (the same command ``--on DATE-1``, not timed): the daily crawl's case, where
most prices are unchanged. Usage::

    python benchmarks/bench_crawl.py [--pages ../shared/vendor-pages] [--on YYYY-MM-DD] [--repeat 3] [--record]
    python benchmarks/bench_crawl.py --whole-only [--day-after] --on YYYY-MM-DD

``--record`` appends the result to benchmarks/RESULTS.md under "## Crawl".
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiprices.crawler.sources import SOURCES
from aiprices.schedules.captures import pick_captures
from aiprices.schedules.runs import REPLAY_SETTINGS, CrawlRequest, crawl, new_batch_id, plan_replay
from aiprices.schedules.spawn import crawl_processes, run_spiders

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_latency import entry_point, run_once  # noqa: E402


def replay_spiders(
    pages: Path, on: date | None, sources: list[str], work: Path, processes: int | None
) -> tuple[float, dict]:
    captures = pick_captures(pages, on, sources)
    batch = new_batch_id("bench")
    planned = plan_replay(captures, batch, on)
    start = time.perf_counter()
    outcomes = run_spiders(planned, work / batch, work / "archive", dict(REPLAY_SETTINGS), pages, processes)
    return time.perf_counter() - start, outcomes


def median_time(repeat: int, *args) -> tuple[float, dict]:
    runs = [replay_spiders(*args) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def command_seconds(
    pages: Path, on: date, sources: list[str], work: Path, day_after: bool = False
) -> tuple[float, float]:
    """Wall and CPU seconds of one ``aiprices crawl --from-archive`` of ``sources`` (all: none named) into a fresh
    warehouse, or (``day_after``) into a copy of one that holds the same sources as of the day before."""
    folder = Path(tempfile.mkdtemp(dir=work))
    if day_after:
        shutil.copyfile(_day_before(pages, on, sources, work), folder / "w.duckdb")
    argv = [*entry_point(), "crawl", "--from-archive", str(pages), "--on", str(on), "--db", str(folder / "w.duckdb")]
    # The day after, a page that lost most of its prices is held for review: a partial run, exit 1.
    return run_once([*argv, "-q", *sources], (0, 1) if day_after else (0,))


def _day_before(pages: Path, on: date, sources: list[str], work: Path) -> Path:
    """A warehouse holding ``sources`` as of the day before ``on`` (built once per source list)."""
    db = work / f"day-before-{'-'.join(sources) or 'all'}" / "w.duckdb"
    if not db.exists():
        db.parent.mkdir()
        argv = [*entry_point(), "crawl", "--from-archive", str(pages), "--on", str(on - timedelta(days=1))]
        run_once([*argv, "--db", str(db), "-q", *sources], (0, 1))  # (exit 1: a held source, a result too)
    return db


def whole_commands(pages: Path, on: date, sources: list[str], work: Path, repeat: int, day_after: bool = False) -> dict:
    """The whole command for all sources against the whole command for its slowest single source."""
    runs = {s: [command_seconds(pages, on, [s], work, day_after) for _ in range(repeat)] for s in sources}
    singles = {s: statistics.median(wall for wall, _ in r) for s, r in runs.items()}
    # The slowest by CPU: on a shared machine one source's wall time varies by seconds between runs, its CPU not.
    slowest = max(runs, key=lambda s: statistics.median(cpu for _, cpu in runs[s]))
    full, single = [], []
    for i in range(repeat):
        for which in ("full", "single") if i % 2 == 0 else ("single", "full"):
            if which == "full":
                full.append(command_seconds(pages, on, [], work, day_after))
            else:
                single.append(command_seconds(pages, on, [slowest], work, day_after))
    wall, cpu = (statistics.median(x[k] for x in full) for k in (0, 1))
    base_wall, base_cpu = (statistics.median(x[k] for x in single) for k in (0, 1))
    return {"slowest": slowest, "wall": wall, "cpu": cpu, "base_wall": base_wall, "base_cpu": base_cpu,
            "singles": singles}  # fmt: skip


def whole_lines(whole: dict, on: date, day_after: bool = False) -> list[str]:
    into = " into a warehouse holding the day before" if day_after else ""
    return [
        f"whole command `aiprices crawl --from-archive PAGES --on {on}`{into}: all sources {whole['wall']:.2f} s "
        f"wall / {whole['cpu']:.2f} s CPU, slowest single source ({whole['slowest']}) {whole['base_wall']:.2f} / "
        f"{whole['base_cpu']:.2f}; ratio {whole['wall'] / whole['base_wall']:.2f} wall, "
        f"{whole['cpu'] / whole['base_cpu']:.2f} CPU (target <= 1.4)",
        "whole command per source alone (wall s): "
        + ", ".join(f"{s} {t:.2f}" for s, t in sorted(whole["singles"].items())),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="crawl benchmark over loopback")
    parser.add_argument("--pages", type=Path, default=HERE.parent.parent / "shared" / "vendor-pages")
    parser.add_argument("--on", type=date.fromisoformat, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--whole-only", action="store_true", help="only the whole-command comparison (no record)")
    parser.add_argument("--day-after", action="store_true", help="with --whole-only: into a warehouse holding DATE-1")
    args = parser.parse_args()
    if not args.pages.is_dir():
        print(f"no captures at {args.pages}", file=sys.stderr)
        return 2
    sources = sorted(pick_captures(args.pages, args.on, sorted(SOURCES)))
    if args.whole_only:
        on = args.on or max(c.day for c in pick_captures(args.pages, args.on, sources).values())
        with tempfile.TemporaryDirectory() as tmp:
            whole = whole_commands(args.pages.resolve(), on, sources, Path(tmp), args.repeat, args.day_after)
            print("\n".join(whole_lines(whole, on, args.day_after)))
        return 0
    default_processes = crawl_processes(len(sources))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one_process, _ = median_time(args.repeat, args.pages, args.on, sources, work, 1)
        full, outcomes = median_time(args.repeat, args.pages, args.on, sources, work, None)
        peak_child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        items = sum(staged.run.items for staged in outcomes.values())
        ok = sum(staged.run.status == "ok" for staged in outcomes.values())
        singles = {s: median_time(args.repeat, args.pages, args.on, [s], work, 1)[0] for s in sources}
        slowest = max(singles, key=singles.get)
        db = work / "bench.duckdb"
        start = time.perf_counter()
        newest = max(c.day for c in pick_captures(args.pages, args.on, sources).values())
        crawl(CrawlRequest(db, sources, from_archive=args.pages, on=args.on or newest))  # newest capture each
        full_load = time.perf_counter() - start
        peak_self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        whole = whole_commands(args.pages.resolve(), args.on or newest, sources, work, args.repeat)
    lines = [
        f"sources: {len(sources)} ({ok} ok), items staged: {items}; medians of {args.repeat} runs",
        f"full crawl, default {default_processes} crawler processes: {full:.2f} s",
        f"full crawl, one Scrapy process: {one_process:.2f} s",
        f"slowest single source: {slowest} {singles[slowest]:.2f} s",
        f"ratio full / slowest single: {full / singles[slowest]:.2f} with {default_processes} processes, "
        f"{one_process / singles[slowest]:.2f} with one (target <= 1.5)",
        f"full crawl + load into DuckDB: {full_load:.2f} s",
        f"peak RSS: largest crawler process {peak_child_mb:.0f} MB, loader {peak_self_mb:.0f} MB",
        "single sources: " + ", ".join(f"{s} {t:.2f}" for s, t in sorted(singles.items())),
        *whole_lines(whole, args.on or newest),
    ]
    print("\n".join(lines))
    if args.record:
        record(lines, sources, args.on)
    return 0


def record(lines: list[str], sources: list[str], on: date | None) -> None:
    scrapy_version = subprocess.run(
        [sys.executable, "-c", "import scrapy; print(scrapy.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    cpus = os.cpu_count()
    machine = f"`{platform.node()}` ({platform.machine()}, {cpus} CPUs), Python {platform.python_version()}"
    section = [
        "",
        f"Recorded {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}, Scrapy {scrapy_version}; "
        f"`python benchmarks/bench_crawl.py{' --on ' + str(on) if on else ''}` "
        f"(newest capture per source, {len(sources)} sources, served on 127.0.0.1):",
        "",
        *[f"- {line}" for line in lines],
        "",
    ]
    path = HERE / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if "## Crawl" not in text:
        text = (
            text.rstrip("\n") + "\n\n## Crawl\n\nEach single-source time includes starting a Scrapy "
            "subprocess (~1-2 s), as the full crawl does once.\n"
        )
    head, _, tail = text.partition("## Crawl")
    nxt = tail.find("\n## ")
    crawl_part, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
    text = head + "## Crawl" + crawl_part.rstrip("\n") + "\n" + "\n".join(section) + rest
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
