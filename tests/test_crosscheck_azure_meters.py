"""Azure's meter abbreviations are compared with the one registry model they decode to, and only then."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pytest
from aiprices.warehouse.azure_meters import meter_pattern
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.crosscheck import record_crosschecks
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun


def _run(run_id: str, source: str, day: int, kind: str = "replay") -> RunRecord:
    at = datetime(2026, 1, day, tzinfo=UTC)
    return RunRecord(run_id=run_id, source=source, kind=kind, observed_at=at, started_at=at, finished_at=at)


def _price(source: str, model: str, price: str = "4") -> dict:
    return price_row(source=source, vendor="azure", model=model, price_key="input", unit="usd_per_1m_tokens",
                     price=Decimal(price), source_field="f")  # fmt: skip


def _check(db, registry: list[str], page: list[str], source: str = "azure") -> dict[str, tuple]:
    """``page model -> (status, registry model key)`` of a page listing ``page`` against ``registry``."""
    con = connect(db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), [_price("litellm", m) for m in registry]))
    load_run(con, StagedRun(_run("crawl-1", source, 2), [_price(source, m) for m in page]))
    record_crosschecks(con, "crawl-1")
    rows = con.execute(
        "SELECT model, status, registry_model_key FROM crosschecks_current WHERE status <> 'missing_on_page'"
    ).fetchall()
    con.close()
    return {model: (status, key) for model, status, key in rows}


@pytest.mark.parametrize(
    ("meter", "registry_spelling"),
    [
        ("gpt4omini-rt-1217", "gpt-4o-mini-realtime-preview-2024-12-17"),
        ("gpt-4o-rt-1217", "gpt-4o-realtime-preview-2024-12-17"),
        ("gpt-rt-0828", "gpt-realtime-2025-08-28"),
        ("gpt-rt-1.5", "gpt-realtime-1.5"),
        ("gpt-img-1.5", "gpt-image-1.5"),
        ("gpt-aud-1.5", "gpt-audio-1.5"),
        ("gpt-4-8k", "gpt-4"),
    ],
)
def test_meter_names_decode_to_the_registry_spelling(meter, registry_spelling):
    pattern = duckdb.execute(f"SELECT {meter_pattern('?')}", [meter]).fetchone()[0]
    assert duckdb.execute("SELECT regexp_full_match(?, ?)", [registry_spelling, pattern]).fetchone()[0]


@pytest.mark.parametrize(
    ("meter", "other_spelling"),
    [
        ("gpt-rt-1.5", "gpt-realtime-1-5x"),  # a dot is a dot
        ("gpt-rt-1.5", "gpt-realtime-mini-1.5"),
        ("gpt-img-1.5", "gpt-image-1.5-mini"),  # the whole spelling, not a prefix
        ("gpt4omini-rt-1217", "gpt-4o-realtime-preview-2024-12-17"),
        ("gpt4omini-rt-1217", "gpt-4o-mini-realtime-preview-2024-10-01"),
        ("kimi-k2.6-thinking", "kimi-k2.6"),
        ("gpt-4-8k", "gpt-4-32k"),
    ],
)
def test_meter_names_do_not_decode_to_other_models(meter, other_spelling):
    pattern = duckdb.execute(f"SELECT {meter_pattern('?')}", [meter]).fetchone()[0]
    assert not duckdb.execute("SELECT regexp_full_match(?, ?)", [other_spelling, pattern]).fetchone()[0]


def test_an_azure_meter_name_is_compared_with_its_one_registry_model(migrated_db):
    registry = ["azure/gpt-4o-mini-realtime-preview-2024-12-17", "azure/gpt-realtime-1.5", "azure/gpt-4o-mini"]
    found = _check(migrated_db, registry, ["gpt4omini-rt-1217", "gpt-rt-1.5"])
    assert found == {
        "gpt4omini-rt-1217": ("match", "azure/gpt-4o-mini-realtime-preview-2024-12-17"),
        "gpt-rt-1.5": ("match", "azure/gpt-realtime-1.5"),
    }


def test_a_meter_name_matching_several_registry_models_stays_missing(migrated_db):
    """``gpt-rt-0101`` could be the 2025 or the 2026 snapshot: no guess."""
    registry = ["azure/gpt-realtime-2025-01-01", "azure/gpt-realtime-preview-2026-01-01"]
    assert _check(migrated_db, registry, ["gpt-rt-0101"]) == {"gpt-rt-0101": ("missing_in_registry", None)}


def test_a_name_the_registry_has_and_other_sources_are_not_decoded(migrated_db):
    """A page name the registry already prices keeps its own model; non-Azure pages are never decoded."""
    registry = ["azure/gpt-rt-1.5", "azure/gpt-realtime-1.5"]
    assert _check(migrated_db, registry, ["gpt-rt-1.5"]) == {"gpt-rt-1.5": ("match", "azure/gpt-rt-1.5")}


def test_meter_names_are_decoded_for_azure_pages_only(migrated_db):
    found = _check(migrated_db, ["azure/gpt-realtime-1.5"], ["gpt-rt-1.5"], source="openai")
    assert found == {"gpt-rt-1.5": ("missing_in_registry", None)}


def test_a_decoded_meter_is_compared_with_its_own_snapshot(migrated_db):
    """The registry lists the undated model and two snapshots (one model to the catalogue): the meter's date picks
    its snapshot's price, not the alphabetically first key's."""
    registry = [
        _price("litellm", "azure/gpt-4o-realtime-preview", "5"),
        _price("litellm", "azure/gpt-4o-realtime-preview-2024-10-01", "5"),
        _price("litellm", "azure/gpt-4o-realtime-preview-2024-12-17", "4"),
    ]
    con = connect(migrated_db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    load_run(con, StagedRun(_run("crawl-1", "azure", 2), [_price("azure", "gpt-4o-rt-1217", "4")]))
    record_crosschecks(con, "crawl-1")
    got = con.execute("SELECT status, registry_model_key FROM crosschecks_current WHERE page_price IS NOT NULL")
    assert got.fetchall() == [("match", "azure/gpt-4o-realtime-preview-2024-12-17")]
    con.close()
