"""Gemini API pricing (Jina renders): per-model tier tables, long-context and audio splits, grounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, gemini
from conftest import shared_path
from html_extract_checks import assert_well_formed, price_of, run


@pytest.fixture(scope="module")
def may():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2026-05-07.jina.md")


@pytest.fixture(scope="module")
def june():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2026-06-02.jina.md")


def test_2026_05_07(may):
    assert_well_formed(may)
    assert may.unmapped_columns == []
    assert len(may.items) == 279
    assert price_of(may, "Gemini 2.5 Pro", "input") == Decimal("1.25")
    assert price_of(may, "Gemini 2.5 Pro", "input", context_min_tokens=200000) == Decimal("2.50")
    assert price_of(may, "Gemini 2.5 Pro", "output", service_tier="batch") == Decimal("5.00")
    assert price_of(
        may, "Gemini 2.5 Pro", "cache_read", service_tier="priority", context_min_tokens=200000
    ) == (Decimal("0.45"))
    assert price_of(may, "Gemini 2.5 Pro", "search") == Decimal("35")
    assert price_of(may, "Gemini 2.5 Flash", "input") == Decimal("0.30")
    assert price_of(may, "Gemini 2.5 Flash", "output") == Decimal("2.50")
    assert price_of(may, "Gemini 3.1 Pro Preview", "input") == Decimal("2.00")
    assert price_of(may, "Gemini 3.1 Pro Preview", "output") == Decimal("12.00")
    models = {it["source_model_key"]: it["model"] for it in may.items}
    assert models["Gemini 2.5 Pro"] == "gemini-2.5-pro"


def test_2026_06_02(june):
    assert_well_formed(june)
    assert june.unmapped_columns == []
    assert len(june.items) == 272
    assert price_of(june, "Gemini 3.5 Flash", "input") == Decimal("1.50")
    assert price_of(june, "Gemini 3.5 Flash", "output") == Decimal("9.00")
    assert price_of(june, "Gemini 2.5 Pro", "output", context_min_tokens=200000) == Decimal("15.00")
    assert price_of(june, "Gemini 2.5 Flash", "input_audio") == Decimal("1.00")
    assert price_of(june, "Gemini 2.5 Flash", "input", service_tier="flex") == Decimal("0.15")


def test_render_without_pipe_tables_is_layout_changed():
    with pytest.raises(LayoutChanged):
        gemini.extract(b"# Gemini Developer API pricing\n\nInput price $1.25\n", "u", "md")


def test_tables_without_tier_tabs_are_layout_changed():
    table = b"|  | Free Tier | Paid Tier, per 1M tokens in USD |\n| --- | --- | --- |\n"
    table += b"| Input price | Free | $1 |\n\n"
    with pytest.raises(LayoutChanged):
        gemini.extract(b"## Gemini X\n\n" + table + table, "u", "jina.md")
