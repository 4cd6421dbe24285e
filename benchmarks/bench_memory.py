"""Peak memory of loading a large registry copy: ``registry refresh --file`` of a generated copy of ~200 MB.

The copy is the newest shared registry copy's entries repeated under new keys (``copy17/gpt-4o``) until it
reaches the size asked for (issue 13 item 3: under 1.5 GB RSS for 200 MB). Two loads, each in its own
process, peak RSS from ``getrusage`` of the child (Linux reports KiB): into a fresh warehouse, then a second
copy (every tenth entry's input price changed) over the first (the steady state of a daily refresh, which
also reads the warehouse's current prices). The baseline is the size of the copy itself: Python's ``json``
parses it into about 10x its size in objects. Usage::

    python benchmarks/bench_memory.py [--mb 200] [--keep DIR] [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "litellm-registry"
TARGET_MIB = 1536


def generate(path: Path, mib: int, change: bool = False) -> int:
    """Write a copy of about ``mib`` MiB to ``path`` (4-space indented, as LiteLLM writes it); its entries."""
    newest = sorted(SHARED.glob("*.json.gz"))[-1]
    entries = json.loads(gzip.decompress(newest.read_bytes()))
    pieces = {key: json.dumps(value, indent=4).replace("\n", "\n    ") for key, value in entries.items()}
    written, count, round_ = 2, 0, 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{\n")
        while written < mib << 20:
            for key, body in pieces.items():
                if change and count % 10 == 0:
                    body = body.replace('"input_cost_per_token": ', '"input_cost_per_token": 1e-06, "x_old": ', 1)
                line = f"{',' if count else ''}\n    {json.dumps(f'copy{round_}/{key}')}: {body}"
                fh.write(line)
                written += len(line)
                count += 1
            round_ += 1
        fh.write("\n}\n")
    return count


# Runs a command and prints its peak RSS in KiB: one wrapper per load, so each peak is that load's alone
# (``RUSAGE_CHILDREN`` keeps the largest child ever waited for).
_WRAPPER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.stderr.write(done.stderr)"
)


def load(copy: Path, db: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``aiprices registry refresh --file copy`` in its own process."""
    script = Path(sys.executable).with_name("aiprices")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "aiprices"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *cli, "registry", "refresh", "--file", str(copy),
                           "--db", str(db)], capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - start
    code, peak_kib = map(int, done.stdout.split())
    if code not in (0, 1):
        raise SystemExit(f"load failed (exit {code}): {done.stderr.strip()[-500:]}")
    return wall, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated copy in MiB")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--quick", action="store_true", help="a 20 MiB copy (smoke run)")
    args = parser.parse_args()
    mib = 20 if args.quick else args.mb
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        first, second, db = work / "first.json", work / "second.json", work / "w.duckdb"
        entries = generate(first, mib)
        generate(second, mib, change=True)
        db.unlink(missing_ok=True)
        rows = []
        for name, copy in (("fresh warehouse", first), ("over the first copy", second)):
            wall, peak = load(copy, db)
            rows.append(f"| {name} | {copy.stat().st_size / 2**20:.0f} | {wall:.1f} | {peak:.0f} | {TARGET_MIB} |")
    print(f"A generated registry copy of {entries:,} entries, loaded with `aiprices registry refresh --file`.\n")
    print("| load | copy MiB | wall s | peak RSS MiB | target MiB |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
