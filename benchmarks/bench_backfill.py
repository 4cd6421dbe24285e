"""Backfill benchmark: the shared registry copies and a synthetic three-year daily series.

The series (``tests/helpers/registry_series.py``) is grown from a real copy and written the way the real copies are:
odd key spellings and indentation, escaped keys, duplicates that come and go, numbers in every style.

Run:  python benchmarks/bench_backfill.py [--days 1100] [--record]

Each measured step runs in its own process (wall time and that process's peak RSS). The baseline, measured
in the same run on the same files, is a plain-Python diff: read each copy, ``json.loads`` it, and compare
every entry with the previous copy's. Also measured: warehouse size on disk against a warehouse holding
only the newest copy, and the wall time of ``aiprices price MODEL --on DATE`` and ``aiprices --help``.
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
SHARED = Path(os.environ.get("AIPRICES_SHARED", HERE.parent.parent / "shared"))
sys.path.insert(0, str(HERE.parent / "tests"))
from helpers.registry_series import synthesize  # noqa: E402  (the tests' fixture: the same series)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def plain_diff(folder: str) -> dict:
    """Baseline: json.loads every copy and compare it entry by entry with the previous one."""
    previous: dict = {}
    changed = 0
    for path in sorted(Path(folder).iterdir()):
        current = json.loads(_read(path))
        changed += sum(1 for k, v in current.items() if previous.get(k) != v)
        changed += sum(1 for k in previous if k not in current)
        previous = current
    return {"changed_entries": changed}


def backfill(folder: str, db: str) -> dict:
    from aiprices.schedules.registry import backfill as run
    from aiprices.warehouse.connection import connect

    con = connect(db)
    result = run(con, Path(folder))
    con.close()
    return {"loaded": result.loaded, "added": result.added, "changed": result.changed, "removed": result.removed}


def _child(step: str, *args: str) -> dict:
    """Run one step in a fresh interpreter; return its result, wall seconds and peak RSS (MiB)."""
    code = (
        f"import json, resource, sys, time; sys.path.insert(0, {str(HERE)!r}); import bench_backfill as b; "
        f"t = time.perf_counter(); r = b.{step}(*sys.argv[1:]); r['seconds'] = time.perf_counter() - t; "
        "r['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cli_seconds(args: list[str], db: Path, runs: int = 5) -> float:
    env = {**os.environ, "AIPRICES_DB": str(db)}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aiprices", *args], check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(folder: Path, label: str) -> dict:
    db = WORK / f"{label}.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    base = _child("plain_diff", str(folder))
    ours = _child("backfill", str(folder), str(db))
    newest = sorted(folder.iterdir())[-1]
    only = WORK / f"{label}-newest"
    shutil.rmtree(only, ignore_errors=True)
    only.mkdir()
    shutil.copy(newest, only / newest.name)
    newest_db = WORK / f"{label}-newest.duckdb"
    newest_db.unlink(missing_ok=True)
    _child("backfill", str(only), str(newest_db))
    copies = len(list(folder.iterdir()))
    mid = sorted(folder.iterdir())[copies // 2].name[:10]
    return {
        "label": label, "copies": copies, "backfill": ours, "plain_diff": base,
        "ratio_backfill_to_plain": ours["seconds"] / base["seconds"],
        "db_mib": db.stat().st_size / 2**20, "newest_only_db_mib": newest_db.stat().st_size / 2**20,
        "size_ratio": db.stat().st_size / newest_db.stat().st_size,
        "price_on_seconds": _cli_seconds(["price", "gpt-4o", "--on", mid, "--format", "csv"], db),
        "help_seconds": _cli_seconds(["--help"], db),
    }


def report(results: list[dict]) -> str:
    lines = [
        f"### Backfill — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "",
        "Command: `python benchmarks/bench_backfill.py --record`",
        "",
        "| series | copies | backfill s | plain diff s | ratio (target <= 1.0) | backfill peak MiB | "
        "plain peak MiB | DB MiB | newest-only MiB | size ratio (<= 3) | price --on s (< 0.5) | --help s (< 0.3) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['copies']} | {r['backfill']['seconds']:.2f} | {r['plain_diff']['seconds']:.2f} "
            f"| {r['ratio_backfill_to_plain']:.2f} | {r['backfill']['peak_mib']:.0f} | "
            f"{r['plain_diff']['peak_mib']:.0f} | {r['db_mib']:.1f} | {r['newest_only_db_mib']:.1f} | "
            f"{r['size_ratio']:.2f} | {r['price_on_seconds']:.3f} | {r['help_seconds']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1100, help="length of the synthetic daily series")
    parser.add_argument("--record", action="store_true", help="append the results to benchmarks/RESULTS.md")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    shared = WORK / "shared-copies"
    shutil.rmtree(shared, ignore_errors=True)
    shutil.copytree(SHARED / "litellm-registry", shared)
    synthetic = WORK / f"series-{args.days}"
    if not synthetic.exists():
        synthesize(args.days, synthetic, SHARED / "litellm-registry" / "2025-12-07.json.gz")
    results = [measure(shared, "shared copies"), measure(synthetic, f"synthetic {args.days} days")]
    text = report(results)
    print(text)
    print(json.dumps(results, indent=1))
    if args.record:
        with (HERE / "RESULTS.md").open("a") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    main()
