"""Vertex AI generative-AI pricing: tabbed devsite tables, rowspans, long context, regions, partner models."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, vertex
from conftest import shared_path
from html_extract_checks import assert_well_formed, price_of, run


@pytest.fixture(scope="module")
def full():
    return run(vertex, shared_path("vendor-pages"), "vertex", "2026-05-08.html")


@pytest.fixture(scope="module")
def excerpt():
    return run(vertex, shared_path("vendor-pages"), "vertex", "2026-10-04.excerpt.html")


def test_full_2026_05_08_shape(full):
    assert_well_formed(full)
    assert full.unmapped_columns == []
    assert len(full.items) == 847
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
    assert price_of(full, "Gemini 2.0 Flash", "input", service_tier="batch", unit="per_1m_tokens") == Decimal(
        "0.075"
    )
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
    assert price_of(
        full, "Imagen 4", "output_image", unit="per_image", variant="Image generation"
    ) == Decimal("0.04")
    assert price_of(
        full, "Veo 3.1 Lite", "output_video", unit="per_second", variant="Video generation 720p"
    ) == Decimal("0.03")
    assert price_of(full, "Gemini 2.5 Pro", "training", variant="Supervised fine-tuning") == Decimal("25")


def test_full_page_error_is_kept_first_and_warned(full):
    # The page's own us-east5 Sonnet 4.6 cell repeats Sonnet 4.5's long-context prices; keep the first.
    assert any("Claude Sonnet 4.6: repeated" in w for w in full.warnings)


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


def test_no_table_is_layout_changed():
    with pytest.raises(LayoutChanged):
        vertex.extract(b"<html><body><h1>Pricing moved</h1></body></html>", "u")
