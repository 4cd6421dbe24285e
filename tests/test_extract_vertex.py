"""Vertex AI generative-AI pricing: tabbed devsite tables, rowspans, long context, regions, partner models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, vertex
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def full():
    return run(vertex, shared_path("vendor-pages"), "vertex", "2026-05-08.html")


@pytest.fixture(scope="module")
def excerpt():
    return run(vertex, shared_path("vendor-pages"), "vertex", "2026-10-04.excerpt.html")


def test_full_2026_05_08_shape(full):
    assert_well_formed(full)
    assert full.unmapped_columns == []
    assert len(full.items) == 936
    assert {it["vendor"] for it in full.items} == {"vertex"}


def test_full_gemini_tiers_and_long_context(full):
    assert price_of(full, "Gemini 2.5 Pro", "input") == Decimal("1.25")
    assert price_of(full, "Gemini 2.5 Pro", "input", context_min_tokens=200000) == Decimal("2.50")
    assert price_of(full, "Gemini 2.5 Pro", "output", context_min_tokens=200000) == Decimal("15")
    assert price_of(full, "Gemini 2.5 Pro", "cache_read") == Decimal("0.13")
    assert price_of(full, "Gemini 2.5 Pro", "input", service_tier="priority") == Decimal("2.25")
    # the Flex/Batch tab applies to both tiers
    assert price_of(full, "Gemini 2.5 Pro", "input", service_tier="batch") == Decimal("0.625")
    assert price_of(full, "Gemini 2.5 Pro", "input", service_tier="flex") == Decimal("0.625")
    assert price_of(full, "Gemini 3.1 Pro Preview", "output") == Decimal("12")
    # "$0.25 (Global) $0.275 (Non-global)*" -> two regions
    assert price_of(full, "Gemini 3.1 Flash-Lite", "input") == Decimal("0.25")
    assert price_of(full, "Gemini 3.1 Flash-Lite", "input", region="non-global") == Decimal("0.275")
    assert price_of(full, "Gemini 3.1 Flash-Lite", "cache_read_audio") == Decimal("0.05")
    # "Price with Batch API" column
    assert price_of(full, "Gemini 2.0 Flash", "input", service_tier="batch", unit="per_1m_tokens") == Decimal("0.075")
    assert price_of(full, "Gemini 2.0 Flash", "input", unit="per_1m_characters") == Decimal("0.0375")


def test_full_partner_models_regions_and_media(full):
    assert price_of(full, "Claude Opus 4.7", "input") == Decimal("5.00")
    assert price_of(full, "Claude Opus 4.7", "output") == Decimal("25.00")
    assert price_of(full, "Claude Opus 4.7", "cache_write_1h") == Decimal("10.00")
    assert price_of(full, "Claude Opus 4.7", "cache_read", service_tier="batch") == Decimal("0.25")
    assert price_of(full, "Claude Opus 4.7", "input", region="us") == Decimal("5.50")
    assert price_of(full, "Claude Sonnet 4.5", "input", context_min_tokens=200000) == Decimal("6.00")
    assert price_of(full, "Claude Sonnet 4.6", "input", region="us-east5") == Decimal("3.30")
    assert price_of(full, "DeepSeek-V3.1", "output", service_tier="batch") == Decimal("0.85")
    assert price_of(full, "Imagen 4", "output_image", unit="per_image", variant="Image generation") == Decimal("0.04")
    assert price_of(
        full, "Veo 3.1 Lite", "output_video", unit="per_second", variant="Video generation 720p"
    ) == Decimal("0.03")
    assert price_of(full, "Gemini 2.5 Pro", "training", variant="Supervised fine-tuning") == Decimal("25")


def test_full_page_error_is_kept_first_and_warned(full):
    # The page's own us-east5 Sonnet 4.6 cell repeats Sonnet 4.5's long-context prices, unlabelled, inside the
    # =< 200K column (its > 200K column says $3.30); the page does not say what they are: keep the first, warn.
    assert any(w.startswith("Claude Sonnet 4.6 input") and "6.60 repeats 3.30" in w for w in full.warnings)
    assert price_of(full, "Claude Sonnet 4.6", "input", region="us-east5", context_min_tokens=200000) == Decimal("3.30")


def test_full_only_prose_and_out_of_vocabulary_units_stay_warnings(full):
    gone = (
        "Feature | Pricing",
        "ignored prose row",
        "Pricing for tools",
        "Provisioned Throughput",
        "Translation (Text)",
        "MultiModal Embeddings",
        "code completion",
        "Understand embedding costs",
        "Context Cache Storage",
        "Other Gemini models",
        "Storage (M tok-hour)",
    )
    assert not [w for w in full.warnings + full.unpriced if any(g in w for g in gone)]
    kept = [w for w in full.warnings if not w.startswith("Claude Sonnet 4.6 ")]
    assert len(kept) == 1 and "Storage (Modality-hour)" in kept[0] and "no such unit" in kept[0]
    # the Model Optimizer's worked examples are the only priced-looking rows left unread
    assert [r.split(": ")[-1] for r in full.unpriced] == ["Cost", "Balanced", "Quality"]
    assert (full.rows_seen, full.rows_priced) == (275, 272)


def test_full_cache_storage(full):
    def storage(model, **kw):
        return price_of(full, model, "cache_storage", unit="per_1m_tokens_hour", **kw)

    # "Context Cache Storage price for Explicit Caching": "$4.5 (/M Tok/hr)" in both context bands
    assert storage("Gemini 2.5 Pro") == Decimal("4.5")
    assert storage("Gemini 2.5 Pro", context_min_tokens=200000) == Decimal("4.5")
    assert storage("Gemini 3 Flash") == Decimal("1")
    assert storage("Gemini 3.1 Pro") == Decimal("4.5")
    # Gemini 2.0 "Storage (M tok-hour)" column; the "Price" column stays the cached-input price
    assert storage("Gemini 2.0 Flash") == Decimal("1.00")
    assert storage("Gemini 2.0 Flash Lite", variant="audio") == Decimal("1.00")
    assert price_of(full, "Gemini 2.0 Flash", "cache_read", unit="per_1m_tokens") == Decimal("0.0375")
    assert price_of(full, "Gemini 2.0 Flash", "cache_read_audio", unit="per_1m_tokens") == Decimal("0.25")
    # the modality-hour column (per 1M characters / image / second per hour) is not read
    assert not [i for i in full.items if i["price_key"] == "cache_storage" and i["unit"] != "per_1m_tokens_hour"]


def test_full_grounding_per_model_family(full):
    def grounding(model, key="search", **kw):
        return price_of(full, model, key, unit="per_1k_queries", **kw)

    # Gemini 3: "$14 per 1,000 search queries", one row for Google Search and Web Grounding for Enterprise
    assert grounding("Gemini 3 models") == Decimal("14")
    assert grounding("Gemini 3 models", variant="web grounding for enterprise") == Decimal("14")
    assert grounding("Gemini 3 models", "maps_grounding") == Decimal("14")
    assert grounding("Gemini 3 models", variant="grounding with your data") == Decimal("2.50")
    # Gemini 2.5: "$35 per 1,000 grounded prompts", enterprise $45, Maps $25
    assert grounding("Gemini 2.5 models") == Decimal("35")
    assert grounding("Gemini 2.5 models", variant="web grounding for enterprise") == Decimal("45")
    assert grounding("Gemini 2.5 models", "maps_grounding") == Decimal("25")
    # Gemini 2.0 rows inside the model tables (three tables agree, one item each)
    assert grounding("Gemini 2.0 models") == Decimal("35")
    assert grounding("Gemini 2.0 models", "maps_grounding") == Decimal("25")
    assert grounding("Other Gemini models", variant="web grounding for enterprise") == Decimal("45")
    fields = {i["source_field"] for i in full.items if i["source_model_key"] == "Gemini 2.5 models"}
    assert "Grounding with Google Search: $35 per 1,000 grounded prompts" in fields


def test_full_tools_and_provisioned_throughput(full):
    # "Web Search Request | $10 per 1000 searches Models Supported: Claude Haiku 4.5, ... and Claude Opus 4.6."
    for model in ("Claude Haiku 4.5", "Claude Sonnet 4.6", "Claude Sonnet 4", "Claude Opus 4.6"):
        assert price_of(full, model, "search", unit="per_1k_queries") == Decimal("10")
    assert not [i for i in full.items if i["source_model_key"] == "Claude Opus 4.7" and i["price_key"] == "search"]

    def gsu(variant, **kw):
        return price_of(full, "Provisioned Throughput", "usage", unit="per_unit", variant=variant, **kw)

    assert gsu("GSU 1 week commit, per week") == Decimal("1200")
    assert gsu("GSU 1 month commit, per month") == Decimal("2700")
    assert gsu("GSU 1 month commit, per month", region="non-global") == Decimal("2970")
    assert gsu("GSU 1 year commit, per month") == Decimal("2000")


def test_full_per_1k_embeddings_code_and_translation(full):
    # per 1,000 tokens stays a published per_1k_tokens unit (the normalize pipeline scales it)
    assert price_of(full, "Gemini Embedding", "input", unit="per_1k_tokens") == Decimal("0.00015")
    assert price_of(full, "Gemini Embedding", "input", unit="per_1k_tokens", service_tier="batch") == Decimal("0.00012")
    assert price_of(full, "multilingual-e5-large", "input", unit="per_1k_tokens", service_tier="batch") == Decimal(
        "0.0000125"
    )
    # per 1,000 characters -> per 1M characters (x1000), the page's own number kept in source_field
    codey = [i for i in full.items if i["source_model_key"] == "Codey for Code Completion"]
    assert {(i["price_key"], i["unit"], i["price"]) for i in codey} == {
        ("input", "per_1m_characters", Decimal("0.25")),
        ("output", "per_1m_characters", Decimal("0.5")),
    }
    assert {i["source_field"] for i in codey} == {
        "Price per 1,000 characters: Online requests: $0.00025",
        "Price per 1,000 characters: Online requests: $0.0005",
    }
    assert price_of(
        full, "Embeddings for Text (Excluding Gemini Embedding)", "input", unit="per_1m_characters"
    ) == Decimal("0.025")
    # "No charge" outputs are not prices
    assert not [i for i in full.items if i["source_model_key"] == "Gemini Embedding" and i["price_key"] == "output"]
    # Translation (Text): one tbody per model, per million characters
    assert price_of(full, "LLM", "input", unit="per_1m_characters", variant="text translation") == Decimal("10")
    assert price_of(
        full, "Translation LLM 002", "output", unit="per_1m_characters", variant="text translation"
    ) == Decimal("20")


def test_full_legacy_gemini_1_5(full):
    assert price_of(full, "Gemini 1.5 Pro", "input_image", unit="per_image") == Decimal("0.00032875")
    assert price_of(full, "Gemini 1.5 Pro", "input_image", unit="per_image", context_min_tokens=128000) == Decimal(
        "0.0006575"
    )
    assert price_of(full, "Gemini 1.5 Flash", "input_audio", unit="per_second") == Decimal("0.000002")
    assert price_of(full, "Gemini 1.5 Flash", "input_video", unit="per_second") == Decimal("0.00002")
    # "$0.00001875 / 1k characters" -> 0.01875 per 1M characters
    assert price_of(full, "Gemini 1.5 Flash", "input", unit="per_1m_characters") == Decimal("0.01875")
    assert price_of(full, "Gemini 1.0 Pro", "output", unit="per_1m_characters") == Decimal("0.375")
    assert price_of(full, "Gemini 1.5 Pro", "training", unit="per_1m_tokens") == Decimal("80")


def test_excerpt_2026_10_04(excerpt):
    assert_well_formed(excerpt)
    assert excerpt.unmapped_columns == []
    assert len(excerpt.items) == 271
    assert price_of(excerpt, "Gemini 3.5 Flash-Lite", "input") == Decimal("0.30")
    assert price_of(excerpt, "Gemini 3.5 Flash-Lite", "output") == Decimal("2.50")
    assert price_of(excerpt, "Gemini 3.5 Flash-Lite", "input", region="non-global") == Decimal("0.33")
    assert price_of(excerpt, "Gemini 3.5 Flash-Lite", "cache_read") == Decimal("0.03")
    assert price_of(excerpt, "Gemini 3.5 Flash-Lite", "input", service_tier="priority") == Decimal("0.54")
    assert price_of(excerpt, "Claude Sonnet 4.6", "input") == Decimal("3.00")
    assert price_of(excerpt, "Claude Sonnet 4.6", "output", region="us-east5") == Decimal("16.50")
    assert price_of(excerpt, "Claude Sonnet 4.6", "input", service_tier="batch") == Decimal("1.50")


def test_excerpt_2026_10_04_dated_gemini_3_8_flash(excerpt):
    """One model, two dated prices: "Gemini 3.8 Flash* through December 31, 2026", "... Starting January 1, 2027"."""
    new_year = datetime(2027, 1, 1, tzinfo=UTC)
    for key, now, later in (("input", "0.75", "1.50"), ("output", "3.75", "7.50")):
        assert price_of(excerpt, "Gemini 3.8 Flash", key, effective_to=new_year) == Decimal(now)
        assert price_of(excerpt, "Gemini 3.8 Flash", key, effective_from=new_year) == Decimal(later)
    assert not [it for it in excerpt.items if "2026" in it["source_model_key"] or "2027" in it["source_model_key"]]


def test_tab_region_and_carry_down_on_own_html():
    body = b"""
    <button id="tab-9" role="tab">us-east5</button>
    <div role="tabpanel" aria-labelledby="tab-9"><table>
    <tr><th>Model</th><th>Type</th><th>Price (/1M tokens) =&lt; 200K input tokens</th>
        <th>Price (/1M tokens) &gt; 200K input tokens</th></tr>
    <tr><td>Claude X</td><td>Input</td><td>$1.10</td><td>$2.20</td></tr>
    <tr><td></td><td>Cache Hit</td><td>$0.11</td><td>N/A</td></tr>
    <tr><td></td><td>Teleport</td><td>$9</td><td></td></tr>
    </table></div>"""
    ex = vertex.extract(body, "u")
    got = {(i["price_key"], i["context_min_tokens"], i["region"], i["price"]) for i in ex.items}
    assert got == {
        ("input", 0, "us-east5", Decimal("1.10")),
        ("input", 200000, "us-east5", Decimal("2.20")),
        ("cache_read", 0, "us-east5", Decimal("0.11")),
    }
    assert ex.unmapped_columns == [": Teleport"]


def test_grounding_storage_and_per_1k_on_own_html():
    body = b"""
    <h2>Gemini 9</h2><h3>Standard</h3>
    <table><tr><th>Feature</th><th>Pricing</th></tr>
    <tr><td>Grounding with Google Search</td><td>1,000 free, then billed at $7 per 1,000 grounded prompts.</td></tr>
    <tr><td>Grounding with Google Maps</td><td>$3 per 1,000 queries, or $4 per 1,000 queries on Sundays.</td></tr>
    <tr><td>Grounding with Google Search</td><td>Contact sales ($ varies).</td></tr>
    </table>
    <h3>Storage</h3>
    <table><tr><th>Model</th><th>Type</th><th>Storage (M tok-hour)</th><th>Price</th></tr>
    <tr><td>Gemini 9 Flash</td><td>1M Input tokens</td><td>$2.00</td><td>$0.05</td></tr></table>
    <table><tr><th>Model</th><th>Type</th><th>Region</th><th>Price per 1,000 characters</th></tr>
    <tr><td>Coder</td><td>Input</td><td>Global</td><td>Online requests: $0.0003 Batch requests: No charge</td></tr>
    </table>"""
    ex = vertex.extract(body, "u")
    got = {(i["source_model_key"], i["price_key"], i["unit"], i["service_tier"], i["price"]) for i in ex.items}
    assert got == {
        ("Gemini 9 models", "search", "per_1k_queries", "standard", Decimal("7")),
        ("Gemini 9 Flash", "cache_storage", "per_1m_tokens_hour", "standard", Decimal("2.00")),
        ("Gemini 9 Flash", "cache_read", "per_1m_tokens", "standard", Decimal("0.05")),
        ("Coder", "input", "per_1m_characters", "standard", Decimal("0.3")),
    }
    # two different amounts in one row: ambiguous, so no price and the row is listed unpriced ("$ varies" holds
    # no amount: not a priced-looking row)
    assert ex.unpriced == ["Gemini 9 grounding: Grounding with Google Maps"]


def test_no_table_is_layout_changed():
    with pytest.raises(LayoutChanged):
        vertex.extract(b"<html><body><h1>Pricing moved</h1></body></html>", "u")
