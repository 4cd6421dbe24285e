"""Gemini API pricing: Jina renders, the flattened headless render; a render without headings is unsupported."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, gemini
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def may():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2026-05-07.jina.md")


@pytest.fixture(scope="module")
def june():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2026-06-02.jina.md")


@pytest.fixture(scope="module")
def flattened():
    return run(gemini, shared_path("vendor-pages"), "gemini", "2025-11-03.md")


def test_2026_05_07(may):
    assert_well_formed(may)
    assert may.unmapped_columns == []
    assert len(may.items) == 370
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
    _assert_2026_new_kinds(may, "Gemini 3.1 Flash Image Preview 🍌", "Gemini 3 Pro Image Preview 🍌")
    assert price_of(may, "Gemini 2.5 Pro", "cache_storage", service_tier="priority") == Decimal("8.10")
    assert price_of(may, "Gemini 3.1 Flash-Lite", "cache_storage", service_tier="flex") == Decimal("0.50")
    assert price_of(may, "Gemini 3 Flash Preview", "cache_storage", service_tier="priority") == Decimal("1.80")
    assert not any("Gemini Embedding 2 [batch]" in w for w in may.warnings)  # the 2026-05 batch table is free
    assert may.warnings == [] and (may.rows_seen, may.rows_priced) == (224, 223)


def _assert_2026_new_kinds(ex, flash_image: str, pro_image: str) -> None:
    """Prices the 2026 renders share that used to be warnings, read by hand from both captures."""
    # context-cache storage per 1M tokens per hour (its context threshold is 0: the cell gives none)
    assert price_of(ex, "Gemini 2.5 Pro", "cache_storage", unit="per_1m_tokens_hour") == Decimal("4.50")
    assert price_of(ex, "Gemini 2.5 Pro", "cache_read", context_min_tokens=200000) == Decimal("0.25")
    assert price_of(ex, "Gemini 3.1 Pro Preview", "cache_storage", service_tier="priority") == Decimal("8.10")
    assert price_of(ex, "Gemini 2.0 Flash", "cache_read") == Decimal("0.025")
    assert price_of(ex, "Gemini 2.0 Flash", "cache_read_audio", service_tier="batch") == Decimal("0.175")
    assert price_of(ex, "Gemini 2.0 Flash", "cache_storage") == Decimal("1.00")
    # per-image output, one size and several sizes, and the image-token price the sizes are equivalent to
    assert price_of(ex, "Gemini 2.5 Flash Image 🍌", "output_image", service_tier="priority") == Decimal("0.0702")
    assert price_of(ex, flash_image, "output_image", unit="per_1m_tokens") == Decimal("60.00")
    assert price_of(ex, flash_image, "output", unit="per_1m_tokens") == Decimal("3")
    assert price_of(ex, flash_image, "output_image", unit="per_image", variant="0.5K") == Decimal("0.045")
    assert price_of(ex, flash_image, "output_image", unit="per_image", variant="2K") == Decimal("0.101")
    assert price_of(ex, flash_image, "output_image", service_tier="batch", variant="4K") == Decimal("0.076")
    assert price_of(ex, pro_image, "input") == Decimal("2.00")
    assert price_of(ex, pro_image, "input_image", unit="per_image") == Decimal("0.0011")
    assert price_of(ex, pro_image, "input_image", unit="per_image", service_tier="flex") == Decimal("0.0006")
    assert price_of(ex, pro_image, "output_image", unit="per_1m_tokens") == Decimal("120.00")
    assert price_of(ex, pro_image, "output_image", variant="1K/2K") == Decimal("0.134")
    assert price_of(ex, pro_image, "output_image", service_tier="batch", variant="4K") == Decimal("0.12")
    assert price_of(ex, pro_image, "output_image", service_tier="priority") == Decimal("216.00")
    # Live model: "$3.00 or $0.005/min (audio)" is a token price and a per-minute price of the same key
    live = "Gemini 3.1 Flash Live Preview"
    assert price_of(ex, live, "input") == Decimal("0.75")
    assert price_of(ex, live, "input_audio", unit="per_1m_tokens") == Decimal("3.00")
    assert price_of(ex, live, "input_audio", unit="per_minute") == Decimal("0.005")
    assert price_of(ex, live, "input_image", unit="per_1m_tokens") == Decimal("1.00")
    assert price_of(ex, live, "input_video", unit="per_1m_tokens") == Decimal("1.00")
    assert price_of(ex, live, "input_video", unit="per_minute") == Decimal("0.002")
    assert price_of(ex, live, "output_audio", unit="per_minute") == Decimal("0.018")
    assert price_of(ex, live, "output_audio", unit="per_1m_tokens") == Decimal("12.00")
    # Veo: one per-second price per resolution ("720p and 1080p" is both; 4k "not supported" is none)
    std = "Veo 3.1 Standard video with audio price (default)"
    assert price_of(ex, "Veo 3.1", "output_video", variant=f"{std} 1080p") == Decimal("0.40")
    assert price_of(ex, "Veo 3.1", "output_video", variant=f"{std} 4k") == Decimal("0.60")
    lite = "Veo 3.1 Lite video with audio price (default)"
    assert price_of(ex, "Veo 3.1", "output_video", variant=f"{lite} 1080p") == Decimal("0.08")
    assert not [it for it in ex.items if it["variant"] == f"{lite} 4k"]
    fast = "Veo 3 Fast video with audio price (default)"
    assert price_of(ex, "Veo 3", "output_video", unit="per_second", variant=f"{fast} 720p") == Decimal("0.10")
    assert price_of(ex, "Veo 3", "output_video", variant="Veo 3 Standard video with audio price (default)") == (
        Decimal("0.40")
    )
    # embeddings: "$0.45 ($0.00012 per image)" is a token price and the same price per image / per second
    emb = "Gemini Embedding 2"
    assert price_of(ex, emb, "input_image", unit="per_1m_tokens") == Decimal("0.45")
    assert price_of(ex, emb, "input_image", unit="per_image") == Decimal("0.00012")
    assert price_of(ex, emb, "input_audio", unit="per_second") == Decimal("0.00016")
    assert price_of(ex, emb, "input_video", unit="per_1m_tokens") == Decimal("12.00")
    # Lyria's "per request in USD" table: one song per request; embedding video per frame
    lyria = {"unit": "per_request"}
    assert price_of(ex, "Lyria 3", "request", variant="Lyria 3 Clip Preview (30s)", **lyria) == Decimal("0.04")
    assert price_of(ex, "Lyria 3", "request", variant="Lyria 3 Pro Preview (Full Song)", **lyria) == Decimal("0.08")
    assert price_of(ex, emb, "input_video", unit="per_frame") == Decimal("0.00079")
    # what is left is reported, never guessed: the prose table
    assert not any("cache storage" in w or "per hour" in w or "image" in w.lower() for w in ex.warnings)
    assert not any(" or" in w or "/min" in w or "several prices" in w for w in ex.warnings)
    assert not any("Lyria" in w or "per frame" in w for w in ex.warnings)
    # "Pricing for tools": grounding per model family; file search restates the embedding price (unpriced)
    assert price_of(ex, "Gemini 2.5 models", "search", unit="per_1k_queries") == Decimal("35")
    assert price_of(ex, "Gemini 3 models", "search", unit="per_1k_queries") == Decimal("14")
    assert price_of(ex, "Google Maps", "maps_grounding", unit="per_1k_queries") == Decimal("25")
    assert ex.unpriced == ["Pricing for tools [standard] File search"]
    assert ex.warnings == []


def test_2026_06_02(june):
    assert_well_formed(june)
    assert june.unmapped_columns == []
    assert len(june.items) == 369
    assert price_of(june, "Gemini 3.5 Flash", "input") == Decimal("1.50")
    assert price_of(june, "Gemini 3.5 Flash", "output") == Decimal("9.00")
    assert price_of(june, "Gemini 2.5 Pro", "output", context_min_tokens=200000) == Decimal("15.00")
    assert price_of(june, "Gemini 2.5 Flash", "input_audio") == Decimal("1.00")
    assert price_of(june, "Gemini 2.5 Flash", "input", service_tier="flex") == Decimal("0.15")
    _assert_2026_new_kinds(june, "Gemini 3.1 Flash Image 🍌", "Gemini 3 Pro Image 🍌")
    # "$0.15 $1.00 / 1,000,000 tokens per hour (storage price)": a bare cache price, then storage
    assert price_of(june, "Gemini 3.5 Flash", "cache_read") == Decimal("0.15")
    assert price_of(june, "Gemini 3.5 Flash", "cache_storage", service_tier="priority") == Decimal("1.00")
    assert price_of(june, "Gemini Embedding 2", "input_image", service_tier="batch", unit="per_image") == (
        Decimal("0.00006")
    )
    assert price_of(june, "Gemini Embedding 2", "input_audio", service_tier="batch", unit="per_second") == (
        Decimal("0.00008")
    )
    assert price_of(june, "Gemini Embedding 2", "input_video", service_tier="batch", unit="per_1m_tokens") == (
        Decimal("6.00")
    )
    assert price_of(june, "Gemini Embedding 2", "input_video", service_tier="batch", unit="per_frame") == (
        Decimal("0.000395")
    )
    assert june.warnings == [] and (june.rows_seen, june.rows_priced) == (228, 227)


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
    assert len(ex.items) == 131
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
    # the per-hour storage price in the same multi-line cell is its own price, not a token price
    assert price_of(ex, "Gemini 2.5 Pro", "cache_storage", unit="per_1m_tokens_hour") == Decimal("4.50")
    assert price_of(ex, "Gemini 2.5 Pro", "cache_read") == Decimal("0.125")
    assert price_of(ex, "Gemini 2.5 Flash-Lite", "cache_storage", service_tier="batch") == Decimal("1.00")
    # "Context caching (storage)" row, "/ 1,000,000 tokens (audio)" cells, "Image generation pricing" row
    assert price_of(ex, "Gemini 2.0 Flash", "cache_storage") == Decimal("1.00")
    assert price_of(ex, "Gemini 2.0 Flash", "cache_read_audio") == Decimal("0.175")
    assert price_of(ex, "Gemini 2.0 Flash", "output_image", service_tier="batch", unit="per_image") == Decimal("0.0195")
    assert price_of(ex, "Gemini 2.5 Flash Image", "output_image", unit="per_image") == Decimal("0.039")
    assert ex.warnings == []


def test_2025_10_15_render_without_model_headings_is_not_supported():
    # the Jina render dropped the "## Gemini 2.5 Pro" headings: only taglines introduce the sections, and a
    # tagline is no model name: the capture is declared unsupported rather than read from a copied table
    with pytest.raises(LayoutChanged, match="30 of 32 price tables have no model heading"):
        run(gemini, shared_path("vendor-pages"), "gemini", "2025-10-15.jina.md")


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


def test_table_without_a_heading_is_audited_not_read():
    named = "## Gemini 2.5 Flash\n\n"
    unnamed = "Our brand new model for everything.\n\n"
    body = named + _PIPE.format(free="Free of charge", paid="0.30") + _PIPE.format(free="Not available", paid="0.15")
    body += unnamed + _PIPE.format(free="Free of charge", paid="7.00")
    ex = gemini.extract(body.encode(), "u", "jina.md")
    assert [(it["source_model_key"], it["service_tier"], it["price"]) for it in ex.items] == [
        ("Gemini 2.5 Flash", "standard", Decimal("0.30")),
        ("Gemini 2.5 Flash", "batch", Decimal("0.15")),
    ]
    assert ex.unpriced == ["table without a model heading (line 13) Input price"]


def test_table_pair_whose_second_table_is_free_is_layout_changed():
    body = "## Gemini 2.5 Flash\n\n" + _PIPE.format(free="Free of charge", paid="0.30")
    body += _PIPE.format(free="Free of charge", paid="0.15")
    with pytest.raises(LayoutChanged, match="2 tables but tabs"):
        gemini.extract(body.encode(), "u", "jina.md")


def _tier_table(*rows: str, unit: str = "per 1M tokens") -> str:
    body = "".join(f"| {label} | Not available | {cell} |\n" for label, cell in (r.split(" = ", 1) for r in rows))
    return f"## Gemini X\n\n_`gemini-x`_\n\n|  | Free Tier | Paid Tier, {unit} in USD |\n| --- | --- | --- |\n{body}\n"


def _items(ex) -> list[tuple]:
    return [(it["price_key"], it["unit"], it["variant"], it["price"]) for it in ex.items]


def test_cells_read_only_where_the_page_says_what_each_price_is_for():
    body = _tier_table(
        "Input price = $1.00 (text) $3.00 or $4.00 (audio) $0.50 (image)*",
        "Output price = $2.00 (text) $9.00 / 1,000,000 tokens per hour",
        "Context caching (storage) = $1.00 / 1,000,000 tokens",
    )
    ex = gemini.extract(body.encode(), "u", "jina.md")
    assert _items(ex) == [
        ("input", "per_1m_tokens", "", Decimal("1.00")),
        ("output", "per_1m_tokens", "", Decimal("2.00")),
    ]
    assert ex.warnings == [
        "Gemini X [standard] Input price: price $3.00 or '$4.00 (audio)': alternative not a per-minute price; "
        "not mapped",
        # a per-image reading of "(image)*" needs the page's "Image input is set at ... per image" footnote
        "Gemini X [standard] Input price: price $0.50 '(image)*' not mapped",
        "Gemini X [standard] Output price: price $9.00 per 1M tokens per hour outside a caching row; not mapped",
        "Gemini X [standard] Context caching (storage): price $1.00 '/ 1,000,000 tokens' in the storage row is not "
        "per hour; not mapped",
    ]


def test_image_input_footnote_makes_a_bare_image_price_per_image():
    body = _tier_table("Input price = $1.00 (text), $0.0006 (image)*")
    body += "* Image input is set at 560 tokens or $0.0011 per image.\n"
    ex = gemini.extract(body.encode(), "u", "jina.md")
    assert _items(ex) == [
        ("input", "per_1m_tokens", "", Decimal("1.00")),
        ("input_image", "per_image", "", Decimal("0.0006")),
    ]
    assert ex.warnings == []


def test_per_second_cell_with_a_part_that_is_not_a_resolution_gives_no_item():
    body = _tier_table(
        "Video price = $0.10 (720p) $0.20 (with audio)",
        "Fast video price = $0.05 (720p, 1080p) $0.30 (4k)",
        unit="per second",
    )
    ex = gemini.extract(body.encode(), "u", "jina.md")
    assert _items(ex) == [
        ("output_video", "per_second", "Fast video price 720p", Decimal("0.05")),
        ("output_video", "per_second", "Fast video price 1080p", Decimal("0.05")),
        ("output_video", "per_second", "Fast video price 4k", Decimal("0.30")),
    ]
    assert ex.warnings == [
        "Gemini X [standard] Video price: several prices in '$0.10 (720p) $0.20 (with audio)'; not mapped"
    ]
