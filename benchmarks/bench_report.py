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


def aiprices(*args: str, db: Path) -> float:
    """Run one command (output discarded); return its wall seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "aiprices", *args, "--db", str(db)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    return time.perf_counter() - start


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
    report_s, export_s, cpu_s = [], [], []
    for _ in range(repeat):
        out = WORK / "export"
        shutil.rmtree(out, ignore_errors=True)
        export_s.append(aiprices("export", "parquet", str(out), db=db))
        site = WORK / "site"
        shutil.rmtree(site, ignore_errors=True)  # a first build: the old site's removal is not the report's cost
        before = child_cpu()
        report_s.append(aiprices("report", str(site), "--budgets", str(HERE.parent / "examples" / "budgets"), db=db))
        cpu_s.append(child_cpu() - before)
    site = WORK / "site"
    pages = [p for p in site.rglob("*.html")]
    biggest = max(pages, key=lambda p: p.stat().st_size)
    assets = sum(p.stat().st_size for p in (site / ASSETS).iterdir())
    return {
        "report": statistics.median(report_s), "export": statistics.median(export_s),
        "report_cpu": statistics.median(cpu_s), "pages": len(pages),
        "biggest": (str(biggest.relative_to(site)), biggest.stat().st_size), "assets": assets,
    }  # fmt: skip


def printing(db: Path, repeat: int) -> list[dict]:
    cases = [("changes --since 2026-01-01", ["changes", "--since", "2026-01-01"]),
             ("history gpt-4o", ["history", "gpt-4o"])]  # fmt: skip
    rows = []
    for label, args in cases:
        times: dict[str, list[float]] = {"csv": [], "json": [], "table": []}
        for _ in range(repeat):
            for fmt in times:
                times[fmt].append(aiprices(*args, "--format", fmt, db=db))
        rows.append({"case": label, **{fmt: statistics.median(t) for fmt, t in times.items()}})
    return rows


def render(rep: dict, prints: list[dict], repeat: int, rows: dict) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### Report — {when}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        f"Command: `python benchmarks/bench_report.py --repeat {repeat} --record` (medians of {repeat}, interleaved)."
        f" Warehouse: every shared registry copy + every capture replayed: {rows['models']:,} models,"
        f" {rows['intervals']:,} intervals, {rows['changes']:,} changes, {rows['runs']} runs.",
        "",
        "| build | wall s | ratio to export | report CPU s | pages | largest page (target <= 2 MB) | shared assets |",
        "|---|---|---|---|---|---|---|",
        f"| `aiprices report` (first build) | {rep['report']:.2f} | {rep['report'] / rep['export']:.2f} |"
        f" {rep['report_cpu']:.2f} | {rep['pages']:,} | {rep['biggest'][0]} {rep['biggest'][1] / 1e6:.2f} MB |"
        f" {rep['assets'] / 1e6:.1f} MB |",
        f"| `aiprices export parquet` | {rep['export']:.2f} | 1.00 | | | | |",
        "",
        "| printed | csv s | json s | table s | json / csv | table / csv (target <= 2) |",
        "|---|---|---|---|---|---|",
    ]
    for p in prints:
        lines.append(f"| `aiprices {p['case']}` | {p['csv']:.2f} | {p['json']:.2f} | {p['table']:.2f} |"
                     f" {p['json'] / p['csv']:.2f} | {p['table'] / p['csv']:.2f} |")  # fmt: skip
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
