"""The loader with currency, stated dates and time windows in a price's identity (our own small rows): a
re-dated promotion, a withdrawn schedule, a language switch, off-peak prices through `price` and `calc`, and
the migration of a file written before them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.calculators.errors import CalcError
from aiprices.crawler.extract import deepseek
from aiprices.pipeline.rows import stage_rows
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_id, price_row
from aiprices.warehouse.load import TABLE_COLUMNS, load_run
from aiprices.warehouse.migrations import MIGRATIONS
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner
from helpers.old_warehouse import migrated

from aiprices.commands.calc import calc
from aiprices.commands.query import price as price_cmd

D = Decimal


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def con(migrated_db):
    con = connect(migrated_db)
    yield con
    con.close()


def row(price: str, *, starts=None, ends=None, currency="USD", key="input", model="m", window="") -> dict:
    return price_row(source="acme", vendor="acme", model=model, price_key=key, unit="usd_per_1m_tokens",
                     price=D(price), currency=currency, time_window=window, effective_from=starts,
                     effective_to=ends)  # fmt: skip


def load(con, at: datetime, rows: list[dict]):
    run = RunRecord(f"r-{at:%Y%m%d}", "acme", "crawl", at, at, at)
    return load_run(con, StagedRun(run, rows))


def history(con, model: str = "m") -> list[tuple]:
    return con.execute(
        "SELECT price, valid_from, valid_to, retired_run_id FROM price_history WHERE model = ? "
        "ORDER BY valid_from, valid_to NULLS LAST",
        [model],
    ).fetchall()


def changes(con, model: str = "m") -> list[tuple]:
    return con.execute(
        "SELECT changed_at, kind, old_price, new_price FROM price_changes WHERE model = ? ORDER BY changed_at",
        [model],
    ).fetchall()


def test_an_extended_promotion_moves_its_end_and_redates_the_change(con):
    load(con, utc(2026, 7, 1), [row("2", ends=utc(2026, 9, 1)), row("3", starts=utc(2026, 9, 1))])
    assert changes(con) == [(utc(2026, 7, 1), "added", None, D(2)), (utc(2026, 9, 1), "changed", D(2), D(3))]
    res = load(con, utc(2026, 8, 1), [row("2", ends=utc(2026, 11, 1)), row("3", starts=utc(2026, 11, 1))])
    assert (res.added, res.changed, res.removed) == (0, 0, 0)
    assert history(con) == [
        (D(2), utc(2026, 7, 1), utc(2026, 11, 1), None),  # the end moved in place
        (D(3), utc(2026, 9, 1), utc(2026, 9, 1), "r-20260801"),  # withdrawn before it began: never in effect
        (D(3), utc(2026, 11, 1), None, None),
    ]
    assert changes(con) == [(utc(2026, 7, 1), "added", None, D(2)), (utc(2026, 11, 1), "changed", D(2), D(3))]
    (on,) = con.execute("SELECT price FROM prices_on('2026-09-15') WHERE model = 'm'").fetchone()
    assert on == D(2)


def test_a_promotion_without_successor_extended_moves_its_removal(con):
    load(con, utc(2026, 7, 1), [row("2", ends=utc(2026, 9, 1))])
    assert changes(con)[-1] == (utc(2026, 9, 1), "removed", D(2), None)
    load(con, utc(2026, 8, 1), [row("2", ends=utc(2026, 10, 1))])
    assert history(con) == [(D(2), utc(2026, 7, 1), utc(2026, 10, 1), None)]
    assert changes(con) == [(utc(2026, 7, 1), "added", None, D(2)), (utc(2026, 10, 1), "removed", D(2), None)]


def test_a_started_price_read_again_without_dates_is_no_change(con):
    load(con, utc(2026, 7, 1), [row("2", ends=utc(2026, 9, 1)), row("3", starts=utc(2026, 9, 1))])
    res = load(con, utc(2026, 10, 1), [row("3")])  # the page no longer mentions the promotion
    assert (res.added, res.changed, res.removed) == (0, 0, 0)
    assert [h[:3] for h in history(con)] == [(D(2), utc(2026, 7, 1), utc(2026, 9, 1)), (D(3), utc(2026, 9, 1), None)]
    later = load(con, utc(2026, 10, 2), [row("4")])  # and an undated change after that is an ordinary one
    assert (later.changed, changes(con)[-1]) == (1, (utc(2026, 10, 2), "changed", D(3), D(4)))


def test_an_expired_row_is_no_offer_and_a_dropped_schedule_is_withdrawn(con):
    load(con, utc(2026, 7, 1), [row("2"), row("3", starts=utc(2026, 9, 1), model="n")])
    load(con, utc(2026, 8, 1), [row("2"), row("9", ends=utc(2026, 7, 15), model="old")])
    assert history(con, "old") == []  # the page still shows a promotion that ended before the run
    assert history(con, "n") == [(D(3), utc(2026, 9, 1), utc(2026, 9, 1), "r-20260801")]
    assert changes(con, "n") == []  # its "added" dated September 1 is gone with it: it never happened


def test_currency_is_identity_and_a_run_retires_only_its_currencies(con):
    load(con, utc(2026, 5, 8), [row("0.14")])
    zh = load(con, utc(2026, 7, 17), [row("1", currency="CNY")])
    assert (zh.added, zh.changed, zh.removed) == (1, 0, 0)
    current = con.execute("SELECT currency, price FROM prices_current WHERE model = 'm' ORDER BY 1").fetchall()
    assert current == [("CNY", D(1)), ("USD", D("0.14"))]
    en = load(con, utc(2026, 8, 1), [row("0.15", key="output")])  # a USD page without the USD input price
    assert en.removed == 1  # USD input retired by a USD run; CNY untouched
    assert con.execute("SELECT currency FROM prices_current WHERE model = 'm' AND price_key = 'input'").fetchall() == [
        ("CNY",)
    ]


def test_price_ids_of_usd_all_day_prices_are_those_of_before(con):
    usd = row("1")
    legacy = "\x1f".join(str(usd[c]) for c in ("source", "vendor", "model", "source_model_key", "price_key", "unit",
                                                "service_tier", "context_min_tokens", "region", "variant"))  # fmt: skip
    import hashlib

    assert price_id(usd) == hashlib.md5(legacy.encode()).hexdigest()
    assert len({price_id(usd), price_id(row("1", currency="CNY")), price_id(row("1", window="16:30-00:30"))}) == 3


# DeepSeek's table as it looked with off-peak prices (our own fixture, in the page's shape).
OFF_PEAK_PAGE = b"""<table>
<tr><td colspan="2">MODEL</td><td>deepseek-chat</td></tr>
<tr><td rowspan="2">STANDARD PRICE (UTC 00:30-16:30)</td><td>1M INPUT TOKENS (CACHE MISS)</td><td>$0.27</td></tr>
<tr><td>1M OUTPUT TOKENS</td><td>$1.10</td></tr>
<tr><td rowspan="2">DISCOUNT PRICE (UTC 16:30-00:30)</td><td>1M INPUT TOKENS (CACHE MISS)</td><td>$0.135</td></tr>
<tr><td>1M OUTPUT TOKENS</td><td>$0.55</td></tr>
</table>"""


@pytest.fixture
def off_peak_db(migrated_db):
    """The fixture page extracted and staged by the pipeline's own row rules, loaded as one crawl."""
    url = "https://api-docs.deepseek.com/quick_start/pricing"
    items = deepseek.extract(OFF_PEAK_PAGE, url).items
    rows = stage_rows(enumerate(items), source="deepseek", source_url=url, rejected=[])
    con = connect(migrated_db)
    at = utc(2026, 3, 1)
    load_run(con, StagedRun(RunRecord("r1", "deepseek", "crawl", at, at, at), rows))
    con.close()
    return str(migrated_db)


