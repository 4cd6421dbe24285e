"""OpenAI pricing: Astro HTML tables (tiers from content-switcher panes), Jina markdown, price cards, Cloudflare."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, openai
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


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
    # every row of every table, from the islands' props: the collapsed "All models" rows too
    assert len(ex.items) == 579
    models = {i["source_model_key"] for i in ex.items} - {"Web search", "File search", "Code Interpreter"}
    assert len(models) == 78  # 79 models in the tables; gpt-5.4-cyber shows no price ("-" everywhere)
    assert price_of(ex, "gpt-4o-mini", "input") == Decimal("0.15")
    assert price_of(ex, "gpt-4o-mini", "cache_read") == Decimal("0.075")
    assert price_of(ex, "gpt-4o-mini", "output") == Decimal("0.6")
    assert price_of(ex, "gpt-4o-mini", "input", service_tier="batch") == Decimal("0.075")
    assert price_of(ex, "gpt-4o-mini", "output", service_tier="batch") == Decimal("0.3")
    assert price_of(ex, "gpt-5.5", "input") == Decimal("5")  # "gpt-5.5 (<272K context length)"
    assert price_of(ex, "gpt-3.5-turbo", "training", variant="fine-tuned") == Decimal("8")  # "Legacy" badge
    assert price_of(ex, "text-embedding-3-small", "input") == Decimal("0.02")
    assert price_of(ex, "omni-moderation-latest", "input") == Decimal("0")  # "Free"
    assert (ex.rows_seen, ex.rows_priced) == (207, 206)
    assert ex.unpriced == ["Tools: Agent Kit / ChatKit file and image upload storage"]
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
    assert price_of(ex, "Web search", "search", unit="per_1k_requests", variant="Web search (all models)") == (
        Decimal("10.00")
    )
    assert price_of(ex, "gpt-image-2", "output_image", service_tier="batch") == Decimal("15.00")
    assert price_of(ex, "Code Interpreter", "code_interpreter", unit="per_session", variant="16 GB container") == (
        Decimal("0.48")
    )
    shared = {"variant": "fine-tuned with data sharing", "service_tier": "batch"}
    assert price_of(ex, "o4-mini-2025-04-16", "input", **shared) == Decimal("1.00")
    sol = [i for i in ex.items if i["source_model_key"] == "gpt-5.6-sol"]
    assert {i["model"] for i in sol} == {"gpt-5.6-sol"}


def test_jina_2025_10_15_tiers_from_section_lines(jina_2025):
    ex = jina_2025
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 401
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
    # per-image prices from the table with header rows repeated inside it
    assert price_of(ex, "GPT Image 1", "output_image", unit="per_image", variant="Medium 1024 x 1536") == (
        Decimal("0.063")
    )
    assert price_of(ex, "DALL·E 3", "output_image", unit="per_image", variant="HD 1792 x 1024") == Decimal("0.12")
    assert price_of(ex, "DALL·E 2", "output_image", unit="per_image", variant="Standard 256 x 256") == (
        Decimal("0.016")
    )
    assert price_of(ex, "Whisper", "input_audio", unit="per_minute") == Decimal("0.006")
    assert price_of(ex, "TTS HD", "input", unit="per_1m_characters") == Decimal("30.00")
    assert price_of(ex, "File search", "file_search_storage", unit="per_gb_day") == Decimal("0.10")
    assert price_of(
        ex, "Web search", "search", unit="per_1k_requests", variant="Web search preview (non-reasoning models)"
    ) == Decimal("25.00")


def test_jina_2026_05_08_group_headers_rowspans_and_tier_lines():
    ex = run(openai, shared_path("vendor-pages"), "openai", "2026-05-08.jina.md")
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 194
    # "| | Short context | Long context |" over the real header row
    assert price_of(ex, "gpt-5.5", "input") == Decimal("5.00")
    assert price_of(ex, "gpt-5.5", "output", context_min_tokens=272000) == Decimal("45.00")
    assert price_of(ex, "gpt-5.4", "cache_read", service_tier="batch", context_min_tokens=272000) == Decimal("0.25")
    assert price_of(ex, "gpt-5.4-mini", "output", service_tier="flex") == Decimal("2.25")
    assert price_of(ex, "gpt-5.5", "input", service_tier="priority") == Decimal("12.50")
    # rows that dropped their rowspan cells keep their model (and category)
    assert price_of(ex, "gpt-realtime-1.5", "output") == Decimal("16.00")
    assert price_of(ex, "gpt-realtime-mini", "cache_read_image") == Decimal("0.08")
    assert price_of(ex, "gpt-realtime-translate", "output_audio", unit="per_minute") == Decimal("0.034")
    assert price_of(ex, "sora-2-pro", "output_video", unit="per_second", variant="1080p", service_tier="batch") == (
        Decimal("0.35")
    )
    assert price_of(ex, "o4-mini-deep-research", "output", service_tier="batch") == Decimal("4.00")
    # a tier line followed by prose still names the tier of the next table
    assert price_of(ex, "gpt-image-1.5", "cache_read", service_tier="batch") == Decimal("0.63")
    assert price_of(ex, "o4-mini-2025-04-16", "training", unit="per_hour", variant="fine-tuned") == Decimal("100.00")
    assert price_of(ex, "File search", "file_search", unit="per_1k_requests") == Decimal("2.50")


def test_api_pricing_cards_2025_11_03():
    ex = run(openai, shared_path("vendor-pages"), "openai", "2025-11-03.api-pricing.md")
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 62
    assert price_of(ex, "GPT-5", "input") == Decimal("1.25")
    assert price_of(ex, "GPT-5 mini", "cache_read") == Decimal("0.025")
    assert price_of(ex, "GPT-5 pro", "output") == Decimal("120.00")
    assert not [i for i in ex.items if i["source_model_key"] == "GPT-5 pro" and i["price_key"] == "cache_read"]
    assert price_of(ex, "GPT-4.1 mini", "training", variant="fine-tuned") == Decimal("5.00")
    assert price_of(ex, "o4-mini", "training", unit="per_hour", variant="fine-tuned") == Decimal("100.00")
    assert price_of(ex, "gpt-realtime", "input_audio") == Decimal("32.00")
    assert price_of(ex, "gpt-realtime-mini", "cache_read_image") == Decimal("0.08")
    assert price_of(ex, "GPT-image-1", "output_image") == Decimal("40.00")
    assert price_of(ex, "sora-2-pro", "output_video", unit="per_second", variant="1024p") == Decimal("0.50")
    assert price_of(ex, "File search", "file_search_storage", unit="per_gb_day") == Decimal("0.10")
    ids = {i["source_model_key"]: i["model"] for i in ex.items}
    assert ids["GPT-5 mini"] == "gpt-5-mini" and ids["GPT-image-1"] == "gpt-image-1"
    # the approximate per-image prose and the ChatKit storage meter are audited as unpriced, not read
    assert any("Image outp" in r for r in ex.unpriced)
    assert any("GB-day" in r for r in ex.unpriced)


def test_cards_unknown_label_is_reported_not_guessed():
    page = b"## GPT-9\n\n### Price\n\nInput:  \n$2.00 / 1M tokens\n\nTeleport:  \n$9.00 / 1M tokens\n"
    ex = openai.extract(page, "u", "api-pricing.md")
    assert [(i["model"], i["price_key"], i["price"]) for i in ex.items] == [("gpt-9", "input", Decimal("2.00"))]
    assert ex.unmapped_columns == ["GPT-9: teleport: $9.00 / 1M tokens"]


def test_own_markdown_and_bogus_body():
    md = b"### Text tokens\n\nFlex\n\n| Model | Input | Output | Teleport |\n| --- | --- | --- | --- |\n"
    md += b"| gpt-x | $1.00 | - | $3 |\n"
    ex = openai.extract(md, "u", "jina.md")
    assert [(i["service_tier"], i["price_key"], i["price"]) for i in ex.items] == [("flex", "input", Decimal("1.00"))]
    assert ex.unmapped_columns == ["Text tokens: Teleport"]
    with pytest.raises(LayoutChanged):
        openai.extract(b"<html><body><p>no prices</p></body></html>", "u", "html")


def test_markdown_rowspan_row_without_a_row_above_is_not_read():
    md = b"### Audio\n\n| Model | Modality | Input |\n| --- | --- | --- |\n| Text | $4.00 |\n"
    md += b"| gpt-a | Audio | $1.00 |\n| Text | $2.00 |\n"
    ex = openai.extract(md, "u", "jina.md")
    assert [(i["source_model_key"], i["price_key"], i["price"]) for i in ex.items] == [
        ("gpt-a", "input_audio", Decimal("1.00")),
        ("gpt-a", "input", Decimal("2.00")),
    ]
    assert ex.unpriced == ["Audio: Text | $4.00"]


def test_markdown_group_header_that_does_not_divide_the_columns_is_layout_changed():
    md = b"|  | Short context | Long context |\n| --- | --- | --- |\n| Model | Input | Output | Input |\n"
    md += b"| gpt-a | $1 | $2 | $3 |\n"
    with pytest.raises(LayoutChanged, match="group header"):
        openai.extract(md, "u", "jina.md")
