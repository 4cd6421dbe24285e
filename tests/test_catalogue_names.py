"""The catalogue's stored names (``catalogue_names``, migration 016): each load adds its new names in its own
transaction, so lookups read a table instead of grouping every price interval."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from aiprices.warehouse.catalogue import canonical_of
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

# The catalogue as 010_catalogue.sql computes it from the intervals themselves, to compare the stored one with.
_FROM_INTERVALS = """
SELECT source, vendor, source_model_key, model, list_sort(list(DISTINCT unit)), list_sort(list(DISTINCT price_key)),
       model_name(model), model_key(model)
FROM price_intervals GROUP BY ALL ORDER BY ALL
"""
_STORED = """
SELECT source, vendor, source_model_key, model, list_sort(units), list_sort(keys), spelling, key
FROM catalogue_names ORDER BY ALL
"""


def _load(con, run_id: str, day: int, rows: list[dict]) -> None:
    at = datetime(2026, 1, day, tzinfo=UTC)
    source = rows[0]["source"]
    kind = "registry" if source == "litellm" else "replay"
    load_run(con, StagedRun(RunRecord(run_id, source, kind, at, at), rows))


def _price(source: str, model: str, key: str = "input", unit: str = "usd_per_1m_tokens", price: str = "1") -> dict:
    return price_row(source=source, vendor="anthropic", model=model, price_key=key, unit=unit, price=Decimal(price),
                     source_field="f")  # fmt: skip


def test_each_load_adds_its_names_and_merges_units_and_keys(migrated_db):
    con = connect(migrated_db)
    _load(con, "r1", 1, [_price("litellm", "claude-4-sonnet-20250514")])
    assert canonical_of(con, "claude-sonnet-4-20250514") == ["claude-4-sonnet-20250514"]
    _load(con, "p1", 2, [_price("anthropic", "claude-sonnet-4"), _price("anthropic", "claude-sonnet-4", "output")])
    _load(con, "r2", 3, [_price("litellm", "claude-4-sonnet-20250514", "input_audio", "per_second", "2")])
    assert con.execute(_STORED).fetchall() == con.execute(_FROM_INTERVALS).fetchall()
    assert canonical_of(con, "claude-4-sonnet") == ["claude-sonnet-4"]  # the page's undated id names the model