def test_off_peak_prices_are_their_own_offers(off_peak_db):
    con = connect(off_peak_db, read_only=True)
    got = con.execute(
        "SELECT price_key, time_window, price FROM prices_current WHERE model = 'deepseek-chat' ORDER BY 1, 2"
    ).fetchall()
    con.close()
    assert got == [
        ("input", "", D("0.27")),
        ("input", "16:30-00:30", D("0.135")),
        ("output", "", D("1.10")),
        ("output", "16:30-00:30", D("0.55")),
    ]


def test_price_shows_the_hours_of_a_time_of_day_price(off_peak_db):
    out = CliRunner().invoke(price_cmd, ["deepseek-chat", "--on", "2026-03-02", "--db", off_peak_db])
    assert out.exit_code == 0, out.output
    assert "hours" in out.output and "16:30-00:30 UTC" in out.output
    rows = json.loads(
        CliRunner()
        .invoke(price_cmd, ["deepseek-chat", "--on", "2026-03-02", "--db", off_peak_db, "--format", "json"])
        .output
    )
    assert sorted(r["time_window"] for r in rows) == ["", "", "16:30-00:30", "16:30-00:30"]


def test_calc_prices_the_off_peak_share_at_the_off_peak_price(off_peak_db):
    common = ["--model", "deepseek-chat", "--on", "2026-03-02", "--db", off_peak_db, "--json"]
    tokens = ["--input-tokens", "1000000", "--output-tokens", "1000000"]
    res = CliRunner().invoke(calc, ["token", *tokens, "--off-peak-share", "0.4", *common])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    # 0.6 x (0.27 + 1.10) + 0.4 x (0.135 + 0.55)
    assert D(data["per_call"]) == D("1.096")
    assert "off-peak input" in [p["label"] for p in data["parts"]]


