"""Azure Retail Prices API captures: abbreviated meter names, 1K vs 1M units, envelope and bare Items."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, azure
from aiprices.pipeline.aliases import canonical
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


def _meter(product: str, meter: str, unit: str = "1M") -> dict:
    return {"serviceName": "Foundry Models", "productName": product, "meterName": meter, "unitOfMeasure": unit,
            "retailPrice": 1, "type": "Consumption", "tierMinimumUnits": 0, "armRegionName": "eastus"}  # fmt: skip


def _named(product: str, meter: str) -> tuple:
    """(page name, model id the alias pipeline stores, price key) of one hand-written meter."""
    ex = azure.extract(json.dumps([_meter(product, meter)]).encode(), "u")
    assert ex.unmapped_columns == [] and len(ex.items) == 1, meter
    item = ex.items[0]
    return item["source_model_key"], canonical("azure", item["source_model_key"], item["model"])[0], item["price_key"]


@pytest.mark.parametrize(
    ("meter", "expected"),
    [
        ("gpt4omini-rt-aud1217 Inp glbl Tokens", ("gpt4omini-rt-1217", "gpt4omini-rt-1217", "input_audio")),
        ("gpt-4o-rt-aud-1217 Outp glbl Tokens", ("gpt-4o-rt-1217", "gpt-4o-rt-1217", "output_audio")),
        ("gpt-4o-rt-txt-1217 Outp glbl Tokens", ("gpt-4o-rt-1217", "gpt-4o-rt-1217", "output")),
        ("gpt rt aud 0828 cchd Inp glbl Tokens", ("gpt rt 0828", "gpt-rt-0828", "cache_read_audio")),
        ("gpt rt aud 0828 cd wr glbl Tokens", ("gpt rt 0828", "gpt-rt-0828", "cache_write_audio")),
        ("gpt rt txt 0828 cchd Inp glbl Tokens", ("gpt rt 0828", "gpt-rt-0828", "cache_read")),
        ("gpt-realtime-audio-mini Inp Gl 1M Tokens", ("gpt-realtime-mini", "gpt-realtime-mini", "input_audio")),
        ("gpt-4o-rt-aud Inp Gl 1M Tokens", ("gpt-4o-rt", "gpt-4o-rt", "input_audio")),
        ("gpt aud 1.5 txt opt Gl 1M Tokens", ("gpt aud 1.5", "gpt-aud-1.5", "output")),  # gpt-audio-1.5
        ("gpt rt 1.5 txt inp Dz 1M Tokens", ("gpt rt 1.5", "gpt-rt-1.5", "input")),
    ],
)
def test_a_realtime_meters_modality_is_its_price_keys(meter, expected):
    assert _named("Azure OpenAI Media", meter) == expected


def test_a_realtime_meter_naming_two_modalities_is_reported_not_guessed():
    meters = ("gpt rt aud 0828 txt Inp glbl Tokens", "5 Inp Gl 1M Tokens")
    records = [_meter("Azure OpenAI", m) for m in meters]
    ex = azure.extract(json.dumps(records).encode(), "u")
    assert [i["model"] for i in ex.items] == ["gpt-5"]
    assert ex.unmapped_columns == ["gpt rt aud 0828 txt Inp glbl Tokens [1M]"]


def test_every_realtime_meter_of_the_captures_prices_its_modality(parsed):
    realtime = 0
    for ex in parsed.values():
        for item in ex.items:
            meter = item["source_field"].removeprefix("retailPrice[")
            word = re.search(r"(?i)(?:^|[\s-])rt[\s-]+(aud|txt)", meter)
            assert not re.search(azure.REALTIME_MODALITY, item["source_model_key"], re.I), meter
            if word:
                realtime += 1
                audio = word.group(1).lower() == "aud"
                assert item["price_key"].endswith("_audio") == audio, meter
    assert realtime == 5  # gpt4omini-rt-aud1217 and gpt-4o-rt-txt-1217 (2025-03-18, 2026-08-22), gpt rt aud 0828


@pytest.mark.parametrize(
    ("product", "meter", "expected"),
    [
        ("Azure Grok Models", "4.3 Outp DZ L Tokens", ("Grok 4.3", "grok-4.3", "output")),
        ("Azure Grok Models", "Grok 4.2 Inp glbl Tokens", ("Grok 4.2", "grok-4.2", "input")),
        ("Azure Llama Models", "3.3 70b Outp FT DZ Tokens", ("Llama 3.3 70b", "llama-3.3-70b", "output")),
        ("Azure Llama Models", "Llama3.3-Out-FT Tokens", ("Llama3.3", "llama3.3", "output")),
        ("Azure Kimi", "K2 Thinking Inp DZ Tokens", ("Kimi K2 Thinking", "kimi-k2-thinking", "input")),
        ("Azure Kimi", "K2.6 Thinking Inp glbl Tokens", ("Kimi K2.6 Thinking", "kimi-k2.6-thinking", "input")),
        # several words: which is the maker, which the family? The meter's own name, never a guessed maker.
        ("Azure BFL Flux Models", "2 Pro Inp Gl 1M Tokens", ("2 Pro", "2-pro", "input")),
        ("Cohere Models", "4 Plus Inp DZ 1M Tokens", ("4 Plus", "4-plus", "input")),  # not "Azure <Family>"
        ("Azure OpenAI GPT5", "5.4 pro Batch inp Dz 1M Tokens", ("5.4 pro", "gpt-5.4-pro", "input")),
        ("Azure OpenAI", "gpt 4.1 Inp regnl Tokens", ("gpt 4.1", "gpt-4.1", "input")),
        ("Azure OpenAI Media", "GPT 5 outpt Glbl 1M Tokens", ("GPT 5", "gpt-5", "output")),
    ],
)
def test_the_product_names_the_maker(product, meter, expected):
    assert _named(product, meter) == expected


def _products() -> dict[str, str]:
    """``meterName -> productName`` of every AI meter in the captures."""
    from helpers.shared import shared_path

    out = {}
    for capture in shared_path("vendor-pages", "azure").glob("*.json"):
        doc = json.loads(capture.read_bytes())
        out |= {r["meterName"]: r["productName"] for r in (doc["Items"] if isinstance(doc, dict) else doc)}
    return out


# The OpenAI meters' names and models, as stored before and after the product rule (realtime ones aside).
OPENAI_MODELS = {
    "5": "gpt-5", "GPT 5": "gpt-5", "5 mini": "gpt-5-mini", "5.1 codex": "gpt-5.1-codex", "5.4": "gpt-5.4",
    "5.4 mini": "gpt-5.4-mini", "5.4 nano": "gpt-5.4-nano", "5.4 pro": "gpt-5.4-pro", "5.5": "gpt-5.5",
    "5.6 terra": "gpt-5.6-terra", "gpt 4.1": "gpt-4.1", "gpt-4-8K": "gpt-4-8k", "o1 1217": "o1-1217",
    "gpt-4.1-ft mdl grdr": "gpt-4.1-ft-mdl-grdr", "gpt img 1.5": "gpt-img-1.5", "gpt aud 1.5": "gpt-aud-1.5",
    "gpt rt 1.5": "gpt-rt-1.5", "gpt-realtime-2": "gpt-realtime-2", "gpt-live-transcribe": "gpt-live-transcribe",
    "Code-Interpreter": "code-interpreter", "Assistants-Code-Interpreter": "assistants-code-interpreter",
}  # fmt: skip
REALTIME_MODELS = {"gpt4omini-rt-1217", "gpt-4o-rt-1217", "gpt-rt-0828"}


def test_openai_meters_keep_their_models_and_only_they_are_gpt(parsed):
    products = _products()
    for ex in parsed.values():
        for item in ex.items:
            meter = item["source_field"].removeprefix("retailPrice[").removesuffix("]")
            model = canonical("azure", item["source_model_key"], item["model"])[0]
            if products[meter].startswith("Azure OpenAI"):
                assert model in REALTIME_MODELS or OPENAI_MODELS[item["source_model_key"]] == model, meter
            else:
                assert not model.startswith("gpt"), meter
