"""AWS Price List offers for Bedrock: the trimmed us-east-1 capture and a small offer we write ourselves."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, bedrock
from aiprices.warehouse.contract import PRICE_KEYS


@pytest.fixture(scope="module")
def parsed():
    from helpers.shared import shared_path

    path = shared_path("vendor-pages", "bedrock", "2026-10-04.price-list-subset.json")
    return bedrock.extract(path.read_bytes(), "https://pricing.us-east-1.amazonaws.com/", "price-list-subset.json")


def one(ex, model, key, tier="standard", region="us-east-1", variant=""):
    found = [
        i
        for i in ex.items
        if (i["source_model_key"], i["price_key"], i["service_tier"], i["region"], i["variant"])
        == (model, key, tier, region, variant)
    ]
    assert len(found) == 1, (model, key, tier, region, variant)
    return found[0]


def test_capture_count_and_vocabulary(parsed):
    assert len(parsed.items) == 74  # 32 AmazonBedrock SKUs + 42 Marketplace SKUs, one price each
    assert parsed.unmapped_columns == []
    for item in parsed.items:
        assert isinstance(item["price"], Decimal) and item["price"] >= 0
        assert item["price_key"] in PRICE_KEYS
        assert item["unit"] in ("per_1k_tokens", "per_1m_tokens")


def test_gpt_oss_per_1k_prices(parsed):
    inp = one(parsed, "gpt-oss-120b", "input")
    assert (inp["unit"], inp["price"]) == ("per_1k_tokens", Decimal("0.00015"))
    assert one(parsed, "gpt-oss-120b", "output")["price"] == Decimal("0.0006")
    assert one(parsed, "gpt-oss-120b", "input", tier="batch")["price"] == Decimal("0.000075")
    assert one(parsed, "gpt-oss-20b", "output", tier="priority", variant="mantle")["price"] == Decimal("0.000525")
    assert one(parsed, "gpt-oss-20b", "input", tier="flex")["price"] == Decimal("0.000035")


def test_claude_marketplace_per_1m_prices(parsed):
    sonnet = one(parsed, "Claude Sonnet 4.6", "input", region="global")
    assert (sonnet["unit"], sonnet["price"]) == ("per_1m_tokens", Decimal("3"))
    assert one(parsed, "Claude Sonnet 4.6", "output")["price"] == Decimal("16.5")  # Regional CRIS +10%
    assert one(parsed, "Claude Opus 4.6", "cache_write_1h", region="global")["price"] == Decimal("10")
    assert one(parsed, "Claude Haiku 4.5", "cache_read", region="global")["price"] == Decimal("0.1")
    assert one(parsed, "Claude Opus 4.6", "output", tier="batch", region="global")["price"] == Decimal("12.5")


def _offer(products: dict, prices: dict) -> dict:
    terms = {
        sku: {f"{sku}.T": {"priceDimensions": {f"{sku}.T.D": {"unit": unit, "pricePerUnit": {"USD": usd}}}}}
        for sku, (unit, usd) in prices.items()
    }
    return {
        "formatVersion": "v1.0",
        "offerCode": "AmazonBedrock",
        "products": products,
        "terms": {"OnDemand": terms},
    }


def test_single_offer_file_written_by_us():
    products = {
        "A": {
            "attributes": {
                "model": "nova-x",
                "inferenceType": "Input tokens",
                "regionCode": "eu-west-1",
                "usagetype": "EU-nova-x-input-tokens",
            }
        },
        "B": {
            "attributes": {
                "model": "nova-x",
                "inferenceType": "Output tokens batch",
                "regionCode": "eu-west-1",
                "usagetype": "EU-nova-x-output-tokens-batch",
            }
        },
        "C": {
            "attributes": {
                "model": "nova-x",
                "inferenceType": "Video seconds",
                "regionCode": "eu-west-1",
                "usagetype": "EU-nova-x-video",
            }
        },
    }
    body = json.dumps(
        _offer(products, {"A": ("1K tokens", "0.0008"), "B": ("1M tokens", "1.6"), "C": ("Second", "0.08")})
    )
    ex = bedrock.extract(body.encode(), "u")
    got = {(i["price_key"], i["service_tier"], i["unit"], i["price"], i["region"]) for i in ex.items}
    assert got == {
        ("input", "standard", "per_1k_tokens", Decimal("0.0008"), "eu-west-1"),
        ("output", "batch", "per_1m_tokens", Decimal("1.6"), "eu-west-1"),
    }
    assert ex.unmapped_columns == ["AmazonBedrock:EU-nova-x-video [Second]"]


def test_layout_changed_on_bogus_bodies():
    with pytest.raises(LayoutChanged):
        bedrock.extract(b"[]", "u")
    with pytest.raises(LayoutChanged):
        bedrock.extract(json.dumps({"products": {}, "terms": {"OnDemand": {}}}).encode(), "u")
    with pytest.raises(LayoutChanged):
        bedrock.extract(b"<html>", "u")