def test_an_off_peak_share_without_an_off_peak_price_pays_all_day_and_says_so():
    res = CliRunner().invoke(
        calc,
        ["token", "-p", "input=$2 per 1M tokens", "--input-tokens", "1000000", "--off-peak-share", "0.5", "--json"],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert D(data["per_call"]) == D(2)
    assert "off-peak input = all-day price (none published)" in data["inferred"]


def test_off_peak_share_out_of_range_is_one_line():
    args = ["token", "-p", "input=$2 per 1M tokens", "--input-tokens", "1", "--off-peak-share", "2"]
    res = CliRunner().invoke(calc, args)
    assert res.exit_code != 0 and isinstance(res.exception, CalcError)
    assert str(res.exception) == "off_peak_share must be between 0 and 1 (2)"


def columns(con, table: str) -> tuple[str, ...]:
    return tuple(r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description)


def test_migration_011_upgrades_a_file_with_a_cny_price(db_path):
    old = migrated(db_path, range(11))
    for currency, pid in (("USD", "keep-me"), ("CNY", "old-id")):
        old.execute(
            "INSERT INTO price_intervals VALUES (?, 'deepseek', 'deepseek', 'm', 'm', 'input', "
            "'usd_per_1m_tokens', 'standard', 0, '', '', ?, 1, NULL, NULL, NULL, '2026-01-01', NULL, 'r1', NULL)",
            [pid, currency],
        )
    old.close()
    con = connect(db_path)
    got = con.execute(
        "SELECT currency, price_id, time_window, effective_from FROM price_intervals ORDER BY currency"
    ).fetchall()
    con.close()
    cny = price_row(source="deepseek", vendor="deepseek", model="m", price_key="input", unit="usd_per_1m_tokens",
                    price=D(1), currency="CNY")  # fmt: skip
    # A USD all-day price keeps the id it had; a CNY one gets its own, the id the loader computes.
    assert got == [("CNY", price_id(cny), "", None), ("USD", "keep-me", "", None)]


def test_a_held_run_written_before_011_gets_the_identity_columns(db_path):
    old = migrated(db_path, range(11))
    for name in ("time_window", "effective_from", "effective_to"):  # run_hold_prices as 007 first created it
        old.execute(f"ALTER TABLE run_hold_prices DROP COLUMN {name}")
    old.execute(
        "INSERT INTO run_hold_prices VALUES ('r1', 'retire', 'old-id', 'deepseek', 'deepseek', 'm', 'm', 'input', "
        "'usd_per_1m_tokens', 'standard', 0, '', '', 'CNY', 1, NULL, NULL, NULL)"
    )
    old.close()
    con = connect(db_path)
    got = con.execute("SELECT currency, time_window, effective_from, effective_to FROM run_hold_prices").fetchall()
    assert set(columns(con, "run_hold_prices")) == set(TABLE_COLUMNS["run_hold_prices"])
    con.close()
    assert got == [("CNY", "", None, None)]


def test_a_file_that_ran_011_before_the_held_runs_migrations_gets_both_sides_columns(db_path):
    # a file of a version that shipped 011 and 012 but not yet 007/008 (branches merged late): those run after them
    migrated(db_path, {v for v, _ in MIGRATIONS if v <= 12} - {7, 8}).close()
    con = connect(db_path)
    assert columns(con, "run_hold_prices") == TABLE_COLUMNS["run_hold_prices"]
    assert {"aggregator", "coverage"} <= set(columns(con, "crawl_runs"))
    assert {"time_window", "effective_to"} <= set(columns(con, "price_history"))
    assert "aggregator" in columns(con, "vendor_status")
    con.close()


def test_todays_price_ends_when_a_scheduled_one_starts(con):
    # The page lists today's price and one "starting March 10": one price is in effect at any instant.
    for day in (1, 2, 11):  # again the next day (nothing moves), then after the switch with the new price only
        load(con, utc(2026, 3, day), [row("1"), row("2", starts=utc(2026, 3, 10))] if day < 11 else [row("2")])
    assert [(p, f, t) for p, f, t, _ in history(con)] == [
        (D(1), utc(2026, 3, 1), utc(2026, 3, 10)),
        (D(2), utc(2026, 3, 10), None),
    ]
    on = "SELECT price FROM prices_on(?) WHERE model = 'm'"
    assert con.execute(on, ["2026-03-05"]).fetchall() == [(D(1),)]
    assert con.execute(on, ["2026-03-20"]).fetchall() == [(D(2),)]
    assert changes(con) == [(utc(2026, 3, 1), "added", None, D(1)), (utc(2026, 3, 10), "changed", D(1), D(2))]
