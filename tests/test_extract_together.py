"""Together AI: serverless-models docs twin (Mintlify, escaped dollars) and the /v1/models JSON."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from aiprices.crawler.extract import LayoutChanged, together
from helpers.html_extract_checks import assert_well_formed, price_of, run
from helpers.shared import shared_path


@pytest.fixture(scope="module")
def docs():
    return run(together, shared_path("vendor-pages"), "together", "2026-10-04.docs.md")


@pytest.fixture(scope="module")
def api():
    return run(together, shared_path("vendor-pages"), "together", "2026-01-23.api-models.json")


def test_docs_2026_10_04(docs):
    assert_well_formed(docs)
    assert docs.unmapped_columns == []
    assert docs.warnings == []
    assert len(docs.items) == 112
    kinds = Counter(it["price_key"] for it in docs.items)
    assert kinds == {
        "input": 25,  # 20 chat models + 5 text-to-speech (per 1M characters)
        "output": 20,
        "cache_read": 12,
        "output_image": 26,
        "output_video": 25,
        "input_audio": 4,
    }
    assert price_of(docs, "Llama 3.3 70B Instruct Turbo", "input") == Decimal("1.04")
    assert price_of(docs, "Kimi K3", "cache_read") == Decimal("0.30")
    assert price_of(docs, "Kimi K3", "output") == Decimal("15.00")
    assert price_of(docs, "GPT-OSS 120B", "output") == Decimal("0.60")
    assert price_of(docs, "Ternary Bonsai 27B", "output") == Decimal(0)  # the page says "Free"
    assert price_of(docs, "Flux1.1 [pro]", "output_image", unit="per_1m_pixels") == Decimal("0.04")
    assert price_of(docs, "SD XL", "output_image", variant="from") == Decimal("0.0019")
    assert price_of(docs, "Gemini 3 Pro Image (Nano Banana Pro)", "output_image", variant="at 1K or 2K") == Decimal(
        "0.134"
    )
    assert price_of(docs, "Seedance 1.0 Lite", "output_video", variant="per video 720p / 5s") == Decimal("0.143")
    assert price_of(docs, "Orpheus 3B", "input", unit="per_1m_characters") == Decimal("15.00")
    assert price_of(docs, "Whisper Large v3", "input_audio") == Decimal("0.0015")
    models = {it["source_model_key"]: it["model"] for it in docs.items}
    assert models["Llama 3.3 70B Instruct Turbo"] == "meta-llama/llama-3.3-70b-instruct-turbo"
    # "-" cached price: no item
    assert not [it for it in docs.items if it["source_model_key"] == "GPT-OSS 120B" and it["price_key"] == "cache_read"]


def test_api_2026_01_23(api):
    assert_well_formed(api)
    assert api.unmapped_columns == []
    assert len(api.items) == 129  # 68 input + 61 output; all-zero entries (images, videos, 5 chats) skipped
    assert price_of(api, "meta-llama/Llama-3.3-70B-Instruct-Turbo", "input") == Decimal("0.88")
    assert price_of(api, "deepseek-ai/DeepSeek-R1", "output") == Decimal("7")
    assert price_of(api, "openai/gpt-oss-120b", "output") == Decimal("0.6")
    assert price_of(api, "BAAI/bge-large-en-v1.5", "input") == Decimal("0.016")
    assert not [
        it for it in api.items if it["source_model_key"] == "BAAI/bge-large-en-v1.5" and it["price_key"] == "output"
    ]
    assert all(it["price"] > 0 for it in api.items)
    assert "togethercomputer/MoA-1" not in {it["source_model_key"] for it in api.items}
    # audio and transcribe entries: the API states no unit for their numbers, so they stay unpriced
    assert api.warnings == [] and (api.rows_seen, api.rows_priced) == (75, 68)
    assert len(api.unpriced) == 7 and all(r.endswith(("(audio)", "(transcribe)")) for r in api.unpriced)


def test_api_unknown_nonzero_field_is_reported():
    body = b'[{"id": "x/y", "type": "chat", "pricing": {"input": 1, "output": 2, "finetune": 3}}]'
    ex = together.extract(body, "u", "api-models.json")
    assert ex.unmapped_columns == ["pricing.finetune"]
    assert [it["price"] for it in ex.items] == [Decimal("1"), Decimal("2")]


def test_api_without_pricing_is_layout_changed():
    with pytest.raises(LayoutChanged):
        together.extract(b'[{"id": "x/y", "type": "chat"}]', "u", "api-models.json")


def test_docs_without_tables_is_layout_changed():
    with pytest.raises(LayoutChanged):
        together.extract(b"# Available models\n\nNo serverless models.\n", "u", "docs.md")


def test_unknown_price_column_is_reported():
    body = (
        b"| Model name | API model string | Input pricing (per 1M tokens) | Batch pricing |\n"
        b"| - | - | - | - |\n"
        b"| X | x/X | \\$1.00 | \\$0.50 |\n"
    )
    ex = together.extract(body, "u", "docs.md")
    assert ex.unmapped_columns == [": Batch pricing"]
    assert ex.items[0]["price"] == Decimal("1.00")
