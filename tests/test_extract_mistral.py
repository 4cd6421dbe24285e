"""Mistral pricing page: prices read from the Next.js RSC payload (``price_dollar``)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, mistral
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def page():
    return run(mistral, shared_path("vendor-pages"), "mistral", "2026-05-08.html")


def test_2026_05_08_counts_and_shape(page):
    assert_well_formed(page)
    assert page.unmapped_columns == []
    assert len(page.items) == 84
    assert {it["currency"] for it in page.items} == {"USD"}


def test_2026_05_08_token_prices(page):
    assert price_of(page, "Mistral Large 3", "input") == Decimal("0.5")
    assert price_of(page, "Mistral Large 3", "output") == Decimal("1.5")
    assert price_of(page, "Mistral Medium 3.5", "output") == Decimal("7.5")
    assert price_of(page, "Devstral 2", "input") == Decimal("0.4")
    assert price_of(page, "Mixtral 8x22B", "output") == Decimal("6")
    large = [it for it in page.items if it["source_model_key"] == "Mistral Large 3"]
    assert {it["model"] for it in large} == {"mistral-large-latest"}


def test_2026_05_08_fine_tuning_audio_and_tools(page):
    assert price_of(page, "Codestral", "training") == Decimal("3")
    assert price_of(page, "Codestral", "input", variant="fine-tuned") == Decimal("0.2")
    assert price_of(page, "Voxtral Small", "input_audio", unit="per_minute") == Decimal("0.004")
    assert price_of(page, "Voxtral Small", "input") == Decimal("0.1")
    # "$0.016 per 1k characters" -> per 1M characters, exactly
    assert price_of(page, "Voxtral TTS", "output_audio", unit="per_1m_characters") == Decimal("16")
    # "$2 / 1000 pages" -> per page
    assert price_of(page, "OCR 3", "ocr", unit="per_page") == Decimal("0.002")
    assert price_of(page, "Web search", "search", unit="per_1k_requests") == Decimal("30")
    assert price_of(page, "Images", "output_image", unit="per_image") == Decimal("0.1")
    # "Free" endpoint is a published zero
    assert price_of(page, "Leanstral", "input") == Decimal(0)


def test_ambiguous_api_ids_are_not_used_as_model(page):
    small = [it for it in page.items if it["source_model_key"] in ("Mistral Small 4", "Mistral Small 3.2")]
    assert small and all(it["model"] is None for it in small)
    assert price_of(page, "Mistral Small 4", "input") == Decimal("0.15")
    assert price_of(page, "Mistral Small 3.2", "input") == Decimal("0.1")
    assert any("mistral-small-latest" in w for w in page.warnings)


def _rsc_page(chunk: str) -> bytes:
    return f"<script>self.__next_f.push([1,{json.dumps(chunk)}])</script>".encode()


def test_own_payload_and_unknown_field():
    row = {
        "name": "Tiny",
        "api_endpoint": "tiny-latest",
        "price": [
            {"value": "Input (/M tokens)", "price_dollar": "<p>$0.25</p>"},
            {"value": "Teleport (/M tokens)", "price_dollar": "<p>$9</p>"},
            {"value": "Available on", "price_dollar": "<p>/v1/chat</p>"},
        ],
    }
    ex = mistral.extract(_rsc_page("5:" + json.dumps({"apis": [row]}) + "\n"), "u")
    assert [(it["model"], it["price_key"], it["price"]) for it in ex.items] == [
        ("tiny-latest", "input", Decimal("0.25"))
    ]
    assert ex.unmapped_columns == ["Tiny: Teleport (/M tokens)"]


def test_no_price_objects_is_layout_changed():
    with pytest.raises(LayoutChanged):
        mistral.extract(_rsc_page('1:["$","div",null,{"children":"hello"}]\n'), "u")
