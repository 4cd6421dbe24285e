"""Fireworks serverless pricing: docs twin ('\\$in / \\$cached / \\$out' cells) and the text excerpt."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, fireworks
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def docs():
    return run(fireworks, shared_path("vendor-pages"), "fireworks", "2026-10-04.docs.md")


@pytest.fixture(scope="module")
def excerpt():
    return run(fireworks, shared_path("vendor-pages"), "fireworks", "2026-06-15.excerpt.txt")


def test_docs_2026_10_04(docs):
    assert_well_formed(docs)
    assert docs.unmapped_columns == []
    # 16 models x 3 standard + 14 x 3 priority ("—" twice) + 5 size classes x 2 + 3 embeddings
    assert len(docs.items) == 103
    assert price_of(docs, "Kimi K3", "input") == Decimal("3.00")
    assert price_of(docs, "Kimi K3", "cache_read") == Decimal("0.30")
    assert price_of(docs, "GLM 5.3", "output") == Decimal("4.40")
    assert price_of(docs, "OpenAI GPT OSS 120B", "cache_read", service_tier="priority") == Decimal("0.018")
    assert price_of(docs, "Kimi K3 (US)", "output", service_tier="priority", region="us") == Decimal("28.125")
    assert not [
        it for it in docs.items if it["source_model_key"] == "Kimi K3 Fast" and it["service_tier"] != "standard"
    ]
    assert price_of(docs, "MoE up to 56B parameters (e.g. Mixtral 8x7B)", "output") == Decimal("0.50")
    assert price_of(docs, "150M – 350M", "input") == Decimal("0.016")
    assert {it["model"] for it in docs.items} == {None}


def test_excerpt_2026_06_15(excerpt):
    assert_well_formed(excerpt)
    assert excerpt.unmapped_columns == []
    assert len(excerpt.items) == 42  # 8 rows x 3 standard + 6 rows x 3 priority
    assert price_of(excerpt, "DeepSeek V4 Pro", "input") == Decimal("1.74")
    assert price_of(excerpt, "DeepSeek V4 Pro", "cache_read") == Decimal("0.145")
    assert price_of(excerpt, "Kimi K2.5", "output") == Decimal("3.00")
    assert price_of(excerpt, "Kimi K2.7 Code", "cache_read", service_tier="priority") == Decimal("0.285")
    assert not [
        it for it in excerpt.items if it["source_model_key"] == "Kimi K2.5" and it["service_tier"] == "priority"
    ]


def test_bad_cell_is_layout_changed():
    body = b"| Model | Standard | Priority |\n| - | - | - |\n| X | \\$1.00 / \\$2.00 | - |\n"
    with pytest.raises(LayoutChanged):
        fireworks.extract(body, "u", "docs.md")


def test_no_table_is_layout_changed():
    with pytest.raises(LayoutChanged):
        fireworks.extract(b"# Serverless Pricing\n\nSee the website.\n", "u", "docs.md")


def test_unknown_price_table_is_reported():
    body = b"| GPU | Hourly | Note |\n| - | - | - |\n| H100 | \\$4.00 | fast |\n" + (
        b"\n| Model | Standard |\n| - | - |\n| X | $1 / $0.1 / $2 |\n"
    )
    ex = fireworks.extract(body, "u", "docs.md")
    assert ex.unmapped_columns == [": Hourly"]
    assert len(ex.items) == 3
