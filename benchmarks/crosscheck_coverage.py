"""Cross-check coverage: how many page prices the LiteLLM registry can be compared with, per source.

Builds the warehouse the way the issue measures it (every shared registry copy, then every capture replayed
oldest first) and reports, per page source, the cross-checked rows in effect after the newest check: how many,
the share ``missing_in_registry``, the share ``mismatch`` and the share ``not_comparable`` (a currency or time
window the registry does not price), then lists each source's missing rows. Usage::

    python benchmarks/crosscheck_coverage.py [--shared ../shared] [--db FILE] [--reuse] [--list N]
                                             [--sample N --seed S]

``--shared`` defaults to AIPRICES_SHARED, else ../shared. The warehouse goes to benchmarks/.work/coverage/ unless
``--db`` names one; ``--reuse`` reports on an existing file without building it again (the build replays every
capture: several minutes on a shared machine). ``--list`` caps the missing rows listed per source (0: none).
``--sample N`` draws the spot-check: N missing rows per source (OpenRouter left out: LiteLLM dropped every
``openrouter/`` key), ordered by a hash of the row and ``--seed``, so a draw is reproducible and a new seed is a
new draw.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "coverage"
REFERENCE = "litellm"

# The newest result of every identity, per source (the check of its newest run holds them open).
_OPEN = "SELECT * FROM crosscheck_intervals WHERE valid_to IS NULL AND source <> ?"
_PAGE_ROWS = "status <> 'missing_on_page'"  # a page price that was cross-checked


def shared_dir(given: str | None) -> Path:
    return Path(given or os.environ.get("AIPRICES_SHARED") or HERE.parent.parent / "shared").resolve()


def aiprices(*args: str, db: Path) -> None:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "aiprices", *args, "--db", str(db)], check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    tail = done.stderr.strip().splitlines()[-1:] if done.returncode else []
    print(f"aiprices {' '.join(args[:2])}: exit {done.returncode} in {time.perf_counter() - start:.0f} s {tail}",
          file=sys.stderr)  # fmt: skip


def build(shared: Path, db: Path) -> None:
    """Every registry copy, then every capture newer than what is loaded, oldest first (no ``--on``)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    aiprices("backfill", "litellm", str(shared / "litellm-registry"), db=db)
    aiprices("crawl", "--from-archive", str(shared / "vendor-pages"), "-q", db=db)


def per_source(con) -> list[tuple]:
    return con.execute(
        f"""SELECT source, count(*) FILTER ({_PAGE_ROWS}) AS checked,
                   count(*) FILTER (status = 'missing_in_registry') AS missing,
                   count(*) FILTER (status = 'mismatch') AS mismatch,
                   count(*) FILTER (status = 'not_comparable') AS not_comparable,
                   count(*) FILTER (status = 'match') AS match
            FROM ({_OPEN}) GROUP BY source ORDER BY source""",
        [REFERENCE],
    ).fetchall()


def missing_rows(con, source: str, limit: int) -> list[tuple]:
    return con.execute(
        f"""SELECT model, price_key, unit, service_tier, region, variant, page_price
            FROM ({_OPEN}) WHERE source = ? AND status = 'missing_in_registry'
            ORDER BY model, price_key, unit, service_tier, region, variant LIMIT ?""",
        [REFERENCE, source, limit],
    ).fetchall()


def sample_rows(con, per_source: int, seed: int) -> list[tuple]:
    """``per_source`` missing rows of each page source but OpenRouter, in a seeded hash order."""
    return con.execute(
        f"""SELECT source, model, price_key, unit, service_tier, context_min_tokens, region, variant, page_price
            FROM (SELECT *, row_number() OVER (
                      PARTITION BY source
                      ORDER BY hash(concat_ws('|', ?, model, price_key, unit, service_tier, context_min_tokens,
                                              region, variant, currency, time_window))) AS k
                  FROM ({_OPEN}) WHERE status = 'missing_in_registry' AND source <> 'openrouter')
            WHERE k <= ? ORDER BY source, k""",
        [str(seed), REFERENCE, per_source],
    ).fetchall()


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def report(db: Path, limit: int, sample: int = 0, seed: int = 0) -> str:
    con = duckdb.connect(str(db), read_only=True)
    rows = per_source(con)
    lines = ["| source | checked | match | missing_in_registry | mismatch | not_comparable |", "|---" * 6 + "|"]
    total = [0, 0, 0, 0, 0]
    no_router = [0, 0]
    for source, checked, missing, mismatch, other, match in rows:
        lines.append(f"| {source} | {checked} | {match} | {missing} ({share(missing, checked)}) |"
                     f" {mismatch} ({share(mismatch, checked)}) | {other} |")  # fmt: skip
        total = [a + b for a, b in zip(total, (checked, missing, mismatch, other, match), strict=True)]
        if source != "openrouter":
            no_router = [no_router[0] + checked, no_router[1] + missing]
    checked, missing, mismatch, other, match = total
    lines.append(f"| **all** | {checked} | {match} | {missing} ({share(missing, checked)}) |"
                 f" {mismatch} ({share(mismatch, checked)}) | {other} |")  # fmt: skip
    lines.append(f"\nWithout OpenRouter: missing_in_registry {no_router[1]} of {no_router[0]}"
                 f" ({share(no_router[1], no_router[0])}).")  # fmt: skip
    if limit:
        for source, *_ in rows:
            missing = missing_rows(con, source, limit)
            if missing:
                lines.append(f"\n### {source}: missing_in_registry")
                lines += [" | ".join(str(v) for v in row) for row in missing]
    if sample:
        lines.append(f"\n### spot-check sample: {sample} missing rows per source, seed {seed}")
        lines += [f"{i}. " + " | ".join(str(v) for v in row) for i, row in enumerate(sample_rows(con, sample, seed), 1)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared data folder (default: AIPRICES_SHARED, else ../shared)")
    parser.add_argument("--db", type=Path, default=WORK / "warehouse.duckdb")
    parser.add_argument("--reuse", action="store_true", help="report on --db without building it again")
    parser.add_argument("--list", type=int, default=10_000, help="missing rows listed per source (0: none)")
    parser.add_argument("--sample", type=int, default=0, help="spot-check: missing rows drawn per source")
    parser.add_argument("--seed", type=int, default=0, help="the spot-check draw's seed")
    args = parser.parse_args()
    shared = shared_dir(args.shared)
    if not args.reuse:
        if not (shared / "litellm-registry").is_dir() or not (shared / "vendor-pages").is_dir():
            sys.exit(f"error: no litellm-registry/ and vendor-pages/ under {shared} (set --shared or AIPRICES_SHARED)")
        build(shared, args.db)
    print(report(args.db, args.list, args.sample, args.seed))


if __name__ == "__main__":
    main()
