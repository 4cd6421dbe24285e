"""Gemini API pricing: Jina renders, the flattened headless render, the headingless Jina render (taglines)."""

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


@pytest.fixture(scope="module")
def flattened():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2025-11-03.md")


@pytest.fixture(scope="module")
def headingless():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2025-10-15.jina.md")


def test_2026_05_07(may):
    assert_well_formed(may)
    assert may.unmapped_columns == []
    assert len(may.items) == 279
    assert price_of(may, "Gemini 2.5 Pro", "input") == Decimal("1.25")
    assert price_of(may, "Gemini 2.5 Pro", "input", context_min_tokens=200000) == Decimal("2.50")
    assert price_of(may, "Gemini 2.5 Pro", "output", service_tier="batch") == Decimal("5.00")
    assert price_of(may, "Gemini 2.5 Pro", "cache_read", service_tier="priority", context_min_tokens=200000) == (
        Decimal("0.45")
    )
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


def test_2025_11_03_flattened_tables(flattened):
    ex = flattened
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 111
    # multi-line cell "$1.25, prompts <= 200k tokens  \n$2.50, prompts > 200k tokens"
    assert price_of(ex, "Gemini 2.5 Pro", "input") == Decimal("1.25")
    assert price_of(ex, "Gemini 2.5 Pro", "input", context_min_tokens=200000) == Decimal("2.50")
    assert price_of(ex, "Gemini 2.5 Pro", "output", service_tier="batch", context_min_tokens=200000) == Decimal("7.50")
    assert price_of(ex, "Gemini 2.5 Pro", "maps_grounding") == Decimal("25")
    assert price_of(ex, "Gemini 2.5 Flash", "input_audio") == Decimal("1.00")
    assert price_of(ex, "Gemini 2.5 Flash", "input_audio", service_tier="batch") == Decimal("0.50")
    assert price_of(ex, "Gemini 2.5 Flash", "search") == Decimal("35")
    assert price_of(ex, "Gemini 2.5 Flash-Lite", "cache_read") == Decimal("0.01")
    assert price_of(ex, "Gemini 2.0 Flash-Lite", "input", service_tier="batch") == Decimal("0.0375")
    assert price_of(ex, "Imagen 4", "output_image", variant="Imagen 4 Ultra image price") == Decimal("0.06")
    veo = "Veo 3.1 Fast video with audio price (default)"
    assert price_of(ex, "Veo 3.1", "output_video", variant=veo) == Decimal("0.15")
    units = {(it["price_key"], it["unit"]) for it in ex.items if it["source_model_key"] in ("Imagen 4", "Veo 3.1")}
    assert units == {("output_image", "per_image"), ("output_video", "per_second")}
    models = {it["source_model_key"]: it["model"] for it in ex.items}
    assert models["Gemini 2.5 Flash Preview"] == "gemini-2.5-flash-preview-09-2025"
    assert models["Gemini 2.5 Computer Use Preview"] == "gemini-2.5-computer-use-preview-10-2025"
    assert models["Imagen 4"] is None  # three ids on one line: left to the alias pipeline
    # the per-hour storage price in the same multi-line cell is reported, not read as a token price
    assert any("Gemini 2.5 Pro [standard]" in w and "$4.50" in w for w in ex.warnings)


def test_2025_10_15_sections_named_by_taglines(headingless):
    ex = headingless
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert len(ex.items) == 117
    assert price_of(ex, "Gemini 2.5 Pro", "output", context_min_tokens=200000) == Decimal("15.00")
    assert price_of(ex, "Gemini 2.5 Pro", "input", service_tier="batch") == Decimal("0.625")
    assert price_of(ex, "Gemini 2.5 Pro", "search") == Decimal("35")  # "then $35 / 1,000 requests"
    assert price_of(ex, "Gemini 2.5 Flash", "input_audio") == Decimal("1.00")
    assert price_of(ex, "Gemini 2.5 Flash Preview", "cache_read", service_tier="batch") == Decimal("0.075")
    assert price_of(ex, "Gemini 2.5 Flash", "input", variant="live") == Decimal("0.50")
    assert price_of(ex, "Gemini 2.0 Flash", "output_audio", variant="live") == Decimal("8.50")
    assert price_of(ex, "Imagen 3", "output_image", variant="Image price") == Decimal("0.03")
    assert price_of(ex, "Veo 2", "output_video", variant="Video price") == Decimal("0.35")
    # the same tagline twice: first Gemini 2.5 Flash-Lite, later Gemini 2.0 Flash-Lite
    assert price_of(ex, "Gemini 2.5 Flash-Lite", "input") == Decimal("0.10")
    assert price_of(ex, "Gemini 2.0 Flash-Lite", "input") == Decimal("0.075")
    # the setext heading "Veo 3" wins over its tagline (which the 2025-11-03 page gives Veo 3.1)
    veo = "Veo 3 Standard video with audio price (default)"
    assert price_of(ex, "Veo 3", "output_video", variant=veo) == Decimal("0.40")
    models = {it["source_model_key"]: it["model"] for it in ex.items}
    assert "Veo 3.1" not in models
    assert models["Gemini 2.5 Flash-Lite"] == "gemini-2.5-flash-lite"
    assert models["Gemini 2.0 Flash-Lite"] == "gemini-2.0-flash-lite"
    assert models["Gemini 2.5 Flash Preview"] == "gemini-2.5-flash-preview-09-2025"
    assert models["Gemini 2.5 Computer Use Preview"] == "gemini-2.5-computer-use-preview-10-2025"
    tiers = {it["service_tier"] for it in ex.items if it["source_model_key"] == "Gemini 2.5 Pro"}
    assert tiers == {"standard", "batch"}


