"""DeepSeek pricing page: transposed Docusaurus table, promo prices, the CNY zh page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, deepseek
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def en():
    return run(deepseek, shared_path("vendor-pages"), "deepseek", "2026-05-08.html")


@pytest.fixture(scope="module")
def zh():
    return run(deepseek, shared_path("vendor-pages"), "deepseek", "2026-07-17.zh.html")


def test_en_2026_05_08(en):
    assert_well_formed(en)
    assert en.unmapped_columns == []
    assert len(en.items) == 9  # 3 flash + 3 pro list + 3 pro promo
    assert price_of(en, "deepseek-v4-flash", "cache_read") == Decimal("0.0028")
    assert price_of(en, "deepseek-v4-flash", "input") == Decimal("0.14")
    assert price_of(en, "deepseek-v4-flash", "output") == Decimal("0.28")
    # list price is the struck-through one; the 75%-off price is the promo variant
    assert price_of(en, "deepseek-v4-pro", "input") == Decimal("1.74")
    assert price_of(en, "deepseek-v4-pro", "input", variant="promo") == Decimal("0.435")
    assert price_of(en, "deepseek-v4-pro", "cache_read", variant="promo") == Decimal("0.003625")
    assert price_of(en, "deepseek-v4-pro", "output") == Decimal("3.48")
    assert {it["currency"] for it in en.items} == {"USD"}
    assert {it["model"] for it in en.items} == {"deepseek-v4-flash", "deepseek-v4-pro"}


def test_zh_2026_07_17_is_cny(zh):
    assert_well_formed(zh)
    assert zh.unmapped_columns == []
    assert len(zh.items) == 6
    assert {it["currency"] for it in zh.items} == {"CNY"}
    assert price_of(zh, "deepseek-v4-flash", "cache_read", currency="CNY") == Decimal("0.02")
    assert price_of(zh, "deepseek-v4-flash", "input") == Decimal("1")
    assert price_of(zh, "deepseek-v4-pro", "input") == Decimal("3")
    assert price_of(zh, "deepseek-v4-pro", "output") == Decimal("6")


def test_page_without_price_table_is_layout_changed():
    body = b"<html><body><h1>Pricing</h1><table><tr><td>MODEL</td><td>x</td></tr></table></body></html>"
    with pytest.raises(LayoutChanged):
        deepseek.extract(body, "https://api-docs.deepseek.com/quick_start/pricing")


def test_unknown_price_row_is_reported():
    body = (
        b"<table><tr><td colspan=2>MODEL</td><td>m1</td></tr>"
        b"<tr><td rowspan=2>PRICING</td><td>1M OUTPUT TOKENS</td><td>$2</td></tr>"
        b"<tr><td>1M SEARCH CALLS</td><td>$9</td></tr></table>"
    )
    ex = deepseek.extract(body, "u")
    assert [(it["price_key"], it["price"]) for it in ex.items] == [("output", Decimal("2"))]
    assert ex.unmapped_columns == ["1M SEARCH CALLS"]
