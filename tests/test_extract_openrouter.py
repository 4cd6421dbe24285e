"""OpenRouter /api/v1/models captures: per-token strings, long-context overrides, -1 = not priced."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, openrouter
from aiprices.warehouse.contract import PRICE_KEYS, UNITS

EXPECTED_COUNTS = {"2026-07-17.json": 1264, "2026-08-02.json": 1281, "2026-08-22.json": 1693}
TOKEN_UNITS = {"per_token", "per_1k_tokens", "per_1m_tokens"}


@pytest.fixture(scope="module")
def parsed(request):
    from helpers.shared import shared_path

    folder = shared_path("vendor-pages", "openrouter")
    return {
        f.name: openrouter.extract(f.read_bytes(), "https://openrouter.ai/api/v1/models", "json")
        for f in sorted(folder.glob("*.json"))
    }


def price(ex, model, key, ctx=0):
    found = [
        i["price"] for i in ex.items if i["model"] == model and i["price_key"] == key and i["context_min_tokens"] == ctx
    ]
    assert len(found) == 1, (model, key, ctx, found)
    return found[0]


def test_every_capture_parsed_with_pinned_count(parsed):
    assert set(parsed) == set(EXPECTED_COUNTS)
    for name, ex in parsed.items():
        assert len(ex.items) == EXPECTED_COUNTS[name], name
        assert ex.unmapped_columns == []
        for item in ex.items:
            assert isinstance(item["price"], Decimal) and item["price"] >= 0
            assert item["price_key"] in PRICE_KEYS
            assert item["unit"] in UNITS or item["unit"] in TOKEN_UNITS
            assert item["vendor"] == "openrouter"


def test_2026_07_17_prices(parsed):
    ex = parsed["2026-07-17.json"]
    assert price(ex, "deepseek/deepseek-chat", "input") == Decimal("0.0000002002")
    assert price(ex, "openai/gpt-4o", "output") == Decimal("0.00001")
    assert price(ex, "openai/gpt-4o", "cache_read") == Decimal("0.00000125")
    # Long-context override (> 200K prompt tokens) and the 1-hour cache write.
    assert price(ex, "anthropic/claude-sonnet-4.5", "input", 200000) == Decimal("0.000006")
    assert price(ex, "anthropic/claude-sonnet-4.5", "cache_write_1h") == Decimal("0.000006")
    # web_search is USD per call: published as per 1K queries.
    search = [i for i in ex.items if i["model"] == "anthropic/claude-sonnet-4.5" and i["price_key"] == "search"]
    assert search[0]["unit"] == "per_1k_queries" and search[0]["price"] == Decimal("10")


def test_2026_08_02_deepseek_chat_changed(parsed):
    ex = parsed["2026-08-02.json"]
    assert price(ex, "deepseek/deepseek-chat", "input") == Decimal("0.0000002574")
    assert price(ex, "deepseek/deepseek-chat", "output") == Decimal("0.0000010287")
    assert price(ex, "openai/gpt-4o", "input") == Decimal("0.0000025")


def test_2026_08_22_prices(parsed):
    ex = parsed["2026-08-22.json"]
    assert price(ex, "openai/gpt-5.6-sol", "input") == Decimal("0.000002")
    assert price(ex, "openai/gpt-5.6-sol", "output", 272000) == Decimal("0.000015")
    assert price(ex, "openai/gpt-5.6-sol", "cache_read") == Decimal("0.0000002")
    assert price(ex, "deepseek/deepseek-v4-flash-0731", "input") == Decimal("0.00000008")


def test_router_minus_one_is_not_priced(parsed):
    ex = parsed["2026-08-22.json"]
    assert not [i for i in ex.items if i["model"] == "openrouter/auto"]


def test_layout_changed_on_bogus_bodies():
    with pytest.raises(LayoutChanged):
        openrouter.extract(b"<html>hello</html>", "u")
    with pytest.raises(LayoutChanged):
        openrouter.extract(json.dumps({"models": []}).encode(), "u")
    with pytest.raises(LayoutChanged):
        openrouter.extract(json.dumps({"data": [{"id": "x/y", "pricing": {"prompt": "-1"}}]}).encode(), "u")


def test_unknown_pricing_field_is_reported():
    body = json.dumps({"data": [{"id": "a/b", "pricing": {"prompt": "0.000001", "teleport": "0.5"}}]}).encode()
    ex = openrouter.extract(body, "u")
    assert ex.unmapped_columns == ["pricing.teleport"]
    assert [i["price"] for i in ex.items] == [Decimal("0.000001")]
