"""One warehouse backfilled from every shared registry copy, built once per test session and read by many tests.

The xdist workers of one session share it: the first to take the lock builds it, the others wait and reuse
it. Tests only READ it (``connect(path, read_only=True)`` or a read-only command).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
from pathlib import Path

from aiprices.schedules.registry import BackfillResult, backfill
from aiprices.warehouse.connection import connect


@dataclasses.dataclass(frozen=True)
class RegistryWarehouse:
    """The built file and what its one backfill reported."""

    path: Path
    result: BackfillResult


def build_once(folder: Path, copies: Path) -> RegistryWarehouse:
    """Backfill ``copies`` into ``folder/registry.duckdb`` unless another process of this session did."""
    folder.mkdir(parents=True, exist_ok=True)
    db, done = folder / "registry.duckdb", folder / "registry-backfill.json"
    with open(folder / "registry.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            con = connect(db)
            try:
                result = backfill(con, copies)
            finally:
                con.close()
            done.write_text(json.dumps(dataclasses.asdict(result)))
    return RegistryWarehouse(db, BackfillResult(**json.loads(done.read_text())))
