"""Latency of one question: ``aiprices price MODEL --on DATE`` and ``aiprices --help`` against ``import duckdb``.

A one-off question is mostly interpreter start-up, so the baseline is a Python that only imports duckdb,
measured in the same run: the commands are run in turns (so they share the machine's load) and each reports
the median wall time and the median CPU time (user + system of the child process: steadier than wall time on
a shared machine). Targets (issue 16 item 5, on an idle machine): ``price`` under 0.35 s, ``--help`` under
0.1 s. Usage::

    python benchmarks/bench_latency.py [--db WAREHOUSE] [--model gpt-4o] [--on 2026-10-01] [--runs 15] [--quick]

Without ``--db`` the warehouse is the one the scale benchmark left after its last simulated day (years of daily
crawls), else its backfilled one (built on first use).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {"aiprices --help": 0.1, "aiprices price": 0.35}


def entry_point() -> list[str]:
    """The installed ``aiprices`` script beside this Python (how people run it), else ``python -m aiprices``."""
    script = Path(sys.executable).with_name("aiprices")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aiprices"]


def commands(db: Path, model: str, on: str) -> dict[str, list[str]]:
    cli = entry_point()
    return {
        "python (start-up only)": [sys.executable, "-c", "pass"],
        "import duckdb (baseline)": [sys.executable, "-c", "import duckdb"],
        "aiprices --help": [*cli, "--help"],
        "aiprices price": [*cli, "price", model, "--on", on, "--db", str(db)],
    }


def run_once(argv: list[str], exit_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` (output discarded; another exit code stops the benchmark)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode not in exit_codes:
        raise subprocess.CalledProcessError(done.returncode, argv, stderr=done.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) per command, the commands run in turns after one warm-up each."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for argv in cmds.values():
        run_once(argv)
    for _ in range(runs):
        for name, argv in cmds.items():
            samples[name].append(run_once(argv))
    return {n: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s)) for n, s in samples.items()}


def render(results: dict[str, tuple[float, float]], runs: int, db: Path, argv: list[str]) -> str:
    base_wall, base_cpu = results["import duckdb (baseline)"]
    lines = [
        f"Medians of {runs} runs in turns; warehouse {db.name} ({db.stat().st_size / 2**20:.1f} MiB); "
        f"`{' '.join(Path(a).name if a.startswith('/') else a for a in argv)}`.",
        "",
        "| command | wall s | CPU s | wall / import duckdb | CPU / import duckdb | target (idle wall) |",
        "|---|---|---|---|---|---|",
    ]
    for name, (wall, cpu) in results.items():
        target = f"< {TARGETS[name]} s" if name in TARGETS else ""
        ratios = f"{wall / base_wall:.2f} | {cpu / base_cpu:.2f}"
        lines.append(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {ratios} | {target} |")
    return "\n".join(lines) + "\n"


def default_db() -> Path:
    """The scale simulation's changing warehouse after its last day when there is one, else its backfilled one."""
    sys.path.insert(0, str(HERE))
    from bench_scale import WORK, backfilled

    simulated = WORK / "changing.duckdb"
    if simulated.exists():
        return simulated
    WORK.mkdir(parents=True, exist_ok=True)
    return backfilled(WORK)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="warehouse to ask (default: the scale benchmark's)")
    parser.add_argument("--model", default="gpt-4o")
    parser.add_argument("--on", default="2026-10-01")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 runs")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    db = args.db or default_db()
    if not db.exists():
        print(f"no warehouse at {db}", file=sys.stderr)
        return 2
    cmds = commands(db, args.model, args.on)
    print(render(measure(cmds, runs), runs, db, cmds["aiprices price"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
