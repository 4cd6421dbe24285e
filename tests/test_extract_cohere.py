"""Cohere pricing: RSC price cards (excerpt) and FAQ prose in a text render."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, cohere
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def cards():
    return run(cohere, shared_path("vendor-pages"), "cohere", "2026-07-15.excerpt.html")


@pytest.fixture(scope="module")
def prose():
    return run(cohere, shared_path("vendor-pages"), "cohere", "2025-10-15.jina.md")


def test_excerpt_2026_07_15_cards(cards):
    assert_well_formed(cards)
    assert cards.unmapped_columns == []
    assert len(cards.items) == 2
    assert price_of(cards, "Embed 4", "input") == Decimal("0.12")
    assert price_of(cards, "Embed 4", "input_image") == Decimal("0.47")
    assert all(isinstance(it["price"], Decimal) for it in cards.items)
    assert {it["unit"] for it in cards.items} == {"per_1m_tokens"}


def test_jina_2025_10_15_faq_prose(prose):
    assert_well_formed(prose)
    assert prose.unmapped_columns == []
    assert len(prose.items) == 12
    assert price_of(prose, "Command R+ 08-2024", "input") == Decimal("2.50")
    assert price_of(prose, "Command R+ 08-2024", "output") == Decimal("10.00")
    assert price_of(prose, "Command R 03-2024", "output") == Decimal("1.50")
    assert price_of(prose, "Aya Expanse models (8B and 32B)", "input") == Decimal("0.50")


def _page(obj: dict) -> bytes:
    return f"<script>self.__next_f.push([1,{json.dumps('9:' + json.dumps(obj) + chr(10))}])</script>".encode()


def test_own_cards_with_unknown_label():
    obj = {
        "pricingGroups": [
            {
                "models": [
                    {
                        "modelName": "Command Z",
                        "per": "1M tokens",
                        "pricings": [
                            {
                                "inputLabel": "Input",
                                "inputPrice": 2.5,
                                "outputLabel": "Output",
                                "outputPrice": 10,
                            },
                            {"inputLabel": "Teleport", "inputPrice": 1},
                        ],
                    }
                ]
            }
        ]
    }
    ex = cohere.extract(_page(obj), "u")
    assert [(i["price_key"], i["price"]) for i in ex.items] == [
        ("input", Decimal("2.5")),
        ("output", Decimal(10)),
    ]
    assert ex.unmapped_columns == ["Command Z: Teleport"]


def test_no_cards_is_layout_changed():
    with pytest.raises(LayoutChanged):
        cohere.extract(b"<html><body>Pricing</body></html>", "u")
