"""Entry digests kept with the warehouse: a new process reading the next registry copy skips the entries whose
text did not change, and gets the changelog a single backfill (and an independent diff) gives."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.crawler.extract.litellm import EntryReport
from aiprices.crawler.extract.litellm_reader import RegistryReader
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect
from aiprices.warehouse.digests import stored_digests
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from helpers.registry_series import independent_changelog, synthesize, warehouse_changelog


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Path:
    from helpers.shared import shared_path

    folder = tmp_path_factory.mktemp("series") / "copies"
    synthesize(40, folder, shared_path("litellm-registry", "2025-12-07.json.gz"), seed=20, entries=300)
    return folder


def _one_copy(path: Path, into: Path) -> Path:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir()
    shutil.copy(path, into / path.name)
    return into


def test_a_copy_read_from_digests_changes_what_the_copy_before_it_would(series):
    texts = [p.read_bytes() for p in sorted(series.iterdir())]
    in_memory = RegistryReader()
    digests = dict(in_memory.read(texts[0], "day 0", EntryReport()).digests)
    for day, text in enumerate(texts[1:], 1):
        expected = in_memory.read(text, f"day {day}", EntryReport())
        fresh = RegistryReader(digests).read(text, f"day {day}", EntryReport())
        reread = {k for k, d in digests.items() if d is None}  # the last piece, pieces of several entries
        assert set(expected.changed) <= set(fresh.changed) <= set(expected.changed) | reread
        assert fresh.vanished == expected.vanished
        assert len(reread) < 15  # of 300 entries: the others are skipped unless their text changed
        digests = {k: d for k, d in digests.items() if k not in expected.vanished} | expected.digests


def test_digests_made_by_other_rules_are_stale(series):
    text = sorted(series.iterdir())[0].read_bytes()
    digests = RegistryReader(salt=b"rules 1").read(text, "day 0", EntryReport()).digests
    reread = {k for k, d in digests.items() if d is None}  # the last piece, pieces of several entries
    assert len(reread) < 15
    assert RegistryReader(digests, salt=b"rules 1").read(text, "day 0", EntryReport()).changed.keys() == reread
    assert RegistryReader(digests, salt=b"rules 2").read(text, "day 0", EntryReport()).changed.keys() == set(digests)


def test_a_backfill_one_copy_per_process_gives_the_changelog_of_one_backfill(tmp_path, series):
    copies = sorted(series.iterdir())
    first = tmp_path / "first"
    first.mkdir()
    for path in copies[:20]:
        shutil.copy(path, first / path.name)
    con = connect(tmp_path / "w.duckdb")
    backfill(con, first)
    for path in copies[20:]:  # each copy by a new reader, as a new process would
        result = backfill(con, _one_copy(path, tmp_path / "day"))
        assert result.loaded == 1
    assert con.execute("SELECT DISTINCT status FROM runs").fetchall() == [("ok",)]
    assert warehouse_changelog(con) == independent_changelog(series)
    newest = json.loads(copies[-1].read_text())
    assert stored_digests(con, "litellm").keys() == newest.keys()
    con.close()


def _entries(n: int, price: str = "1e-06") -> str:
    return json.dumps({f"m{i}": {"input_cost_per_token": float(price), "litellm_provider": "openai"} for i in range(n)},
                      indent=4)  # fmt: skip


def _stored(con) -> dict:
    return stored_digests(con, "litellm")


def test_a_partial_run_drops_the_digests_and_the_next_copy_is_read_whole(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "2026-01-01.json").write_text(_entries(10))
    (folder / "2026-01-02.json").write_text(_entries(3))  # fewer than half the items: partial, nothing retired
    con = connect(tmp_path / "w.duckdb")
    backfill(con, folder)
    assert con.execute("SELECT status FROM runs ORDER BY observed_at").fetchall() == [("ok",), ("partial",)]
    assert _stored(con) == {}
    result = backfill(con, _one_copy(_write(tmp_path, "2026-01-03", _entries(6)), tmp_path / "day"))
    assert result.removed == 4  # read whole (complete): the four keys gone since 01-01 are retired now
    assert set(_stored(con)) == {f"m{i}" for i in range(6)}
    con.close()


def _write(tmp_path: Path, day: str, text: str) -> Path:
    path = tmp_path / f"{day}.json"
    path.write_text(text)
    return path


def test_a_registry_run_without_digests_drops_them(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    backfill(con, _one_copy(_write(tmp_path, "2026-01-01", _entries(4)), tmp_path / "day"))
    assert len(_stored(con)) == 4
    at = datetime(2026, 1, 2, tzinfo=UTC)
    row = {"source": "litellm", "vendor": "openai", "model": "m0", "source_model_key": "m0", "price_key": "input",
           "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
           "variant": "", "currency": "USD", "price": Decimal(2), "source_url": None, "source_field": None,
           "inferred_rule": None}  # fmt: skip
    load_run(con, StagedRun(RunRecord("other", "litellm", "registry", at, at, at), [row], complete=False))
    assert _stored(con) == {}
    result = backfill(con, _one_copy(_write(tmp_path, "2026-01-03", _entries(4)), tmp_path / "day"))
    assert (result.changed, len(_stored(con))) == (1, 4)  # read whole again: m0 is back at 1 per 1M
    con.close()
