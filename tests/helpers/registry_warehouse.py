"""One warehouse backfilled from every shared registry copy, built once per test session and read by many tests.

The xdist workers of one session share it (``built_once.build_once``). Tests only READ it
(``connect(path, read_only=True)`` or a read-only command).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from aiprices.schedules.registry import BackfillResult, backfill
from aiprices.warehouse.connection import connect

from helpers.built_once import build_once


@dataclasses.dataclass(frozen=True)
class RegistryWarehouse:
    """The built file and what its one backfill reported."""

    path: Path
    result: BackfillResult


def _backfill(folder: Path, copies: Path) -> None:
    con = connect(folder / "registry.duckdb")
    try:
        result = backfill(con, copies)
    finally:
        con.close()
    (folder / "registry-backfill.json").write_text(json.dumps(dataclasses.asdict(result)))


def build_registry_warehouse(tmp_path_factory, copies: Path) -> RegistryWarehouse:
    """``copies`` backfilled into ``registry.duckdb`` by the first worker of the session that asks."""
    folder = build_once(tmp_path_factory, "registry-warehouse", lambda f: _backfill(f, copies))
    result = json.loads((folder / "registry-backfill.json").read_text())
    return RegistryWarehouse(folder / "registry.duckdb", BackfillResult(**result))
