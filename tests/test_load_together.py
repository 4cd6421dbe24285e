"""Sources staged at the same time load together in one transaction: the warehouse ends as loading each on its
own leaves it (prices, changelog, runs, held runs, catalogue), and a run the warehouse refuses is skipped alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.schedules.loading import StagedBatch, load_batch, load_source, load_sources
from aiprices.schedules.spawn import PlannedSource
from aiprices.warehouse.connection import connect
from aiprices.warehouse.staging import RunRecord, write_staged_run
from helpers.captured_rows import captured_rows

CAPTURES = {
    "azure": "2026-10-04.retail-page.json",
    "bedrock": "2026-10-04.price-list-subset.json",
    "vertex": "2026-10-04.excerpt.html",
}
DAYS = (datetime(2026, 11, 13, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC))
# What the loader writes, but the ids a sequence hands out in insertion order.
TABLES = {
    "price_intervals": "*",
    "changes": "* EXCLUDE (change_id)",
    "runs": "*",
    "run_holds": "*",
    "run_hold_prices": "*",
    "catalogue_names": "*",
}


def _day(folder: Path, n: int, rows: dict[str, list[dict]]) -> StagedBatch:
    """Day ``n`` of every source: on the second, one Bedrock price is 10% higher and Azure lists a tenth of its
    prices (held for review whole)."""
    at, planned = DAYS[n], []
    for source, day in rows.items():
        day = [dict(row) for row in day]
        if n and source == "bedrock":
            day[0]["price"] = day[0]["price"] * Decimal("1.1")
        if n and source == "azure":
            day = day[: len(day) // 10]
        p = PlannedSource(source, f"r{n}-{source}", at)
        write_staged_run(folder / source, RunRecord(p.run_id, source, "replay", at, at, at, items=len(day)), day)
        planned.append(p)
    return StagedBatch(folder, "replay", planned)


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = connect(db, read_only=True)
    try:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in TABLES.items()}
    finally:
        con.close()


def test_sources_loaded_together_leave_what_loading_each_alone_leaves(vendor_pages, migrated_db, tmp_path):
    for path in [vendor_pages / s / n for s, n in CAPTURES.items()]:
        if not path.is_file():
            pytest.skip(f"shared file {path} is absent")
    rows = {source: captured_rows(source, vendor_pages / source / name) for source, name in CAPTURES.items()}
    alone_db = tmp_path / "alone.duckdb"
    alone_db.write_bytes(migrated_db.read_bytes())
    results = {}
    for db, how in ((alone_db, "alone"), (migrated_db, "together")):
        con = connect(db)
        for n in range(len(DAYS)):
            batch = _day(tmp_path / how / str(n), n, rows)
            if how == "alone":
                results[how, n] = [load_source(con, batch, p) for p in batch.planned]
            else:
                results[how, n] = load_sources(con, batch, batch.planned)
        con.close()
    for n in range(len(DAYS)):
        assert results["together", n] == results["alone", n]
    assert [(r.source, r.status, r.changed) for r in results["together", 1]] == [
        ("azure", "partial", 0), ("bedrock", "ok", 1), ("vertex", "ok", 0),
    ]  # fmt: skip
    together, alone = _tables(migrated_db), _tables(alone_db)
    assert together["run_holds"] and together["changes"] and together["catalogue_names"]
    assert together == alone


AT = datetime(2026, 6, 1, tzinfo=UTC)


def _price(source: str) -> dict:
    return {
        "source": source, "vendor": source, "model": "m1", "source_model_key": "m1", "price_key": "input",
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "time_window": "", "price": Decimal("1.5"), "effective_from": None,
        "effective_to": None, "source_url": f"https://{source}.test", "source_field": "table", "inferred_rule": None,
    }  # fmt: skip


def _batch(folder: Path, day: int, sources: tuple[str, ...]) -> StagedBatch:
    at, planned = AT.replace(day=day), []
    for source in sources:
        p = PlannedSource(source, f"b{day}-{source}", at)
        write_staged_run(folder / source, RunRecord(p.run_id, source, "replay", at, at, at), [_price(source)])
        planned.append(p)
    return StagedBatch(folder, "replay", planned)


def test_a_run_older_than_what_is_loaded_is_skipped_alone_and_the_others_load(migrated_db, tmp_path):
    con = connect(migrated_db)
    load_batch(con, _batch(tmp_path / "day2", 2, ("groq",)))
    results = load_batch(con, _batch(tmp_path / "day1", 1, ("groq", "xai")))  # groq's run is older than its day 2
    loaded = con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()
    con.close()
    assert [(r.source, r.status, r.added) for r in results] == [("groq", "skipped", 0), ("xai", "ok", 1)]
    assert "is not newer than the newest loaded one" in results[0].error
    assert loaded == [("b1-xai",), ("b2-groq",)]


def test_a_staged_file_the_warehouse_cannot_store_fails_its_source_alone(migrated_db, tmp_path):
    batch = _batch(tmp_path / "day1", 1, ("cohere", "groq", "xai"))
    rows = tmp_path / "day1" / "groq" / "rows.jsonl"
    rows.write_text(rows.read_text().replace('"price": "1.5"', '"price": "1E+20"'))  # edited after staging
    con = connect(migrated_db)
    results = load_batch(con, batch)
    stored = con.execute("SELECT source, count(*) FROM price_intervals GROUP BY ALL ORDER BY 1").fetchall()
    con.close()
    assert [(r.source, r.status, r.added) for r in results] == [("cohere", "ok", 1), ("groq", "failed", 0),
                                                               ("xai", "ok", 1)]  # fmt: skip
    assert "rows.jsonl line 1: price 1E+20 is too large (a price must stay below 10^14 once scaled)" in results[1].error
    assert stored == [("cohere", 1), ("xai", 1)]
