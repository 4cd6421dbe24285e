"""Groq models page: the official markdown twin and a flattened browser render of the same table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, groq
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def render():
    return run(groq, shared_path("vendor-pages"), "groq", "2025-11-03.docs-models.md")


@pytest.fixture(scope="module")
def twin():
    return run(groq, shared_path("vendor-pages"), "groq", "2026-10-05.docs-models.md")


def test_render_2025_11_03(render):
    assert_well_formed(render)
    assert render.unmapped_columns == []
    assert len(render.items) == 28  # 12 token models x 2 + 2 whisper + 2 TTS
    assert price_of(render, "Llama 3.1 8B", "input") == Decimal("0.05")
    assert price_of(render, "Llama 3.3 70B", "output") == Decimal("0.79")
    assert price_of(render, "GPT OSS 120B", "output") == Decimal("0.60")
    assert price_of(render, "Whisper", "input_audio") == Decimal("0.111")
    assert price_of(render, "PlayAI TTS", "input") == Decimal("50.00")
    models = {it["source_model_key"]: it["model"] for it in render.items}
    assert models["Kimi K2 0905"] == "moonshotai/kimi-k2-instruct-0905"
    assert {it["unit"] for it in render.items} == {"per_1m_tokens", "per_hour", "per_1m_characters"}


def test_twin_2026_10_05(twin):
    assert_well_formed(twin)
    assert twin.unmapped_columns == []
    assert len(twin.items) == 16  # ContactSales rows (Llama 3.1 8B, 3.3 70B, MiniMax) have no price
    assert price_of(twin, "GPT OSS 120B", "input") == Decimal("0.15")
    assert price_of(twin, "GPT OSS 20B", "input") == Decimal("0.075")
    assert price_of(twin, "Qwen/Qwen3.8-27B", "output") == Decimal("4.00")
    assert price_of(twin, "Canopy Labs Orpheus V1 English", "input") == Decimal("22.00")
    assert price_of(twin, "Whisper Large V3 Turbo", "input_audio") == Decimal("0.04")
    assert "llama-3.1-8b-instant" not in {it["model"] for it in twin.items}
    assert {it["vendor"] for it in twin.items} == {"groq"}


def test_unknown_price_cell_is_layout_changed():
    body = b"| MODEL ID | PRICE PER 1M TOKENS |\n| --- | --- |\n| [X](/docs/model/x)x | $1 per fortnight |\n"
    with pytest.raises(LayoutChanged):
        groq.extract(body, "u", "docs-models.md")


def test_page_without_table_is_layout_changed():
    with pytest.raises(LayoutChanged):
        groq.extract(b"# Supported Models\n\nNothing here.\n", "u", "docs-models.md")


def test_unknown_price_column_is_reported():
    body = (
        b"| MODEL ID | PRICE PER 1M TOKENS | BATCH PRICE |\n| --- | --- | --- |\n"
        b"| [X](/docs/model/x)x | $1 input$2 output | $0.50 |\n"
    )
    ex = groq.extract(body, "u", "docs-models.md")
    assert ex.unmapped_columns == ["BATCH PRICE"]
    assert [it["price"] for it in ex.items] == [Decimal("1"), Decimal("2")]
