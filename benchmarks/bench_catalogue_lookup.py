"""Catalogue lookup benchmark: the time one model name takes to resolve through the catalogue, on a warehouse
built from every shared registry copy and capture (``benchmarks/crosscheck_coverage.py`` builds it).

Usage::

    python benchmarks/crosscheck_coverage.py --list 0       # builds benchmarks/.work/coverage/warehouse.duckdb
    python benchmarks/bench_catalogue_lookup.py [--db FILE ...] [--repeat 3]

Prints, per warehouse file, the median wall time of ``offers_of`` (the offers ``price``/``history``/budgets
look up) and ``canonical_of`` over a few names, each asked ``--repeat`` times, files interleaved so they share
the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb
from aiprices.warehouse import catalogue

HERE = Path(__file__).resolve().parent
NAMES = ("gpt-4o", "claude-sonnet-4", "gemini-2.5-pro", "llama-3.3-70b", "whisper-1")
LOOKUPS = {"offers_of": catalogue.offers_of, "canonical_of": catalogue.canonical_of}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, nargs="+", default=[HERE / ".work" / "coverage" / "warehouse.duckdb"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cons = {db: duckdb.connect(str(db), read_only=True) for db in args.db}
    times: dict[tuple[Path, str], list[float]] = {(db, label): [] for db in cons for label in LOOKUPS}
    for _ in range(args.repeat):
        for name in NAMES:
            for db, con in cons.items():
                for label, lookup in LOOKUPS.items():
                    start = time.perf_counter()
                    lookup(con, name)
                    times[(db, label)].append(time.perf_counter() - start)
    for (db, label), runs in times.items():
        print(f"{db.name}: {label} median {statistics.median(runs):.3f} s over {len(runs)} lookups")


if __name__ == "__main__":
    main()
