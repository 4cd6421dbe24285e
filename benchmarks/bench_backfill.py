"""Backfill benchmark: the shared registry copies and a synthetic three-year daily series, each against a plain
stdlib diff of the same copies measured interleaved in the same run.

Run:  python benchmarks/bench_backfill.py [--days 1100] [--repeat 3] [--record]

The series (``tests/helpers/registry_series.py``, the tests' fixture) is grown from a real copy and written the way the
real copies are: odd key spellings and indentation, escaped keys, duplicates that come and go, numbers in every
style. Each measured step runs in its own fresh process, its modules imported before the clock starts; wall and
CPU seconds (CPU counts DuckDB's threads too) are medians over ``--repeat`` interleaved rounds.

- backfill: every copy into a fresh warehouse, against ``json.loads`` of every copy and a dict diff of each
  with the one before (the baseline). The backfill's changelog is checked against an independent whole-file
  diff of the same copies (``registry_series.independent_changelog``).
- one more day: the newest copy added to a warehouse backfilled with all the others (a new process: no previous
  copy in memory), against ``json.loads`` of the two newest copies and their dict diff. Ours is timed from
  opening the warehouse (file lock, schema check) through reading and diffing the copy, writing its changes and
  digests, the commit and closing the file (DuckDB checkpoints the change into the file on close); the
  baseline from reading the two files to the count of changed entries. Both exclude interpreter start-up and
  imports, which ``bench_latency.py`` measures.
- size on disk against a warehouse holding only the newest copy, and the wall time of
  ``aiprices price MODEL --on DATE`` and ``aiprices --help``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
TESTS = HERE.parent / "tests"
SHARED = Path(os.environ.get("AIPRICES_SHARED", HERE.parent.parent / "shared"))


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _diff(previous: dict, current: dict) -> int:
    changed = sum(1 for k, v in current.items() if previous.get(k) != v)
    return changed + sum(1 for k in previous if k not in current)


def plain_diff(folder: str) -> dict:
    """Baseline: json.loads every copy and compare it entry by entry with the previous one."""
    previous: dict = {}
    changed = 0
    for path in sorted(Path(folder).iterdir()):
        current = json.loads(_read(path))
        changed += _diff(previous, current)
        previous = current
    return {"changed_entries": changed}


def plain_pair(older: str, newer: str) -> dict:
    """Baseline of one more day: json.loads the two copies and diff them."""
    return {"changed_entries": _diff(json.loads(_read(Path(older))), json.loads(_read(Path(newer))))}


def backfill(folder: str, db: str) -> dict:
    from aiprices.schedules.registry import backfill as run
    from aiprices.warehouse.connection import connect

    con = connect(db)
    result = run(con, Path(folder))
    con.close()
    return {"loaded": result.loaded, "added": result.added, "changed": result.changed, "removed": result.removed}


def changelog_check(folder: str, db: str) -> dict:
    """Whether the warehouse's changelog equals an independent whole-file diff of the copies (not timed)."""
    sys.path.insert(0, str(TESTS))
    from aiprices.warehouse.connection import connect
    from helpers.registry_series import independent_changelog, warehouse_changelog

    con = connect(db)
    ours = warehouse_changelog(con)
    con.close()
    theirs = independent_changelog(Path(folder))
    return {"same": ours == theirs, "rows": sum(ours.values()), "independent_rows": sum(theirs.values())}


def _warm() -> None:
    """Import what the steps use, so that the clock measures the work: our modules, and pyarrow.dataset, which
    DuckDB imports at a process's first scan of an Arrow table (~0.1 s, most of it pyarrow.compute building its
    functions' docstrings). The baseline's imports (json, gzip) are loaded before its clock too."""
    import aiprices.schedules.registry  # noqa: F401
    import aiprices.warehouse.connection  # noqa: F401
    import pyarrow.dataset  # noqa: F401


