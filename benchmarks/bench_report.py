"""Report and printing benchmark over the warehouse made from every shared registry copy plus every capture
replayed in date order (``aiprices backfill litellm`` then ``aiprices crawl --from-archive … --on D``).

Measures, interleaved so both sides share the machine's load (it is shared and varies 2-5x):
- ``aiprices report OUT`` against ``aiprices export parquet OUT`` (target: the report well under 30 s), with
  the largest page apart from the shared assets (target <= 2 MB);
- ``aiprices changes --since 2026-01-01`` and ``aiprices history MODEL`` printed as a table, CSV and JSON
  (target: no format over 2x its CSV time).
Times are medians of ``--repeat`` runs (wall; the report's CPU seconds too). Usage::

    python benchmarks/bench_report.py [--shared ../shared] [--repeat 3] [--record]

The warehouse is built once into benchmarks/.work/ (about two minutes) and reused. ``--record`` appends the
result to benchmarks/RESULTS.md under "## Report".
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
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "report"
ASSETS = "assets"
PAGE_LIMIT = 2 * 1024 * 1024


def aiprices(*args: str, db: Path) -> tuple[float, float]:
    """Run one command (output discarded); return its wall and CPU seconds (CPU does not grow with the
    machine's load the way wall time does)."""
    start, cpu = time.perf_counter(), child_cpu()
    subprocess.run([sys.executable, "-m", "aiprices", *args, "--db", str(db)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    return time.perf_counter() - start, child_cpu() - cpu


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def capture_dates(pages: Path) -> list[str]:
    return sorted({f.name[:10] for f in pages.glob("*/*") if f.name[:4].isdigit()})


def build_warehouse(shared: Path) -> Path:
    db = WORK / "warehouse.duckdb"
    done = WORK / "warehouse.done"
    if done.exists():
        return db
    WORK.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    aiprices("backfill", "litellm", str(shared / "litellm-registry"), db=db)
    for day in capture_dates(shared / "vendor-pages"):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aiprices", "crawl", "--from-archive", str(shared / "vendor-pages"),
                        "--on", day, "--db", str(db)], stdout=subprocess.DEVNULL, check=False)  # fmt: skip
        print(f"replayed {day} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    done.write_text(datetime.now(UTC).isoformat())
    return db


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report_vs_export(db: Path, repeat: int) -> dict:
    report, export = [], []
    for _ in range(repeat):
        out = WORK / "export"
        shutil.rmtree(out, ignore_errors=True)
        export.append(aiprices("export", "parquet", str(out), db=db))
        site = WORK / "site"
        shutil.rmtree(site, ignore_errors=True)  # a first build: the old site's removal is not the report's cost
        report.append(aiprices("report", str(site), "--budgets", str(HERE.parent / "examples" / "budgets"), db=db))
    site = WORK / "site"
    pages = list(site.rglob("*.html"))
    biggest = max(pages, key=lambda p: p.stat().st_size)
    assets = sum(p.stat().st_size for p in (site / ASSETS).iterdir())
    return {
        "report": medians(report), "export": medians(export), "pages": len(pages),
        "biggest": (str(biggest.relative_to(site)), biggest.stat().st_size), "assets": assets,
    }  # fmt: skip


def printing(db: Path, repeat: int) -> list[dict]:
    cases = [("changes --since 2026-01-01", ["changes", "--since", "2026-01-01"]),
             ("history gpt-4o", ["history", "gpt-4o"])]  # fmt: skip
    rows = []
    for label, args in cases:
        times: dict[str, list[tuple[float, float]]] = {"csv": [], "json": [], "table": []}
        for _ in range(repeat):
            for fmt in times:
                times[fmt].append(aiprices(*args, "--format", fmt, db=db))
        rows.append({"case": label, **{fmt: medians(t) for fmt, t in times.items()}})
    return rows


def render(rep: dict, prints: list[dict], repeat: int, rows: dict) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### Report — {when}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end",
        "",
        f"Command: `python benchmarks/bench_report.py --repeat {repeat} --record` (medians of {repeat}, interleaved)."
        f" Warehouse: every shared registry copy + every capture replayed: {rows['models']:,} models,"
        f" {rows['intervals']:,} intervals, {rows['changes']:,} changes, {rows['runs']} runs.",
        "",
        "| build | wall s | CPU s | wall ratio to export | CPU ratio to export | pages | largest page (<= 2 MB) |"
        " shared assets |",
        "|---|---|---|---|---|---|---|---|",
        f"| `aiprices report` (first build) | {rep['report'][0]:.2f} | {rep['report'][1]:.2f} |"
        f" {rep['report'][0] / rep['export'][0]:.2f} | {rep['report'][1] / rep['export'][1]:.2f} | {rep['pages']:,} |"
        f" {rep['biggest'][0]} {rep['biggest'][1] / 1e6:.2f} MB | {rep['assets'] / 1e6:.1f} MB |",
        f"| `aiprices export parquet` | {rep['export'][0]:.2f} | {rep['export'][1]:.2f} | 1.00 | 1.00 | | | |",
        "",
        "| printed | csv wall / CPU s | json wall / CPU s | table wall / CPU s | json / csv (wall, CPU) |"
        " table / csv (wall, CPU; target <= 2) |",
        "|---|---|---|---|---|---|",
    ]
    for p in prints:
        cells = " | ".join(f"{p[f][0]:.2f} / {p[f][1]:.2f}" for f in ("csv", "json", "table"))
        ratios = " | ".join(f"{p[f][0] / p['csv'][0]:.2f}, {p[f][1] / p['csv'][1]:.2f}" for f in ("json", "table"))
        lines.append(f"| `aiprices {p['case']}` | {cells} | {ratios} |")
    return "\n".join(lines) + "\n"


def counts(db: Path) -> dict:
    from aiprices.warehouse.connection import connect

    con = connect(db, read_only=True)
    row = con.execute(
        "SELECT (SELECT count(DISTINCT model) FROM price_history), (SELECT count(*) FROM price_history), "
        "(SELECT count(*) FROM price_changes), (SELECT count(*) FROM crawl_runs)"
    ).fetchone()
    con.close()
    return dict(zip(("models", "intervals", "changes", "runs"), row, strict=True))


def record(results: Path, text: str) -> None:
    """Add ``text`` at the end of the "## Report" section (created at the end of the file if missing)."""
    body = results.read_text(encoding="utf-8").rstrip("\n") + "\n"
    if "\n## Report\n" not in body:
        body += "\n## Report\n"
    head, rest = body.split("\n## Report\n", 1)
    section, sep, tail = rest.partition("\n## ")
    results.write_text(f"{head}\n## Report\n{section.rstrip()}\n\n{text}{sep}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="report and printing benchmark")
    parser.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("AIPRICES_SHARED", HERE.parent.parent / "shared"))
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append to benchmarks/RESULTS.md")
    args = parser.parse_args()
    if not (args.shared / "litellm-registry").is_dir():
        print(f"no shared captures at {args.shared} (set AIPRICES_SHARED)", file=sys.stderr)
        return 2
    db = build_warehouse(args.shared)
    text = render(report_vs_export(db, args.repeat), printing(db, args.repeat), args.repeat, counts(db))
    print(text)
    if args.record:
        record(HERE / "RESULTS.md", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