_FLAT_HEAD = "## Gemini X\n\n_`gemini-x`_\n\n[Standard](#standard)[Batch](#batch) More\n\n  \n\n"
_FLAT_HEAD += "Free Tier\n\nPaid Tier, per 1M tokens in USD\n\n"
_FLAT_ROWS = "Input price\n\nFree of charge\n\n$1.25, prompts <= 200k tokens  \n$2.50, prompts > 200k tokens\n\n"
_FLAT_ROWS += "Output price\n\nFree of charge\n\n$10.00\n\n"
_FLAT_END = "Used to improve our products\n\n[Yes](/terms)\n\n[No](/terms)\n\n"


def test_flattened_table_is_rebuilt():
    batch = _FLAT_HEAD.split("  \n\n", 1)[1] + "Input price\n\nNot available\n\n$0.60\n\n" + _FLAT_END
    ex = gemini.extract((_FLAT_HEAD + _FLAT_ROWS + _FLAT_END + "  \n\n" + batch).encode(), "u", "md")
    assert [
        (it["model"], it["price_key"], it["service_tier"], it["context_min_tokens"], it["price"]) for it in ex.items
    ] == [
        ("gemini-x", "input", "standard", 0, Decimal("1.25")),
        ("gemini-x", "input", "standard", 200000, Decimal("2.50")),
        ("gemini-x", "output", "standard", 0, Decimal("10.00")),
        ("gemini-x", "input", "batch", 0, Decimal("0.60")),
    ]


@pytest.mark.parametrize(
    "tail",
    [
        "",  # the render stops half way through the table
        "## Gemini Y\n\nInput price\n\nNot available\n\n$9.00\n\n" + _FLAT_END,  # next section starts
    ],
)
def test_flattened_table_cut_off_is_layout_changed(tail):
    body = _FLAT_HEAD + _FLAT_ROWS + "Context caching price\n\nNot available\n\n" + tail
    with pytest.raises(LayoutChanged, match="cut off before its 'Used to improve our products' row"):
        gemini.extract(body.encode(), "u", "md")


_PIPE = (
    "|  | Free Tier | Paid Tier, per 1M tokens in USD |\n| --- | --- | --- |\n| Input price | {free} | ${paid} |\n\n"
)


def test_unknown_tagline_is_reported_not_guessed():
    known = "Our first hybrid reasoning model which supports a 1M token context window and has thinking budgets.\n\n"
    unknown = "Our brand new model for everything.\n\n"
    body = known + _PIPE.format(free="Free of charge", paid="0.30") + _PIPE.format(free="Not available", paid="0.15")
    body += unknown + _PIPE.format(free="Free of charge", paid="7.00") + _PIPE.format(free="Not available", paid="3.50")
    ex = gemini.extract(body.encode(), "u", "jina.md")
    assert ex.unmapped_columns == ["untitled section: Our brand new model for everything."]
    assert [(it["source_model_key"], it["service_tier"], it["price"]) for it in ex.items] == [
        ("Gemini 2.5 Flash", "standard", Decimal("0.30")),
        ("Gemini 2.5 Flash", "batch", Decimal("0.15")),
    ]


def test_tagline_pair_whose_second_table_is_free_is_layout_changed():
    tagline = "Our first hybrid reasoning model which supports a 1M token context window and has thinking budgets.\n\n"
    body = tagline + _PIPE.format(free="Free of charge", paid="0.30") + _PIPE.format(free="Free of charge", paid="0.15")
    with pytest.raises(LayoutChanged, match="2 tables but tabs"):
        gemini.extract(body.encode(), "u", "jina.md")
