"""xAI models page: flattened render with glued '$in$out' cells, pipe-table scrape, Jina render."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, xai
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path

CAPTURES = ("2025-11-03.md", "2025-12-31.md", "2026-05-08.jina.md")


@pytest.fixture(scope="module")
def pages():
    root = shared_path("vendor-pages")
    return {name: run(xai, root, "xai", name) for name in CAPTURES}


@pytest.mark.parametrize("name", CAPTURES)
def test_well_formed(pages, name):
    assert_well_formed(pages[name])
    assert pages[name].unmapped_columns == []
    assert {it["vendor"] for it in pages[name].items} == {"xai"}


def test_render_2025_11_03(pages):
    ex = pages["2025-11-03.md"]
    assert len(ex.items) == 22  # 8 language rows x 2 + image + 3 tools + documents search + live search
    assert price_of(ex, "grok-4-0709", "input") == Decimal("3.00")
    assert price_of(ex, "grok-4-0709", "output") == Decimal("15.00")
    assert price_of(ex, "grok-code-fast-1", "output") == Decimal("1.50")
    assert price_of(ex, "grok-2-vision-1212", "output", region="eu-west-1") == Decimal("10.00")
    assert price_of(ex, "grok-2-image-1212", "output_image") == Decimal("0.07")
    assert price_of(ex, "Web Search", "search") == Decimal("10")
    assert price_of(ex, "Live Search", "search") == Decimal("25")
    assert price_of(ex, "grok-3", "input") == Decimal("3.00")
    assert {it["model"] for it in ex.items if it["unit"] == "per_1m_tokens"} >= {"grok-3", "grok-3-mini"}


def test_scrape_2025_12_31(pages):
    ex = pages["2025-12-31.md"]
    assert len(ex.items) == 26
    assert price_of(ex, "grok-4-1-fast-reasoning", "input") == Decimal("0.20")
    assert price_of(ex, "grok-4-1-fast-reasoning", "output") == Decimal("0.50")
    assert price_of(ex, "grok-3-mini", "input") == Decimal("0.30")
    assert price_of(ex, "grok-4-0709", "output") == Decimal("15.00")
    assert price_of(ex, "Collections Search", "file_search") == Decimal("2.50")
    assert price_of(ex, "Code Execution", "code_interpreter") == Decimal("5")


def test_jina_2026_05_08(pages):
    ex = pages["2026-05-08.jina.md"]
    assert len(ex.items) == 29
    assert price_of(ex, "grok-4.3", "input") == Decimal("1.25")
    assert price_of(ex, "grok-4.3", "output") == Decimal("2.50")
    assert price_of(ex, "grok-4-1-fast-non-reasoning", "input") == Decimal("0.20")
    assert price_of(ex, "grok-imagine-video", "output_video") == Decimal("0.05")
    assert price_of(ex, "grok-imagine-image-pro", "output_image") == Decimal("0.07")
    assert price_of(ex, "Voice API speech to text", "input_audio", variant="streaming") == Decimal("0.20")
    assert price_of(ex, "Voice API text to speech", "input") == Decimal("4.20")
    assert price_of(ex, "File storage", "file_search_storage") == Decimal("0.025")
    assert price_of(ex, "File Attachments", "file_search") == Decimal("10")


def test_no_model_table_is_layout_changed():
    with pytest.raises(LayoutChanged):
        xai.extract(b"# Models and Pricing\n\nCome back later.\n", "u", "md")


def test_language_model_without_output_price_is_layout_changed():
    body = b"| Model | Context | Pricing |\n| --- | --- | --- |\n"
    body += b"| Language models | | |\n| grok-9 | 1M | $1.00 |\n"
    with pytest.raises(LayoutChanged):
        xai.extract(body, "u", "md")
