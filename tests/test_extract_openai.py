"""OpenAI pricing: Astro HTML tables (tiers from content-switcher panes), Jina markdown, Cloudflare block."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, PageBlocked, openai
from conftest import shared_path
from html_extract_checks import assert_well_formed, price_of, run


@pytest.fixture(scope="module")
def html_page():
    return run(openai, shared_path("vendor-pages"), "openai", "2026-08-21.html")


@pytest.fixture(scope="module")
def jina_2025():
    return run(openai, shared_path("vendor-pages"), "openai", "2025-10-15.jina.md")


def test_html_2026_08_21(html_page):
    ex = html_page
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 175
    assert price_of(ex, "gpt-5.6-sol", "input") == Decimal("5.00")
    assert price_of(ex, "gpt-5.6-sol", "cache_read") == Decimal("0.50")
    assert price_of(ex, "gpt-5.6-sol", "output") == Decimal("30.00")
    assert price_of(ex, "gpt-5.6-sol", "output", context_min_tokens=272000) == Decimal("45.00")
    assert price_of(ex, "gpt-5.6-sol", "input", service_tier="batch") == Decimal("2.50")
    assert price_of(ex, "gpt-5.6-sol", "output", service_tier="priority") == Decimal("60.00")
    assert price_of(ex, "gpt-5.6-terra", "output") == Decimal("12.00")
    assert price_of(ex, "gpt-realtime-2.1", "output_audio") == Decimal("64.00")
    assert price_of(ex, "sora-2-pro", "output_video", unit="per_second", variant="1080p") == Decimal("0.70")
    assert price_of(ex, "gpt-4o-transcribe", "input_audio", unit="per_minute") == Decimal("0.006")
    assert price_of(
        ex, "Web search", "search", unit="per_1k_requests", variant="Web search (all models)"
    ) == (Decimal("10.00"))
    sol = [i for i in ex.items if i["source_model_key"] == "gpt-5.6-sol"]
    assert {i["model"] for i in sol} == {"gpt-5.6-sol"}


def test_jina_2025_10_15_tiers_from_section_lines(jina_2025):
    ex = jina_2025
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 365
    # the first text table is Batch, then Flex, Standard, Priority
    assert price_of(ex, "gpt-5", "input", service_tier="batch") == Decimal("0.625")
    assert price_of(ex, "gpt-5", "output", service_tier="batch") == Decimal("5.00")
    assert price_of(ex, "gpt-5", "input") == Decimal("1.25")
    assert price_of(ex, "gpt-5", "cache_read") == Decimal("0.125")
    assert price_of(ex, "gpt-5", "output") == Decimal("10.00")
    assert price_of(ex, "gpt-4.1", "input") == Decimal("2.00")
    assert price_of(ex, "gpt-4o-mini", "input", service_tier="priority") == Decimal("0.25")
    assert price_of(ex, "davinci-002", "input", variant="fine-tuned") == Decimal("12.00")
    assert price_of(ex, "davinci-002", "input") == Decimal("2.00")


def test_blocked_2026_05_08():
    with pytest.raises(PageBlocked):
        run(openai, shared_path("vendor-pages"), "openai", "2026-05-08.blocked.html")


def test_marketing_cards_not_supported_is_explicit():
    with pytest.raises(LayoutChanged):
        run(openai, shared_path("vendor-pages"), "openai", "2025-11-03.api-pricing.md")


def test_own_markdown_and_bogus_body():
    md = b"### Text tokens\n\nFlex\n\n| Model | Input | Output | Teleport |\n| --- | --- | --- | --- |\n"
    md += b"| gpt-x | $1.00 | - | $3 |\n"
    ex = openai.extract(md, "u", "jina.md")
    assert [(i["service_tier"], i["price_key"], i["price"]) for i in ex.items] == [
        ("flex", "input", Decimal("1.00"))
    ]
    assert ex.unmapped_columns == ["Text tokens: Teleport"]
    with pytest.raises(LayoutChanged):
        openai.extract(b"<html><body><p>no prices</p></body></html>", "u", "html")
