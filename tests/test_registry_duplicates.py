"""Duplicate keys across copies: the copy of a key that wins (the last) decides its price, whichever piece of
the file holds it and whether or not that piece changed since the copy before."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect


def _entry(key: str, per_token: str) -> str:
    return (
        f'    "{key}": {{\n        "input_cost_per_token": {per_token},\n'
        f'        "litellm_provider": "vertex_ai-embedding-models",\n        "mode": "embedding"\n    }}'
    )


def _copy(folder: Path, day: str, *entries: tuple[str, str]) -> None:
    """A registry copy in LiteLLM's own layout (4-space indent), entries in the order given."""
    folder.mkdir(parents=True, exist_ok=True)
    body = ",\n".join(_entry(k, p) for k, p in entries)
    (folder / f"{day}.json").write_text("{\n" + body + "\n}\n")


def _changes(con) -> list[tuple]:
    return con.execute(
        "SELECT changed_on::VARCHAR, source_model_key, kind, old_price, new_price FROM price_changes "
        "ORDER BY changed_on, source_model_key"
    ).fetchall()


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    yield c
    c.close()


EMB = "vertex_ai/gemini-embedding-2-preview"
OTHER = "vertex_ai/text-embedding-005"


def test_when_the_winning_duplicate_disappears_the_remaining_copy_is_read(tmp_path, con):
    # As in the real copies of 2026-03-22 and 2026-04-05: 0.20 then 0.15 per 1M (the last wins), then only
    # the 0.20 copy is left, its bytes unchanged.
    _copy(tmp_path / "c", "2026-03-22", (EMB, "2e-07"), (OTHER, "2.5e-08"), (EMB, "1.5e-07"))
    _copy(tmp_path / "c", "2026-04-05", (EMB, "2e-07"), (OTHER, "2.5e-08"))
    backfill(con, tmp_path / "c")
    assert _changes(con) == [
        ("2026-03-22", EMB, "added", None, Decimal("0.15")),
        ("2026-03-22", OTHER, "added", None, Decimal("0.025")),
        ("2026-04-05", EMB, "changed", Decimal("0.15"), Decimal("0.2")),
    ]


def test_when_the_losing_duplicate_disappears_nothing_changes(tmp_path, con):
    _copy(tmp_path / "c", "2026-03-22", (EMB, "2e-07"), (OTHER, "2.5e-08"), (EMB, "1.5e-07"))
    _copy(tmp_path / "c", "2026-04-05", (OTHER, "2.5e-08"), (EMB, "1.5e-07"))
    backfill(con, tmp_path / "c")
    assert [c[2] for c in _changes(con)] == ["added", "added"]


def test_a_duplicate_that_appears_wins_if_it_comes_last(tmp_path, con):
    _copy(tmp_path / "c", "2026-03-01", (EMB, "2e-07"), (OTHER, "2.5e-08"))
    _copy(tmp_path / "c", "2026-03-22", (EMB, "2e-07"), (OTHER, "2.5e-08"), (EMB, "1.5e-07"))
    _copy(tmp_path / "c", "2026-04-05", (EMB, "1e-07"), (OTHER, "2.5e-08"), (EMB, "1.5e-07"))
    _copy(tmp_path / "c", "2026-04-06", (EMB, "1e-07"), (OTHER, "2.5e-08"))
    result = backfill(con, tmp_path / "c")
    assert _changes(con)[2:] == [
        ("2026-03-22", EMB, "changed", Decimal("0.2"), Decimal("0.15")),
        ("2026-04-06", EMB, "changed", Decimal("0.15"), Decimal("0.1")),
    ]  # 2026-04-05 changed only the copy that loses
    assert [w.split(":")[0] for w in result.warnings] == ["2026-03-22.json", "2026-04-05.json"]
    assert all(f"duplicate keys (last copy wins): {EMB}" in w for w in result.warnings)