def _child(step: str, *args: str) -> dict:
    """Run one step in a fresh interpreter; return its result, wall and CPU seconds and peak RSS (MiB)."""
    code = (
        f"import json, resource, sys, time; sys.path.insert(0, {str(HERE)!r}); import bench_backfill as b; "
        f"b._warm(); t = time.perf_counter(); c = time.process_time(); r = b.{step}(*sys.argv[1:]); "
        "r['seconds'] = time.perf_counter() - t; r['cpu_seconds'] = time.process_time() - c; "
        "r['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh(db: Path) -> Path:
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    return db


def _interleaved(repeat: int, a: tuple, b: tuple, before_b=None) -> tuple[list[dict], list[dict]]:
    """``repeat`` rounds of steps ``a`` and ``b`` (``(step, *args)``), alternating which goes first."""
    runs_a, runs_b = [], []
    for i in range(repeat):
        for which in "ab" if i % 2 == 0 else "ba":
            if which == "a":
                runs_a.append(_child(*a))
            else:
                if before_b is not None:
                    before_b()
                runs_b.append(_child(*b))
    return runs_a, runs_b


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _cli_seconds(args: list[str], db: Path, runs: int = 5) -> float:
    env = {**os.environ, "AIPRICES_DB": str(db)}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aiprices", *args], check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _summary(base: list[dict], ours: list[dict]) -> dict:
    wall, cpu = _median(ours, "seconds"), _median(ours, "cpu_seconds")
    base_wall, base_cpu = _median(base, "seconds"), _median(base, "cpu_seconds")
    return {
        "seconds": wall, "cpu_seconds": cpu, "base_seconds": base_wall, "base_cpu_seconds": base_cpu,
        "ratio": wall / base_wall, "cpu_ratio": cpu / base_cpu,
        "ratios": [o["seconds"] / b["seconds"] for o, b in zip(ours, base, strict=True)],
        "peak_mib": max(r["peak_mib"] for r in ours), "base_peak_mib": max(r["peak_mib"] for r in base),
        "result": ours[-1],
    }  # fmt: skip


def measure(folder: Path, label: str, repeat: int) -> dict:
    copies = sorted(folder.iterdir())
    db = WORK / f"{label}.duckdb"
    full = _interleaved(repeat, ("plain_diff", str(folder)), ("backfill", str(folder), str(db)), lambda: _fresh(db))
    check = _child("changelog_check", str(folder), str(db))
    # One more day: every copy but the newest, backfilled once; the newest added to a fresh copy of that file.
    older = WORK / f"{label}-older"
    shutil.rmtree(older, ignore_errors=True)
    older.mkdir()
    for path in copies[:-1]:
        (older / path.name).symlink_to(path.resolve())
    older_db, day_db = _fresh(WORK / f"{label}-older.duckdb"), WORK / f"{label}-day.duckdb"
    _child("backfill", str(older), str(older_db))
    newest = WORK / f"{label}-newest"
    shutil.rmtree(newest, ignore_errors=True)
    newest.mkdir()
    (newest / copies[-1].name).symlink_to(copies[-1].resolve())
    day = _interleaved(
        repeat, ("plain_pair", str(copies[-2]), str(copies[-1])), ("backfill", str(newest), str(day_db)),
        lambda: shutil.copy(older_db, _fresh(day_db)),
    )  # fmt: skip
    newest_db = _fresh(WORK / f"{label}-newest.duckdb")
    _child("backfill", str(newest), str(newest_db))
    mid = copies[len(copies) // 2].name[:10]
    return {
        "label": label, "copies": len(copies), "backfill": _summary(*full), "check": check,
        "one_more_day": _summary(*day),
        "db_mib": db.stat().st_size / 2**20, "newest_only_db_mib": newest_db.stat().st_size / 2**20,
        "size_ratio": db.stat().st_size / newest_db.stat().st_size,
        "price_on_seconds": _cli_seconds(["price", "gpt-4o", "--on", mid, "--format", "csv"], db),
        "help_seconds": _cli_seconds(["--help"], db),
    }  # fmt: skip


def report(results: list[dict], repeat: int) -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"### Backfill — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load} at the end",
        "",
        f"Command: `python benchmarks/bench_backfill.py --repeat {repeat} --record` (medians of {repeat} "
        "interleaved rounds, each step a fresh process; CPU includes DuckDB's threads)",
        "",
        "| series | copies | backfill wall / CPU s | plain diff wall / CPU s | ratio wall, CPU (target <= 0.8) "
        "| same changelog | one more day wall / CPU s | its plain diff wall / CPU s | ratio wall, CPU (target <= 2) "
        "| peak MiB ours / plain | DB MiB (newest only) | price --on s | --help s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        b, d, c = r["backfill"], r["one_more_day"], r["check"]
        lines.append(
            f"| {r['label']} | {r['copies']} | {b['seconds']:.2f} / {b['cpu_seconds']:.2f} "
            f"| {b['base_seconds']:.2f} / {b['base_cpu_seconds']:.2f} | **{b['ratio']:.2f}**, {b['cpu_ratio']:.2f} "
            f"| {'yes' if c['same'] else 'NO'} ({c['rows']:,} rows) "
            f"| {d['seconds']:.3f} / {d['cpu_seconds']:.3f} | {d['base_seconds']:.3f} / {d['base_cpu_seconds']:.3f} "
            f"| **{d['ratio']:.2f}**, {d['cpu_ratio']:.2f} | {b['peak_mib']:.0f} / {b['base_peak_mib']:.0f} "
            f"| {r['db_mib']:.1f} ({r['newest_only_db_mib']:.1f}) | {r['price_on_seconds']:.3f} "
            f"| {r['help_seconds']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1100, help="length of the synthetic daily series")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds per measure (medians)")
    parser.add_argument("--record", action="store_true", help="append the results to benchmarks/RESULTS.md")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    sys.path.insert(0, str(TESTS))
    from helpers.registry_series import synthesize

    synthetic = WORK / f"series-{args.days}"
    if not synthetic.exists():
        partial = WORK / f"series-{args.days}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        synthesize(args.days, partial, SHARED / "litellm-registry" / "2025-12-07.json.gz")
        partial.rename(synthetic)
    results = [
        measure(synthetic, f"synthetic {args.days} days", args.repeat),
        measure(SHARED / "litellm-registry", "shared copies", args.repeat),
    ]
    text = report(results, args.repeat)
    print(text)
    print(json.dumps(results, indent=1))
    if args.record:
        with (HERE / "RESULTS.md").open("a") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    main()
