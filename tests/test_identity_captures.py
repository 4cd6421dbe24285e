"""Currency and page-stated dates in a price's identity, on the real captures replayed end to end (Scrapy engine,
pipelines, staged runs, the one loader): DeepSeek's English (USD) and Chinese (CNY) pages, Anthropic's
introductory Sonnet 5 price and Vertex's scheduled Gemini 3.8 Flash price."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from click.testing import CliRunner
from helpers.built_once import build_once
from helpers.shared import shared_path

from aiprices.commands.crawl import crawl

CAPTURES = {
    "deepseek": ("2026-05-08.html", "2026-07-17.zh.html"),
    "anthropic": ("2026-07-24.docs.md",),
    "vertex": ("2026-10-04.excerpt.html",),
}


def _replay(root: Path) -> None:
    for source, names in CAPTURES.items():
        (root / "pages" / source).mkdir(parents=True)
        for name in names:
            (root / "pages" / source / name).symlink_to(shared_path("vendor-pages", source, name))
    out = CliRunner().invoke(crawl, [*CAPTURES, "--from-archive", str(root / "pages"), "--db", str(root / "w.duckdb")])
    assert out.exit_code == 0, out.output


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """One warehouse with every capture above replayed oldest first (links to the shared captures), built once
    per session and only read."""
    db = build_once(tmp_path_factory, "identity-captures", _replay) / "w.duckdb"
    connection = connect(db, read_only=True)
    yield connection
    connection.close()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def intervals(con, source: str, key: str, price_key: str, **where) -> list[tuple]:
    """(price, valid_from, valid_to) of one price, oldest first (standard tier, global, no variant, USD)."""
    filters = {"service_tier": "standard", "region": "", "variant": "", "currency": "USD", **where}
    sql = " AND ".join(f"{k} = ?" for k in filters)
    return con.execute(
        f"SELECT price, valid_from, valid_to FROM price_history WHERE source = ? AND source_model_key = ? "
        f"AND price_key = ? AND context_min_tokens = 0 AND {sql} ORDER BY valid_from",
        [source, key, price_key, *filters.values()],
    ).fetchall()


def test_deepseek_usd_and_cny_are_two_offers(con):
    on = con.execute(
        "SELECT currency, price FROM prices_on('2026-07-18') WHERE source_model_key = 'deepseek-v4-flash' "
        "AND price_key = 'input' ORDER BY currency"
    ).fetchall()
    assert on == [("CNY", Decimal("1")), ("USD", Decimal("0.14"))]
    # The Chinese page does not retire the English page's prices: they stay open.
    assert intervals(con, "deepseek", "deepseek-v4-pro", "input") == [(Decimal("1.74"), utc(2026, 5, 8), None)]


def test_a_language_switch_is_no_change(con):
    kinds = con.execute(
        "SELECT currency, kind, count(*) FROM price_changes WHERE source = 'deepseek' "
        "AND changed_on >= '2026-07-17' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert kinds == [("CNY", "added", 6)]  # no 'changed' row, no USD price removed
    (changed,) = con.execute(
        "SELECT count(*) FROM price_changes WHERE source = 'deepseek' AND kind = 'changed'"
    ).fetchone()
    assert changed == 0


def test_deepseek_promotion_ends_on_its_stated_end_without_a_crawl(con):
    promo = intervals(con, "deepseek", "deepseek-v4-pro", "input", variant="promo")
    assert promo == [(Decimal("0.435"), utc(2026, 5, 8), utc(2026, 5, 31, 15, 59))]
    removed = con.execute(
        "SELECT changed_at, old_price FROM price_changes WHERE source = 'deepseek' AND variant = 'promo' "
        "AND price_key = 'input' AND kind = 'removed'"
    ).fetchall()
    assert removed == [(utc(2026, 5, 31, 15, 59), Decimal("0.435"))]
    (n,) = con.execute(
        "SELECT count(*) FROM prices_on('2026-06-01') WHERE source = 'deepseek' AND variant = 'promo'"
    ).fetchone()
    assert n == 0


def test_anthropic_introductory_price_ends_august_31_and_standard_starts_september_1(con):
    for key, promo, standard in (("input", "2", "3"), ("output", "10", "15")):
        assert intervals(con, "anthropic", "Claude Sonnet 5", key) == [
            (Decimal(promo), utc(2026, 7, 24), utc(2026, 9, 1)),
            (Decimal(standard), utc(2026, 9, 1), None),
        ]
    on = dict(
        con.execute(
            "SELECT CAST(d AS VARCHAR), (SELECT price FROM prices_on(d) WHERE source_model_key = 'Claude Sonnet 5' "
            "AND price_key = 'input' AND service_tier = 'standard' AND context_min_tokens = 0) "
            "FROM (VALUES (DATE '2026-08-31'), (DATE '2026-09-01')) AS t(d)"
        ).fetchall()
    )
    assert on == {"2026-08-31": Decimal("2"), "2026-09-01": Decimal("3")}
    changes = con.execute(
        "SELECT changed_at, kind, old_price, new_price FROM price_changes WHERE source_model_key = 'Claude Sonnet 5' "
        "AND price_key = 'input' AND service_tier = 'standard' AND context_min_tokens = 0 ORDER BY changed_at"
    ).fetchall()
    assert changes == [
        (utc(2026, 7, 24), "added", None, Decimal("2")),
        (utc(2026, 9, 1), "changed", Decimal("2"), Decimal("3")),  # dated when it takes effect
    ]


def test_vertex_2027_price_is_scheduled_not_current(con):
    assert intervals(con, "vertex", "Gemini 3.8 Flash", "input") == [
        (Decimal("0.75"), utc(2026, 10, 4), utc(2027, 1, 1)),
        (Decimal("1.50"), utc(2027, 1, 1), None),
    ]
    assert intervals(con, "vertex", "Gemini 3.8 Flash", "output") == [
        (Decimal("3.75"), utc(2026, 10, 4), utc(2027, 1, 1)),
        (Decimal("7.50"), utc(2027, 1, 1), None),
    ]
    query = (
        "SELECT price FROM {} WHERE source_model_key = 'Gemini 3.8 Flash' AND price_key = 'input' "
        "AND service_tier = 'standard' AND region = '' AND context_min_tokens = 0"
    )
    now = con.execute("SELECT now()").fetchone()[0]
    if now < utc(2027, 1, 1):  # the machine's clock decides what is current
        assert con.execute(query.format("prices_current")).fetchall() == [(Decimal("0.75"),)]
    assert con.execute(query.format("prices_on('2026-12-31')")).fetchall() == [(Decimal("0.75"),)]
    assert con.execute(query.format("prices_on('2027-01-01')")).fetchall() == [(Decimal("1.50"),)]
