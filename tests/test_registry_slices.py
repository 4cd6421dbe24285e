"""A registry copy loaded in slices (issue 13 item 3: bounded memory) writes exactly what it writes loaded whole.

Each scenario is loaded twice into fresh warehouses, with the default slice size (every copy whole) and with
slices of a few keys, and the two warehouses are compared table by table: current prices, history, changelog
(all but the changelog's surrogate ids), held runs and their prices, the runs' statuses and counts, the entry
digests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from aiprices.schedules.registry import backfill, load_copies
from aiprices.schedules.registry_copies import file_copy
from aiprices.warehouse.connection import connect

TINY = 3  # keys per slice: every copy below crosses several slices


def _entry(i: int, scale: int = 1, bad: bool = False) -> dict:
    price = "cheap" if bad else f"{(i + 1) * scale}e-07"
    return {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": price if bad else float(price),
        "output_cost_per_token": float(f"{(i + 2) * scale}e-07"),
    }


def _write(folder: Path, day: str, entries: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}.json"
    path.write_text(json.dumps(entries, indent=4))
    return path


def _copies(folder: Path) -> list[Path]:
    """Four days of a small registry: prices change, keys come and go (in different slices), a value turns bad,
    then a copy of four entries would retire most prices (held), then the registry is back."""
    day1 = {f"model-{i:02d}": _entry(i) for i in range(14)}
    day1["model-03"] = _entry(3, bad=True)  # never good: nothing to keep
    day2 = {k: v for k, v in day1.items() if k not in ("model-01", "model-07", "model-12")}
    day2["model-05"] = _entry(5, scale=2)
    day2["model-10"] = _entry(10, bad=True)  # keeps its last good input price
    day2 |= {f"new-{i}": _entry(i + 20) for i in range(4)}
    day3 = {f"model-{i:02d}": _entry(i, scale=5) for i in (0, 2, 4, 6)}  # would retire most prices: held
    day4 = dict(day2)
    day4["model-09"] = _entry(9, scale=3)
    del day4["new-2"]
    return [_write(folder, day, copy) for day, copy in zip(("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"),
                                                           (day1, day2, day3, day4), strict=True)]  # fmt: skip


def _tables(db: Path) -> dict[str, list]:
    con = connect(db, read_only=True)
    try:
        changes = [c for c in _columns(con, "price_changes") if c != "change_id"]
        queries = {
            "current": "SELECT * FROM prices_current",
            "history": "SELECT * FROM price_history",
            "changes": f"SELECT {', '.join(changes)} FROM price_changes",
            "runs": "SELECT run_id, status, items, added, changed, removed, error FROM runs",
            "holds": "SELECT * FROM run_holds",
            "hold_prices": "SELECT * FROM run_hold_prices",
            "digests": "SELECT * FROM entry_digests",
        }
        return {name: sorted(con.execute(query).fetchall(), key=repr) for name, query in queries.items()}
    finally:
        con.close()


def _columns(con, view: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]


def _load(tmp_path: Path, name: str, load) -> tuple[dict, list]:
    db = tmp_path / f"{name}.duckdb"
    con = connect(db)
    try:
        results = load(con)
    finally:
        con.close()
    return _tables(db), results


def test_a_copy_loaded_in_slices_writes_what_it_writes_whole(tmp_path):
    folder = tmp_path / "copies"
    _copies(folder)
    day5 = _write(tmp_path / "later", "2026-01-05", {f"model-{i:02d}": _entry(i, scale=4) for i in range(2, 14)})

    def load(slice_keys: int):
        def run(con):
            first = backfill(con, folder, slice_keys=slice_keys)
            # A new process: the held run dropped the digests, so this copy is read complete and retires the
            # keys it lacks (model-00, the new-* keys: in slices of their own).
            second = load_copies(con, [file_copy(day5)], slice_keys=slice_keys)
            return [first, second]

        return run

    whole, whole_results = _load(tmp_path, "whole", load(10_000))
    sliced, sliced_results = _load(tmp_path, "sliced", load(TINY))
    assert sliced_results == whole_results
    first, second = whole_results
    assert (first.loaded, first.held) == (4, 1) and "model-10.input_cost_per_token" in " ".join(first.warnings)
    assert second.removed >= 5 and second.held == 0
    assert [status for _, status, *_ in whole["runs"]].count("partial") == 1
    assert len(whole["holds"]) == 1 and whole["changes"] and whole["digests"]
    for table in whole:
        assert sliced[table] == whole[table], table


def test_a_held_copy_in_slices_is_held_as_whole(tmp_path):
    """A first copy, then (a new process, read against the stored digests) a copy holding four entries: it
    would retire most prices, so it is held, sliced or not, with the same prices kept for review."""
    folder = tmp_path / "copies"
    day1, _, day3, _ = _copies(folder)

    def load(slice_keys: int):
        def run(con):
            return [load_copies(con, [file_copy(path)], slice_keys=slice_keys) for path in (day1, day3)]

        return run

    whole, whole_results = _load(tmp_path, "whole", load(10_000))
    sliced, sliced_results = _load(tmp_path, "sliced", load(TINY))
    assert sliced_results == whole_results and whole_results[1].held == 1
    assert len(whole["holds"]) == 1 and len(whole["hold_prices"]) >= 10
    for table in whole:
        assert sliced[table] == whole[table], table


@pytest.fixture
def two_real_copies(registry_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "real"
    folder.mkdir()
    for name in ("2025-12-07.json.gz", "2026-04-26.json.gz"):
        if not (registry_dir / name).is_file():
            pytest.skip(f"shared registry copy {name} is absent")
        shutil.copy(registry_dir / name, folder / name)
    return folder


def test_real_copies_loaded_in_slices_write_what_they_write_whole(two_real_copies, tmp_path):
    whole, whole_result = _load(tmp_path, "whole", lambda con: backfill(con, two_real_copies))
    sliced, sliced_result = _load(tmp_path, "sliced", lambda con: backfill(con, two_real_copies, slice_keys=700))
    assert sliced_result == whole_result and whole_result.loaded == 2
    for table in whole:
        assert sliced[table] == whole[table], table
