"""The one resolver (warehouse/sql/006_resolver.sql) on a small warehouse we write ourselves."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.resolve import asks_table, resolve
from aiprices.warehouse.staging import RunRecord, StagedRun

D = Decimal
TOKENS = "usd_per_1m_tokens"
MARCH = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _load(con, source: str, when: datetime, rows: list[tuple]) -> None:
    """rows: (vendor, model, key, price_key, price, extra fields)."""
    built = [
        price_row(source=source, vendor=v, model=m, source_model_key=k, price_key=pk, unit=TOKENS, price=D(p), **kw)
        for v, m, k, pk, p, kw in rows
    ]
    kind = "registry" if source == "litellm" else "replay"
    load_run(con, StagedRun(RunRecord(f"{source}-{when:%Y%m%d%H%M}", source, kind, when, when), built))


@pytest.fixture
def con(db_path):
    con = connect(db_path)
    _load(con, "litellm", MARCH, [
        ("openai", "gpt-x", "gpt-x", "input", "2", {}),
        ("openai", "gpt-x", "gpt-x", "output", "8", {}),
        ("azure", "gpt-x", "azure/gpt-x", "input", "2.2", {}),
        ("azure", "gpt-x", "azure/gpt-x", "output", "8.8", {}),
        ("azure", "gpt-x", "azure/gpt-x", "cache_read", "0.55", {}),
        ("google", "gem", "gem", "input", "1", {}),
        ("google", "gem", "gem", "input", "2", {"context_min_tokens": 128_000}),
        ("google", "gem", "gem", "input", "3", {"context_min_tokens": 200_000}),
    ])  # fmt: skip
    _load(con, "openai", MARCH, [
        ("openai", "gpt-x", "gpt-x", "input", "1.9", {}),
        ("openai", "gpt-x", "gpt-x", "cache_read", "0.5", {}),
    ])  # fmt: skip
    yield con
    con.close()


def _ask(name: str, price_key: str, **kw) -> dict:
    at = kw.pop("as_of", datetime(2025, 3, 2, tzinfo=UTC))
    return {"ask_id": kw.pop("ask_id", 0), "as_of": at, "name": name, "price_key": price_key, "unit": TOKENS, **kw}


def _one(con, name: str, price_key: str, **kw):
    return resolve(con, asks_table([_ask(name, price_key, **kw)])).get(0)


def test_views_keep_every_column(con):
    history = [d[0] for d in con.execute("SELECT * FROM price_history LIMIT 0").description]
    on = [d[0] for d in con.execute("SELECT * FROM prices_on(DATE '2025-03-01') LIMIT 0").description]
    current = [d[0] for d in con.execute("SELECT * FROM prices_current LIMIT 0").description]
    assert on == history
    assert current == [c for c in history if c not in ("valid_to", "retired_run_id")]


def test_on_a_date_means_the_end_of_that_utc_day(con):
    late = datetime(2025, 3, 10, 23, 59, 59, tzinfo=UTC)
    _load(con, "litellm", late, [("openai", "gpt-x", "gpt-x", "input", "3", {})])
    con.execute("SET TimeZone = 'America/New_York'")  # a reader's session zone changes nothing
    (on,) = con.execute("SELECT price FROM prices_on(DATE '2025-03-10') WHERE source_model_key = 'gpt-x' "
                        "AND price_key = 'input' AND source = 'litellm'").fetchone()  # fmt: skip
    (before,) = con.execute("SELECT price FROM prices_on('2025-03-09') WHERE source_model_key = 'gpt-x' "
                            "AND price_key = 'input' AND source = 'litellm'").fetchone()  # fmt: skip
    assert (on, before) == (D(3), D(2))
    assert con.execute("SELECT end_of_day(DATE '2025-03-10')").fetchone()[0] == datetime(
        2025, 3, 10, 23, 59, 59, 999999, tzinfo=UTC
    )
    assert _one(con, "gpt-x", "input", as_of=late).price == D(3)
    assert _one(con, "gpt-x", "input", as_of=datetime(2025, 3, 10, 23, 59, 58, tzinfo=UTC)).price == D(2)


def test_prices_current_is_what_is_in_effect_now(con):
    _load(con, "litellm", datetime(2099, 1, 1, tzinfo=UTC), [("openai", "gpt-x", "gpt-x", "input", "9", {})])
    current = con.execute(
        "SELECT price FROM prices_current WHERE source = 'litellm' AND source_model_key = 'gpt-x' "
        "AND price_key = 'input'"
    ).fetchall()
    assert current == [(D(2),)]  # the 2099 price is recorded but not yet in effect


def test_litellm_first_then_exact_key(con):
    found = _one(con, "gpt-x", "input")
    assert (found.source, found.source_model_key, found.price, found.rule) == ("litellm", "gpt-x", D(2), None)
    assert _one(con, "gpt-x", "input", want_source="openai").price == D("1.9")
    assert _one(con, "gpt-x", "input", want_vendor="azure").source_model_key == "azure/gpt-x"
    assert _one(con, "azure/gpt-x", "input").price == D("2.2")  # a source's own key names that offer
    assert _one(con, "gpt-x", "input", as_of=datetime(2025, 2, 1, tzinfo=UTC)) is None  # before any price


def test_highest_long_context_tier_the_prompt_exceeds(con):
    assert [_one(con, "gem", "input", context=n).price for n in (0, 128_000, 128_001, 250_000)] == [
        D(1), D(1), D(2), D(3)
    ]  # fmt: skip


def test_published_price_beats_the_documented_fallback(con):
    infer = {"infer_key": "input", "infer_tier": "standard", "infer_factor": D("0.1"), "infer_rule": "10%"}
    published = _one(con, "gpt-x", "cache_read", want_vendor="openai", **infer)
    # litellm's gpt-x has no cache_read; a published one (openai's page) beats 10% of litellm's input
    assert (published.source, published.price, published.rule) == ("openai", D("0.5"), None)
    inferred = _one(con, "gpt-x", "cache_read", want_source="litellm", want_vendor="openai", **infer)
    assert (inferred.price, inferred.rule, inferred.price_key, inferred.row_price) == (
        D("0.2"), "10%", "input", D(2)
    )  # fmt: skip


def test_a_pin_restricts_the_offers(con):
    pin = {"pin_source": "litellm", "pin_key": "azure/gpt-x"}
    assert _one(con, "gpt-x", "input", **pin, pin_scope="key").price == D("2.2")
    assert _one(con, "gpt-x", "cache_read", **pin, pin_scope="key").price == D("0.55")
    assert _one(con, "gpt-x", "cache_read", pin_source="litellm", pin_key="gpt-x", pin_scope="key") is None
    # scope 'source': other keys of the pinned source, pinned one first; 'any': every source
    assert _one(con, "gpt-x", "cache_read", pin_source="litellm", pin_key="gpt-x", pin_scope="source").price == D(
        "0.55"
    )
    assert _one(con, "gpt-x", "input", **pin, pin_scope="any").price == D("2.2")
    assert _one(con, "gpt-x", "input", pin_scope="key") is None  # nothing pinned, nothing may answer


def test_many_asks_at_many_instants_in_one_call(con):
    asks = [
        _ask("gpt-x", key, ask_id=i, as_of=at)
        for i, (key, at) in enumerate(
            [("input", datetime(2025, 3, 2, tzinfo=UTC)), ("output", datetime(2025, 3, 2, tzinfo=UTC)),
             ("input", datetime(2025, 1, 1, tzinfo=UTC))]
        )
    ]  # fmt: skip
    found = resolve(con, asks_table(asks))
    assert {i: r.price for i, r in found.items()} == {0: D(2), 1: D(8)}
    assert found[1].valid_from == MARCH and found[1].valid_to is None and found[1].run_id.startswith("litellm")


def test_compare_offers_come_from_the_resolver(con):
    from aiprices.calculators.offers import offers_on

    offers = {(o.vendor, o.model): o for o in offers_on(con, date(2025, 3, 2))}
    assert (offers[("openai", "gpt-x")].source, offers[("openai", "gpt-x")].input_price) == ("litellm", D(2))
    assert offers[("azure", "gpt-x")].output_price == D("8.8")
    assert ("google", "gem") not in offers  # input only: nothing to compare


def test_a_reader_of_an_older_warehouse_migrates_it_first(db_path, monkeypatch):
    from aiprices.warehouse import migrations

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
    connect(db_path).close()  # written by a version without the resolver's migration
    monkeypatch.undo()
    reader = connect(db_path, read_only=True)
    assert reader.execute("SELECT count(*) FROM prices_at(now())").fetchone() == (0,)
    assert not migrations.outdated(reader)
    reader.close()
