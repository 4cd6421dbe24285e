"""Azure Retail Prices API captures: abbreviated meter names, 1K vs 1M units, envelope and bare Items."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, azure
from aiprices.warehouse.contract import PRICE_KEYS, UNITS

EXPECTED_COUNTS = {
    "2025-03-18.retail-items.json": 6,
    "2026-08-22.retail-items.json": 32,
    "2026-10-04.retail-page.json": 76,
}
TOKEN_UNITS = {"per_token", "per_1k_tokens", "per_1m_tokens"}


@pytest.fixture(scope="module")
def parsed():
    from helpers.shared import shared_path

    folder = shared_path("vendor-pages", "azure")
    return {
        f.name: azure.extract(f.read_bytes(), "https://prices.azure.com/api/retail/prices", "")
        for f in sorted(folder.glob("*.json"))
    }


def one(ex, field_name):
    found = [i for i in ex.items if i["source_field"] == f"retailPrice[{field_name}]"]
    assert len(found) == 1, field_name
    return found[0]


def test_every_capture_parsed_with_pinned_count(parsed):
    assert set(parsed) == set(EXPECTED_COUNTS)
    for name, ex in parsed.items():
        assert len(ex.items) == EXPECTED_COUNTS[name], name
        assert ex.unmapped_columns == []
        assert ex.next_url is None
        for item in ex.items:
            assert isinstance(item["price"], Decimal) and item["price"] >= 0
            assert item["price_key"] in PRICE_KEYS
            assert item["unit"] in UNITS or item["unit"] in TOKEN_UNITS


def test_2025_per_1k_meters(parsed):
    ex = parsed["2025-03-18.retail-items.json"]
    gpt4 = one(ex, "gpt-4-8K-Inp-glbl Tokens")
    assert (gpt4["source_model_key"], gpt4["price_key"], gpt4["unit"], gpt4["price"], gpt4["region"]) == (
        "gpt-4-8K",
        "input",
        "per_1k_tokens",
        Decimal("0.03"),
        "",
    )
    o1 = one(ex, "o1 1217 Outp Data Zone Tokens")
    assert (o1["price_key"], o1["region"], o1["price"]) == ("output", "datazone", Decimal("0.066"))
    batch = one(ex, "gpt-4-8K-Batch-Outp-glbl Tokens")
    assert (batch["service_tier"], batch["price_key"], batch["price"]) == ("batch", "output", Decimal("0.03"))


def test_2026_08_mixed_units(parsed):
    ex = parsed["2026-08-22.retail-items.json"]
    dz = one(ex, "5.4 opt Dz 1M Tokens")
    assert (dz["source_model_key"], dz["unit"], dz["price"], dz["region"]) == (
        "5.4",
        "per_1m_tokens",
        Decimal("16.5"),
        "datazone",
    )
    short = one(ex, "5.5 ShortCo Batch inp Gl 1M Tokens")
    assert (short["service_tier"], short["context_min_tokens"], short["price"]) == (
        "batch",
        0,
        Decimal("2.5"),
    )
    cache_pp = one(ex, "5 pp cd inp Gl 1M Tokens")
    assert (cache_pp["price_key"], cache_pp["service_tier"], cache_pp["price"]) == (
        "cache_read",
        "priority",
        Decimal("0.25"),
    )
    regional = one(ex, "gpt 4.1 Inp regnl Tokens")
    assert (regional["region"], regional["unit"], regional["price"]) == (
        "eastus",
        "per_1k_tokens",
        Decimal("0.0022"),
    )
    hour = one(ex, "gpt-live-transcribe Gl Unit")
    assert (hour["unit"], hour["price_key"], hour["price"]) == ("per_hour", "input_audio", Decimal("1.02"))


def test_2026_10_envelope_page(parsed):
    ex = parsed["2026-10-04.retail-page.json"]
    assert one(ex, "5.4 inp Gl 1M Tokens")["price"] == Decimal("2.5")
    assert one(ex, "5.4 pro opt Gl 1M Tokens")["price"] == Decimal("180")
    assert one(ex, "5.4 inp Dz 1M Tokens")["price"] == Decimal("2.75")
    long_out = one(ex, "5.4 pro longco opt Gl 1M Tokens")
    assert (long_out["context_min_tokens"], long_out["price"]) == (272000, Decimal("270"))
    cached_batch = one(ex, "5.4 nano Batch cd Inp Gl 1M Tokens")
    assert (cached_batch["price_key"], cached_batch["service_tier"], cached_batch["price"]) == (
        "cache_read",
        "batch",
        Decimal("0.01"),
    )


def test_parse_meter_right_to_left():
    m = azure.parse_meter("5.6 terra ShortCo Cd Wr PP Gl 1M Tokens")
    assert (m.model, m.cache, m.write, m.tier, m.region, m.context) == (
        "5.6 terra",
        True,
        True,
        "priority",
        "",
        "short",
    )
    m = azure.parse_meter("gpt img 1.5 out img DZ 1M Tokens")
    assert (m.model, m.key, m.modality, m.region) == ("gpt img 1.5", "output", "image", "datazone")


def test_envelope_next_link_and_filter():
    rec = {
        "serviceName": "Foundry Models",
        "productName": "Azure OpenAI",
        "meterName": "gpt 9 Inp glbl Tokens",
        "unitOfMeasure": "1K",
        "retailPrice": 0.001,
        "type": "Consumption",
        "tierMinimumUnits": 0,
        "currencyCode": "USD",
        "armRegionName": "eastus",
    }
    other = dict(rec, serviceName="Virtual Machines", productName="D2 v3")
    body = json.dumps({"Items": [rec, other], "NextPageLink": "https://prices.azure.com/api/retail/prices?$skip=100"})
    ex = azure.extract(body.encode(), "u")
    assert ex.next_url == "https://prices.azure.com/api/retail/prices?$skip=100"
    assert [(i["source_model_key"], i["price"]) for i in ex.items] == [("gpt 9", Decimal("0.001"))]


def test_unknown_meter_is_reported_not_guessed():
    rec = {
        "serviceName": "Foundry Models",
        "productName": "Azure OpenAI",
        "meterName": "mystery widget Unit",
        "unitOfMeasure": "10 Days",
        "retailPrice": 3,
        "type": "Consumption",
        "tierMinimumUnits": 0,
    }
    ok = dict(rec, meterName="gpt 9 opt Gl 1M Tokens", unitOfMeasure="1M")
    ex = azure.extract(json.dumps([rec, ok]).encode(), "u")
    assert ex.unmapped_columns == ["mystery widget Unit [10 Days]"]
    assert len(ex.items) == 1


def test_layout_changed_on_bogus_bodies():
    with pytest.raises(LayoutChanged):
        azure.extract(b"not json", "u")
    with pytest.raises(LayoutChanged):
        azure.extract(json.dumps({"Items": [{"serviceName": "Storage"}]}).encode(), "u")
