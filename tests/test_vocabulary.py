"""The one extraction vocabulary: labels as vendors write them (taken from the captures) -> what they price."""

from __future__ import annotations

import pytest
from aiprices.crawler.vocabulary import meaning, resolve, with_medium

LABELS = [
    # (source, label as published, price_key, unit, tier named by the label, context named by the label)
    ("openai", "Cached input", "cache_read", "per_1m_tokens", None, None),
    ("openai", "Long context / Output", "output", "per_1m_tokens", None, None),
    ("openai", "Short context cached input", "cache_read", "per_1m_tokens", None, 0),
    ("openai", "Cache writes", "cache_write", "per_1m_tokens", None, None),
    ("openai", "Batch cost", "input", "per_1m_tokens", "batch", None),
    ("openai", "Price per second", "output_video", "per_second", None, None),
    ("openai", "Estimated cost", "input_audio", "per_minute", None, None),
    ("openai", "1024 x 1536", "output_image", "per_image", None, None),
    ("anthropic", "Base Input Tokens", "input", "per_1m_tokens", None, None),
    ("anthropic", "5m Cache Writes", "cache_write", "per_1m_tokens", None, None),
    ("anthropic", "1h Cache Writes", "cache_write_1h", "per_1m_tokens", None, None),
    ("anthropic", "Cache Hits & Refreshes", "cache_read", "per_1m_tokens", None, None),
    ("anthropic", "Batch output", "output", "per_1m_tokens", "batch", None),
    ("gemini", "Output price (including thinking tokens)", "output", "per_1m_tokens", None, None),
    ("gemini", "Input price (text, image, video)", "input", "per_1m_tokens", None, None),
    ("gemini", "Audio input price", "input_audio", "per_1m_tokens", None, None),
    ("gemini", "Context caching price", "cache_read", "per_1m_tokens", None, None),
    ("gemini", "Context caching (storage)", "cache_storage", "per_1m_tokens", None, None),
    ("gemini", "Image generation pricing", "output_image", "per_1m_tokens", None, None),
    ("vertex", "1M input video/image tokens", "input_video", "per_1m_tokens", None, None),
    ("vertex", "1h Batch Cache Write", "cache_write_1h", "per_1m_tokens", "batch", None),
    ("vertex", "Input (text, image, video, audio)", "input", "per_1m_tokens", None, None),
    ("vertex", "Input audio ($/sec)", "input_audio", "per_second", None, None),
    ("vertex", "Input text ($/M char)", "input", "per_1m_characters", None, None),
    ("vertex", "Input video ($/per frame)", "input_video", "per_frame", None, None),
    ("vertex", "Output image image ($/image)", "output_image", "per_image", None, None),
    ("vertex", "Text output (response and reasoning)", "output", "per_1m_tokens", None, None),
    ("vertex", "Tuning for 1M training tokens", "training", "per_1m_tokens", None, None),
    ("vertex", "Image Output**", "output_image", "per_1m_tokens", None, None),
    ("vertex", "Price (/1M tokens) > 200K input tokens: Input", "input", "per_1m_tokens", None, 200_000),
    ("deepseek", "1M INPUT TOKENS (CACHE HIT)", "cache_read", "per_1m_tokens", None, None),
    ("deepseek", "1M INPUT TOKENS (CACHE MISS)", "input", "per_1m_tokens", None, None),
    ("deepseek", "百万tokens输入（缓存命中）", "cache_read", "per_1m_tokens", None, None),
    ("deepseek", "百万tokens输出", "output", "per_1m_tokens", None, None),
    ("together", "Cached input pricing (per 1M tokens)", "cache_read", "per_1m_tokens", None, None),
    ("cohere", "Image cost", "input_image", "per_1m_tokens", None, None),
    ("cohere", "Cost", "input", "per_1m_tokens", None, None),
    ("bedrock", "Output tokens flex", "output", "per_1m_tokens", "flex", None),
    ("bedrock", "Cache Write 1h Input Token Count", "cache_write_1h", "per_1m_tokens", None, None),
    ("mistral", "Audio input/min", "input_audio", "per_minute", None, None),
    ("mistral", "Training cost (/M tokens)", "training", "per_1m_tokens", None, None),
    ("mistral", "Audio generation", "output_audio", "per_1m_characters", None, None),
    ("mistral", "Storage cost", "hosting", "per_unit", None, None),
]


@pytest.mark.parametrize(("source", "label", "key", "unit", "tier", "context"), LABELS)
def test_vendor_labels_mean_one_thing(source, label, key, unit, tier, context):
    found = meaning(label, source)
    assert (found.key, found.unit, found.tier, found.context) == (key, unit, tier, context)


def test_unknown_labels_and_non_prices_mean_nothing():
    for label in ("Model", "Context length", "Teleport", "Price", "Quantization", "Tool choice"):
        assert meaning(label, "openai") is None, label


def test_a_vendor_only_label_is_that_vendor_s():
    assert meaning("Call", "mistral").key == "request"
    assert meaning("Call", "openai") is None  # the same word elsewhere is no price


def test_medium_and_context_band_resolve_against_the_table():
    assert with_medium("cache_read", "audio") == "cache_read_audio"
    assert with_medium("cache_write_1h", "audio") == "cache_write_1h"  # no such key: left as it is
    long = meaning("Long context / Input", "openai")
    assert long.long_context and resolve(long, "flex", 272_000) == ("flex", 272_000)
    assert resolve(meaning("Batch Input", "vertex"), "standard", 200_000) == ("batch", 0)
