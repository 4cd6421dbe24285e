"""Anthropic: docs markdown twin (model, batch, long-context, fast tables) and claude.com price cards."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, anthropic
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path

CAPTURES = (
    "2025-11-03.claude-pricing.md",
    "2025-11-06.docs.md",
    "2026-02-05.docs.md",
    "2026-05-01.docs.md",
    "2026-05-08.html",
    "2026-07-24.docs.md",
)


@pytest.fixture(scope="module")
def pages():
    root = shared_path("vendor-pages")
    return {name: run(anthropic, root, "anthropic", name) for name in CAPTURES}


@pytest.mark.parametrize("name", CAPTURES)
def test_every_capture_is_well_formed(pages, name):
    ex = pages[name]
    assert_well_formed(ex)
    assert ex.unmapped_columns == []
    assert ex.warnings == []
    assert {it["vendor"] for it in ex.items} == {"anthropic"}
    assert {it["currency"] for it in ex.items} == {"USD"}


def test_docs_2025_11_06(pages):
    ex = pages["2025-11-06.docs.md"]
    assert len(ex.items) == 69  # 9 models x 5 + 9 x 2 batch + 2 models x 2 long context + 2 prose
    assert price_of(ex, "Claude Opus 4.1", "input") == Decimal("15")
    assert price_of(ex, "Claude Opus 4.1", "cache_write_1h") == Decimal("30")
    assert price_of(ex, "Claude Haiku 3", "cache_read") == Decimal("0.03")
    assert price_of(ex, "Claude Haiku 3.5", "cache_write_1h") == Decimal("1.6")
    # "(deprecated)" link text is not part of the model name
    assert price_of(ex, "Claude Sonnet 3.7", "output") == Decimal("15")
    assert price_of(ex, "Claude Haiku 3", "input", service_tier="batch") == Decimal("0.125")
    # model-less long-context table: models named in the paragraph above it
    assert price_of(ex, "Claude Sonnet 4", "output", context_min_tokens=200000) == Decimal("22.50")
    assert price_of(ex, "Claude Sonnet 4.5", "input", context_min_tokens=200000) == Decimal("6")
    assert price_of(ex, "Web search", "search") == Decimal("10")
    assert price_of(ex, "Code execution", "code_interpreter") == Decimal("0.05")


def test_docs_2026_02_05_long_context_per_model(pages):
    ex = pages["2026-02-05.docs.md"]
    assert len(ex.items) == 85
    assert price_of(ex, "Claude Opus 4.6", "input", context_min_tokens=200000) == Decimal("10")
    assert price_of(ex, "Claude Opus 4.6", "output", context_min_tokens=200000) == Decimal("37.50")
    # "Claude Sonnet 4.5 / 4" covers both models
    assert price_of(ex, "Claude Sonnet 4", "input", context_min_tokens=200000) == Decimal("6")
    assert price_of(ex, "Claude Opus 4.5", "cache_write") == Decimal("6.25")
    assert price_of(ex, "Claude Opus 4.5", "output", service_tier="batch") == Decimal("12.50")


def test_docs_2026_05_01_fast_mode_and_runtime(pages):
    ex = pages["2026-05-01.docs.md"]
    assert len(ex.items) == 96
    assert price_of(ex, "Claude Opus 4.7", "input") == Decimal("5")
    assert price_of(ex, "Claude Opus 4.6", "output", variant="fast") == Decimal("150")
    assert price_of(ex, "Claude Opus 4.6", "input", variant="fast") == Decimal("30")
    assert price_of(ex, "Claude Sonnet 4.6", "cache_read") == Decimal("0.30")
    assert price_of(ex, "Claude Haiku 3.5", "output", service_tier="batch") == Decimal("2")
    assert price_of(ex, "Claude Managed Agents", "usage") == Decimal("0.08")
    assert not [it for it in ex.items if it["context_min_tokens"]]  # 1M context at standard prices


AUG_31_END = datetime(2026, 9, 1, tzinfo=UTC)  # "through August 31, 2026" ends as September 1 begins


def test_docs_2026_07_24_dated_rows_are_one_price_with_its_dates(pages):
    ex = pages["2026-07-24.docs.md"]
    assert len(ex.items) == 119
    intro, standard = {"effective_to": AUG_31_END}, {"effective_from": AUG_31_END}
    assert price_of(ex, "Claude Sonnet 5", "input", **intro) == Decimal("2")
    assert price_of(ex, "Claude Sonnet 5", "output", **intro) == Decimal("10")
    assert price_of(ex, "Claude Sonnet 5", "input", **standard) == Decimal("3")
    assert price_of(ex, "Claude Sonnet 5", "output", service_tier="batch", **intro) == Decimal("5")
    assert price_of(ex, "Claude Sonnet 5", "input", service_tier="batch", **standard) == Decimal("1.50")
    assert not [it for it in ex.items if it["variant"] == "promo"]
    assert price_of(ex, "Claude Mythos 5", "cache_write") == Decimal("12.50")
    assert price_of(ex, "Claude Opus 4.8", "output", variant="fast") == Decimal("50")
    assert price_of(ex, "Claude Opus 5", "input", variant="fast") == Decimal("10")
    # CCU terms (no such unit) and worked examples (not list prices) are the rows left unpriced
    assert (ex.rows_seen, ex.rows_priced) == (46, 36)
    assert {r.split(":")[0] for r in ex.unpriced} == {
        "Claude Platform on AWS pricing",
        "Claude in Microsoft Foundry pricing",
        "Worked example",
    }


def test_claude_pricing_render_2025_11_03(pages):
    ex = pages["2025-11-03.claude-pricing.md"]
    assert len(ex.items) == 42  # 9 cards x 4 + Sonnet 4.5 > 200K x 4 + search + code execution
    assert price_of(ex, "Opus 4.1", "cache_write") == Decimal("18.75")
    assert price_of(ex, "Sonnet 4.5", "output", context_min_tokens=200000) == Decimal("22.50")
    assert price_of(ex, "Sonnet 4.5", "cache_read", context_min_tokens=200000) == Decimal("0.60")
    assert price_of(ex, "Sonnet 4.5", "cache_write") == Decimal("3.75")
    assert price_of(ex, "Haiku 3", "cache_read") == Decimal("0.03")
    assert price_of(ex, "Web search", "search") == Decimal("10")


def test_claude_pricing_html_2026_05_08(pages):
    ex = pages["2026-05-08.html"]
    assert len(ex.items) == 39  # 9 cards x 4 + runtime + search + code execution
    assert price_of(ex, "Opus 4.7", "input") == Decimal("5")
    assert price_of(ex, "Opus 4.7", "cache_write") == Decimal("6.25")
    assert price_of(ex, "Haiku 4.5", "cache_read") == Decimal("0.10")
    assert price_of(ex, "Opus 4", "output") == Decimal("75")
    assert price_of(ex, "Claude Managed Agents", "usage") == Decimal("0.08")
    assert price_of(ex, "Code execution", "code_interpreter") == Decimal("0.05")


def test_bogus_markdown_is_layout_changed():
    with pytest.raises(LayoutChanged):
        anthropic.extract(b"# Pricing\n\n| Plan | Seats |\n| --- | --- |\n| Team | 5 |\n", "u", "docs.md")


def test_bogus_html_is_layout_changed():
    with pytest.raises(LayoutChanged):
        anthropic.extract(b"<html><body><h3>Pro</h3><p>$20 per month</p></body></html>", "u", "html")
