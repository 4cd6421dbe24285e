"""Guards in the load path: item-count drops load as partial, vendor-page 10x moves wait in quarantine."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.guards import ReviewError, accept, correct, list_held, reject
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun


@pytest.fixture
def con(migrated_db):
    con = connect(migrated_db)
    yield con
    con.close()


def row(model: str, price: str, key: str = "input", source: str = "groq") -> dict:
    return {
        "source": source, "vendor": source, "model": model, "source_model_key": model, "price_key": key,
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "price": Decimal(price), "source_url": f"https://{source}.test/p",
        "source_field": "table", "inferred_rule": None,
    }  # fmt: skip


def load(con, day: int, rows: list[dict], source: str = "groq", status: str = "ok", **page):
    """Load ``rows`` as the run of day ``day``; ``page`` sets the page (``page_kind``) and its audit."""
    at = datetime(2026, 3, day, tzinfo=UTC)
    run = RunRecord(f"r{day}-{source}", source, "crawl", at, at, at, status=status, **page)
    return load_run(con, StagedRun(run, rows))


def current(con, source: str = "groq") -> dict:
    rows = con.execute(
        "SELECT model, price_key, price FROM prices_current WHERE source = ? ORDER BY 1, 2", [source]
    ).fetchall()
    return {(m, k): p for m, k, p in rows}


def flags(con, model: str) -> list:
    return con.execute(
        "SELECT changed_on::VARCHAR, kind, old_price, new_price, flag FROM price_changes WHERE model = ? "
        "ORDER BY changed_at, kind",
        [model],
    ).fetchall()


def ten_models(price: str = "1") -> list[dict]:
    return [row(f"m{i}", price) for i in range(10)]


def test_item_count_drop_loads_partial_and_retires_nothing(con):
    load(con, 1, ten_models())
    res = load(con, 2, ten_models()[:4])  # 4 of 10: fell by more than half
    assert res.status == "partial" and res.removed == 0
    status, error, warnings = con.execute(
        "SELECT status, error, warnings FROM crawl_runs WHERE run_id = 'r2-groq'"
    ).fetchone()
    assert status == "partial" and "fell from 10" in warnings
    assert error.startswith("item count fell from 10 ") and error.endswith("nothing retired")
    assert len(current(con)) == 10
    # 6 of 10: an ok run that retires the 4 it no longer lists (less than half of the source's prices).
    res = load(con, 3, ten_models()[:6])
    assert res.status == "ok" and res.removed == 4
    assert len(current(con)) == 6


def test_item_count_guard_compares_the_same_page_only(con):
    load(con, 1, ten_models(), page_kind="jina.md")
    # a card page after a table page is another page: its 4 items are not a drop from the table's 10
    assert load(con, 2, ten_models()[:4], page_kind="api-pricing.md").status == "ok"
    # back to the table page, compared with the table page's last run (10), not the card page's (4)
    assert load(con, 3, ten_models()[:4], page_kind="jina.md").status == "partial"
    assert load(con, 4, ten_models()[:9], page_kind="jina.md").status == "ok"


def test_coverage_drop_loads_partial_even_when_the_item_count_looks_fine(con):
    load(con, 1, ten_models(), page_kind="html", rows_seen=50, rows_priced=49)
    res = load(con, 2, ten_models()[:9], page_kind="html", rows_seen=50, rows_priced=30)
    assert res.status == "partial" and res.removed == 0
    error, coverage, seen = con.execute(
        "SELECT error, coverage, rows_seen FROM crawl_runs WHERE run_id = 'r2-groq'"
    ).fetchone()
    assert error.startswith("coverage fell from 98.0% (run r1-groq) to 60.0%") and error.endswith("nothing retired")
    assert (coverage, seen) == (Decimal("0.6000"), 50)
    # ten points down is not "clearly below": an ok run (compared with the last ok run, day 1)
    assert load(con, 3, ten_models()[:9], page_kind="html", rows_seen=50, rows_priced=44).status == "ok"
    # a run without an audit is never judged by coverage
    assert load(con, 4, ten_models()[:9], page_kind="html").status == "ok"


def test_price_x1000_is_quarantined_then_confirmed_by_next_crawl(con):
    load(con, 1, [row("a", "2.5"), row("b", "10")])
    res = load(con, 2, [row("a", "2500"), row("b", "11")])
    assert (res.changed, res.quarantined) == (2, 1)
    assert current(con) == {("a", "input"): Decimal("2.5"), ("b", "input"): Decimal("11")}
    assert flags(con, "a")[-1] == ("2026-03-02", "changed", Decimal("2.5"), Decimal("2500"), "quarantined")
    held = list_held(con)
    assert [(h.model, h.old_price, h.new_price) for h in held] == [("a", Decimal("2.5"), Decimal("2500"))]
    # The same value again the next day confirms it, applied as of its first sighting.
    res = load(con, 3, [row("a", "2500"), row("b", "11")])
    assert res.confirmed == 1 and res.changed == 0
    assert current(con)[("a", "input")] == Decimal("2500")
    hist = con.execute(
        "SELECT valid_from::DATE::VARCHAR, price FROM price_history WHERE model = 'a' ORDER BY valid_from"
    ).fetchall()
    assert hist == [("2026-03-01", Decimal("2.5")), ("2026-03-02", Decimal("2500"))]
    assert flags(con, "a")[-1][-1] == "suspect_magnitude"
    assert list_held(con) == []


def test_quarantine_superseded_when_page_shows_old_value(con):
    load(con, 1, [row("a", "2.5")])
    load(con, 2, [row("a", "0")])  # to zero: suspect
    assert current(con) == {("a", "input"): Decimal("2.5")}
    load(con, 3, [row("a", "2.5")])
    assert list_held(con) == []
    (status,) = con.execute("SELECT status FROM quarantined_changes").fetchone()
    assert status == "superseded"
    assert flags(con, "a")[-1][-1] == "rejected"
    assert con.execute("SELECT count(*) FROM price_history WHERE model = 'a'").fetchone() == (1,)


def test_review_accept_and_reject(con):
    load(con, 1, [row("a", "1"), row("b", "3")])
    load(con, 2, [row("a", "1000"), row("b", "0.003")])
    held = {h.model: h.change_id for h in list_held(con)}
    accept(con, held["a"], note="vendor really raised it")
    reject(con, held["b"])
    assert current(con) == {("a", "input"): Decimal("1000"), ("b", "input"): Decimal("3")}
    assert flags(con, "a")[-1][-1] == "suspect_magnitude" and flags(con, "b")[-1][-1] == "rejected"
    with pytest.raises(ReviewError, match="already decided"):
        accept(con, held["b"])
    with pytest.raises(ReviewError, match="^no such change: 999 "):
        reject(con, 999)
    (added,) = con.execute("SELECT min(change_id) FROM price_changes WHERE kind = 'added'").fetchone()
    with pytest.raises(ReviewError, match=f"^change {added} is not quarantined"):
        accept(con, added)
    # A rejected value still on the page the next day is held again, not applied.
    res = load(con, 3, [row("a", "1000"), row("b", "0.003")])
    assert res.quarantined == 1 and current(con)[("b", "input")] == Decimal("3")


def test_litellm_applies_suspect_changes_with_a_flag(con):
    load(con, 1, [row("a", "1", source="litellm")], source="litellm")
    load(con, 2, [row("a", "1000", source="litellm")], source="litellm")
    assert current(con, "litellm") == {("a", "input"): Decimal("1000")}
    assert flags(con, "a")[-1][-1] == "suspect_magnitude"
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_correction_rewrites_history_for_repricing_and_keeps_an_audit_row(con):
    load(con, 1, [row("a", "1")])
    load(con, 2, [row("a", "1.5")])  # the page had a typo on day 1; day 2 shows the right price
    (cid,) = con.execute("SELECT change_id FROM price_changes WHERE kind = 'changed'").fetchone()
    correct(con, cid, note="day-1 page typo")
    on_day1 = con.execute("SELECT price FROM prices_on(DATE '2026-03-01')").fetchall()
    assert on_day1 == [(Decimal("1.5"),)]
    audit = con.execute("SELECT original_price, corrected_price, note FROM corrections").fetchall()
    assert audit == [(Decimal("1"), Decimal("1.5"), "day-1 page typo")]
    (raw,) = con.execute("SELECT price FROM price_intervals WHERE valid_to IS NOT NULL").fetchone()
    assert raw == Decimal("1")  # the observation itself is kept
    assert flags(con, "a")[-1][-1] == "correction"
    with pytest.raises(ReviewError, match="cannot be marked"):
        correct(con, cid)
