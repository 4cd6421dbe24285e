"""Every benchmark in benchmarks/, one command: ``python benchmarks/run.py [--quick] [--only NAME ...]``.

Each ``bench_*.py`` runs in its own process, one after the other, and compares itself with its own baseline
measured in the same run (the ratios are in its output). The full run appends one section to
benchmarks/RESULTS.md: date, machine (with its load average: the machines are shared), Python, DuckDB and
Scrapy versions, each benchmark's command, status and wall time, then its output. ``--quick`` is a smoke run
with small sizes; it prints the section and records nothing (``--record`` records it anyway).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"

# Arguments per benchmark, full and quick; a benchmark not listed runs without arguments (and is left out of a
# quick run unless it accepts --quick). The order puts the scale simulation before the latency check, which
# then asks the scale simulation's warehouse.
ARGS: dict[str, tuple[list[str], list[str]]] = {
    "bench_backfill.py": ([], ["--days", "30"]),
    "bench_crawl.py": ([], ["--repeat", "1"]),
    "bench_reprice.py": ([], ["--budgets", "500", "--sample", "20", "--models", "100"]),
    "bench_report.py": ([], ["--repeat", "1"]),
    "bench_scale.py": ([], ["--quick"]),
    "bench_latency.py": ([], ["--quick"]),
    "bench_memory.py": ([], ["--quick"]),
}


@dataclass
class Outcome:
    name: str
    argv: list[str]
    returncode: int | None  # None: not run in this mode
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""

    @property
    def status(self) -> str:
        if self.returncode is None:
            return "not in a quick run"
        return "ok" if self.returncode == 0 else f"failed (exit {self.returncode})"


def benchmarks(only: list[str] | None) -> list[str]:
    """The benchmark scripts to run, the configured ones first in their order."""
    found = sorted(p.name for p in HERE.glob("bench_*.py"))
    ordered = [n for n in ARGS if n in found] + [n for n in found if n not in ARGS]
    if only:
        wanted = {n if n.endswith(".py") else f"{n}.py" for n in only}
        wanted |= {f"bench_{n}.py" for n in only}
        ordered = [n for n in ordered if n in wanted]
    return ordered


def arguments(name: str, quick: bool) -> list[str] | None:
    """The benchmark's arguments in this mode; None when a quick run leaves it out."""
    if name in ARGS:
        return ARGS[name][1 if quick else 0]
    if not quick:
        return []
    return ["--quick"] if "--quick" in (HERE / name).read_text(encoding="utf-8") else None


def run(name: str, quick: bool) -> Outcome:
    args = arguments(name, quick)
    argv = [sys.executable, str(HERE / name), *(args or [])]
    if args is None:
        return Outcome(name, argv, None)
    print(f"running {name} {' '.join(args)}".rstrip(), file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=HERE.parent, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    print(f"  {name}: exit {proc.returncode} in {seconds:.0f} s", file=sys.stderr, flush=True)
    return Outcome(name, argv, proc.returncode, seconds, proc.stdout, proc.stderr)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), "")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"`{platform.node()}` ({platform.machine()}, {os.cpu_count()} CPUs{', ' + cpu if cpu else ''}; "
            f"load average {load} at the start)")  # fmt: skip


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def versions() -> str:
    found = []
    for package in ("duckdb", "scrapy"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} not installed")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def command_text(o: Outcome) -> str:
    return " ".join(["python", f"benchmarks/{o.name}", *o.argv[2:]])


def section(outcomes: list[Outcome], quick: bool, started: datetime, header: str) -> str:
    mode = "python benchmarks/run.py" + (" --quick" if quick else "")
    lines = [
        f"## Run {started:%Y-%m-%d %H:%M} UTC: `{mode}`",
        "",
        header,
        "",
        "| benchmark | command | status | wall s |",
        "|---|---|---|---|",
    ]
    lines += [f"| {o.name} | `{command_text(o)}` | {o.status} | {o.seconds:.0f} |" for o in outcomes]
    for o in outcomes:
        if o.returncode is None:
            continue
        lines += ["", f"### {o.name}", "", o.stdout.strip() or "(no output)"]
        if o.returncode != 0:
            tail = "\n".join(o.stderr.strip().splitlines()[-10:])
            lines += ["", "Last lines on stderr:", "", "```", tail, "```"]
    return "\n".join(lines) + "\n"


def record(text: str) -> None:
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    RESULTS.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (small sizes; not recorded)")
    parser.add_argument("--record", action="store_true", help="record a quick run in RESULTS.md too")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these benchmarks (e.g. scale latency)")
    args = parser.parse_args()
    started = datetime.now(UTC)
    header = f"Machine: {machine()}; {versions()}."
    outcomes = [run(name, args.quick) for name in benchmarks(args.only)]
    text = section(outcomes, args.quick, started, header)
    print(text)
    if not args.quick or args.record:
        record(text)
    return 0 if all(o.returncode in (0, None) for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
