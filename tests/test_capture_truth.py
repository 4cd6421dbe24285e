"""Per-capture truth table: every capture in ../shared/vendor-pages, its coverage and prices read by hand.

For each capture: the completeness audit's figure (rows that look priced, rows that gave a price), and at
least three prices read from the page itself (from different tables where the page has several; a cell,
card line or JSON field as the page shows it), never from the extractor's output. A new capture fails here
until it has its row. docs/sources.md explains every unpriced row.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.crawler.extract import LayoutChanged
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.schedules.captures import list_captures
from helpers.shared import shared_path, shared_root


@dataclass(frozen=True)
class P:
    """One price as the page shows it: the page's model name, what it prices, and the amount as written."""

    model: str
    key: str
    price: str
    tier: str = "standard"
    context: int = 0
    region: str = ""
    variant: str = ""
    unit: str | None = None
    currency: str = "USD"
    starts: str | None = None  # the start / end the page states for the price (ISO instant, UTC)
    ends: str | None = None


LONG = 200_000
# Captures a source refuses on purpose, and the reason it gives.
UNSUPPORTED = {
    "gemini/2025-10-15.jina.md": "no model heading",  # the Jina render dropped the model headings
}
BLOCKED = {"openai/2026-05-08.blocked.html"}  # a Cloudflare challenge: the base spider fails the source

TRUTH: dict[str, tuple[tuple[int, int], tuple[P, ...]]] = {
    "anthropic/2025-11-03.claude-pricing.md": (
        (42, 42),
        (
            P("Opus 4.1", "input", "15"),
            P("Sonnet 4.5", "output", "22.50", context=LONG),
            P("Haiku 3", "cache_read", "0.03"),
        ),
    ),
    "anthropic/2025-11-06.docs.md": (
        (22, 22),
        (
            P("Claude Sonnet 4.5", "cache_write_1h", "6"),
            P("Claude Haiku 3", "input", "0.125", tier="batch"),
            P("Claude Sonnet 4.5", "output", "22.50", context=LONG),
            P("Web search", "search", "10", unit="per_1k_queries"),
        ),
    ),
    "anthropic/2026-02-05.docs.md": (
        (28, 28),
        (
            P("Claude Opus 4.6", "cache_read", "0.50"),
            P("Claude Opus 4.6", "output", "12.50", tier="batch"),
            P("Claude Sonnet 4", "input", "6", context=LONG),  # the row "Claude Sonnet 4.5 / 4"
        ),
    ),
    "anthropic/2026-05-01.docs.md": (
        (36, 30),
        (
            P("Claude Opus 4.7", "cache_write", "6.25"),
            P("Claude Opus 4.6", "input", "30", variant="fast"),  # model named in the prose above the table
            P("Claude Haiku 3", "output", "0.625", tier="batch"),
        ),
    ),
    "anthropic/2026-05-08.html": (
        (39, 39),
        (P("Opus 4.7", "input", "5"), P("Sonnet 4.6", "cache_write", "3.75"), P("Haiku 4.5", "cache_read", "0.10")),
    ),
    "anthropic/2026-07-24.docs.md": (
        (46, 36),
        (
            P("Claude Mythos 5", "output", "50"),
            P("Claude Sonnet 5", "input", "2", ends="2026-09-01T00:00:00+00:00"),  # "through August 31, 2026"
            P("Claude Sonnet 5", "input", "3", starts="2026-09-01T00:00:00+00:00"),  # "starting September 1, 2026"
            P("Claude Opus 4.7", "output", "12.50", tier="batch"),
            P("Claude Opus 4.8", "output", "50", variant="fast"),
        ),
    ),
    "azure/2025-03-18.retail-items.json": (
        (6, 6),
        (
            P("gpt-4-8K", "input", "0.03", unit="per_1k_tokens"),
            P("o1 1217", "output", "0.066", region="datazone", unit="per_1k_tokens"),
            P("Assistants-Code-Interpreter", "code_interpreter", "0.03", unit="per_session"),
            P("gpt4omini-rt-1217", "input_audio", "0.01", unit="per_1k_tokens"),  # "gpt4omini-rt-aud1217 Inp glbl"
        ),
    ),
    "azure/2026-08-22.retail-items.json": (
        (32, 32),
        (
            P("5.4", "output", "16.5", region="datazone"),
            P("5.5", "input", "2.5", tier="batch"),  # "5.5 ShortCo Batch inp Gl"
            P("Command A Plus", "input", "0.88", region="datazone"),
            P("Grok 4.3", "output", "0.0055", region="datazone", variant="L", unit="per_1k_tokens"),  # "4.3 Outp DZ L"
            P("gpt rt 0828", "cache_read_audio", "0.0004", unit="per_1k_tokens"),  # "gpt rt aud 0828 cchd Inp glbl"
        ),
    ),
    "azure/2026-10-04.retail-page.json": (
        (76, 76),
        (
            P("5.4 pro", "output", "180"),
            P("5.4", "cache_read", "0.5", context=272_000),  # "5.4 longco cd inp Gl"
            P("5.4", "cache_read", "0.55", tier="priority", region="datazone"),  # "5.4 pp cd inp Dz"
        ),
    ),
    "bedrock/2026-10-04.price-list-subset.json": (
        (46, 46),
        (
            P("gpt-oss-120b", "input", "0.00015", region="us-east-1", unit="per_1k_tokens"),
            P("gpt-oss-120b", "input", "0.0002625", tier="priority", region="us-east-1", unit="per_1k_tokens"),
            P("Claude Opus 4.6", "cache_write_1h", "10", region="global"),
            P("Claude Sonnet 4.6", "input", "3.3", region="us-east-1"),
        ),
    ),
    "cohere/2025-10-15.jina.md": (
        (6, 6),
        (
            P("Command", "input", "1.00"),
            P("Command R+ 08-2024", "output", "10.00"),
            P("Aya Expanse models (8B and 32B)", "output", "1.50"),
        ),
    ),
    "cohere/2026-07-15.excerpt.html": (  # the excerpt holds one card: two prices in all
        (1, 1),
        (P("Embed 4", "input", "0.12"), P("Embed 4", "input_image", "0.47")),
    ),
    "deepseek/2026-05-08.html": (
        (3, 3),
        (
            P("deepseek-v4-flash", "cache_read", "0.0028", starts="2026-04-26T12:15:00+00:00"),  # note (2)
            P("deepseek-v4-pro", "input", "1.74"),  # struck through: the list price
            P("deepseek-v4-pro", "input", "0.435", variant="promo", ends="2026-05-31T15:59:00+00:00"),  # note (3)
            P("deepseek-v4-pro", "output", "3.48"),
        ),
    ),
    "deepseek/2026-07-17.zh.html": (
        (3, 3),
        (
            P("deepseek-v4-flash", "cache_read", "0.02", currency="CNY"),
            P("deepseek-v4-pro", "input", "3", currency="CNY"),
            P("deepseek-v4-flash", "output", "2", currency="CNY"),
        ),
    ),
    "fireworks/2026-06-15.excerpt.txt": (  # the excerpt holds one table
        (8, 8),
        (
            P("Kimi K2.7 Code", "input", "1.425", tier="priority"),
            P("DeepSeek V4 Flash", "cache_read", "0.028"),
            P("OpenAI GPT OSS 120B", "output", "0.60"),
        ),
    ),
    "fireworks/2026-10-04.docs.md": (
        (24, 24),
        (
            P("Kimi K3 (US)", "cache_read", "0.5625", tier="priority", region="us"),
            P("More than 16B parameters", "output", "0.90"),
            P("Qwen3 8B", "input", "0.10"),
        ),
    ),
    "gemini/2025-11-03.md": (
        (90, 90),
        (
            P("Gemini 2.5 Flash", "input_audio", "1.00"),
            P("Gemini 2.0 Flash", "cache_read_audio", "0.175"),
            P("Imagen 3", "output_image", "0.03", variant="Image price", unit="per_image"),
        ),
    ),
    "gemini/2026-05-07.jina.md": (
        (224, 223),
        (
            P("Gemini 2.5 Pro", "output", "15.00", context=LONG),
            P("Gemini 2.5 Pro", "input", "0.625", tier="batch"),
            P("Imagen 4", "output_image", "0.06", variant="Imagen 4 Ultra image price", unit="per_image"),
            P("Veo 3.1", "output_video", "0.12", variant="Veo 3.1 Fast video with audio price (default) 1080p"),
            P("Google Maps", "maps_grounding", "25", unit="per_1k_queries"),
        ),
    ),
    "gemini/2026-06-02.jina.md": (
        (228, 227),
        (
            P("Gemini 3.5 Flash", "input", "1.50"),
            P("Gemini 3.5 Flash", "cache_storage", "1.00", unit="per_1m_tokens_hour"),
            P("Imagen 4", "output_image", "0.02", variant="Imagen 4 Fast image price", unit="per_image"),
            P("Gemini 3 models", "search", "14", unit="per_1k_queries"),
        ),
    ),
    "groq/2025-11-03.docs-models.md": (
        (16, 16),
        (
            P("Llama 3.1 8B", "input", "0.05"),
            P("Whisper", "input_audio", "0.111", unit="per_hour"),
            P("Kimi K2 0905", "output", "3.00"),  # preview models table
        ),
    ),
    "groq/2026-10-05.docs-models.md": (
        (10, 10),
        (
            P("GPT OSS 120B", "output", "0.60"),
            P("Whisper Large V3 Turbo", "input_audio", "0.04", unit="per_hour"),
            P("Canopy Labs Orpheus Arabic Saudi", "input", "40.00", unit="per_1m_characters"),  # preview table
        ),
    ),
    "mistral/2026-05-08.html": (
        (81, 81),
        (
            P("Mistral Large 3", "output", "1.5"),
            P("Codestral", "training", "3"),
            P("Codestral", "hosting", "2", unit="per_unit", variant="per model per month"),
            P("Voxtral Mini", "input_audio", "0.001", unit="per_minute"),
            P("Data capture", "input", "0.04"),
        ),
    ),
    "openai/2025-10-15.jina.md": (
        (164, 163),
        (
            P("gpt-5", "input", "0.625", tier="batch"),  # the first text table is Batch
            P("gpt-4.1", "output", "8.00"),
            P("DALL·E 3", "output_image", "0.12", variant="HD 1792 x 1024", unit="per_image"),
            P("text-embedding-3-large", "input", "0.065", tier="batch"),  # "Batch cost" column
            P("o4-mini-2025-04-16", "input", "2.00", tier="batch", variant="fine-tuned"),
        ),
    ),
    "openai/2025-11-03.api-pricing.md": (
        (64, 62),
        (
            P("GPT-5 mini", "cache_read", "0.025"),
            P("gpt-realtime", "input", "4.00"),  # Realtime API, Text
            P("sora-2", "output_video", "0.10", variant="720p", unit="per_second"),
        ),
    ),
    "openai/2026-05-08.jina.md": (
        (70, 69),
        (
            P("gpt-5.5", "output", "45.00", context=272_000),
            P("gpt-image-1.5", "cache_read", "0.63", tier="batch"),
            P("o4-mini-deep-research", "output", "4.00", tier="batch"),
        ),
    ),
    "openai/2026-08-21.html": (
        (207, 206),
        (
            P("gpt-4o-mini", "input", "0.15"),  # the collapsed "All models" rows, from the island props
            P("gpt-4o-mini", "cache_read", "0.075"),
            P("gpt-4o-mini", "output", "0.6"),
            P("gpt-4o-mini", "input", "0.075", tier="batch"),
            P("gpt-4o-mini", "output", "0.3", tier="batch"),
            P("gpt-5.6-sol", "output", "45.00", context=272_000),  # long context: rendered table only
            P("sora-2-pro", "output_video", "0.35", tier="batch", variant="1080p", unit="per_second"),
            P("text-embedding-3-small", "input", "0.02"),
            P("gpt-3.5-turbo", "training", "8", variant="fine-tuned"),
        ),
    ),
    "openrouter/2026-07-17.json": (
        (338, 338),
        (
            P("openai/gpt-4o", "input", "0.0000025", unit="per_token"),
            P("deepseek/deepseek-chat", "output", "0.0000008001", unit="per_token"),
            P("anthropic/claude-sonnet-4.5", "output", "0.0000225", context=LONG, unit="per_token"),
            P("google/gemini-2.5-pro", "search", "14", unit="per_1k_queries"),  # 0.014 per call
        ),
    ),
    "openrouter/2026-08-02.json": (
        (332, 332),
        (
            P("deepseek/deepseek-chat", "input", "0.0000002574", unit="per_token"),
            P("openai/gpt-4o", "cache_read", "0.00000125", unit="per_token"),
            P("google/gemini-2.5-pro", "input", "0.0000025", context=LONG, unit="per_token"),
        ),
    ),
    "openrouter/2026-08-22.json": (
        (416, 416),
        (
            P("deepseek/deepseek-chat", "output", "0.0000010287", unit="per_token"),
            P("anthropic/claude-sonnet-4.5", "search", "10", unit="per_1k_queries"),
            P("openai/gpt-4o", "output", "0.00001", unit="per_token"),
        ),
    ),
    "together/2026-01-23.api-models.json": (
        (75, 68),
        (
            P("meta-llama/Llama-3.3-70B-Instruct-Turbo", "input", "0.88"),
            P("deepseek-ai/DeepSeek-R1", "output", "7"),
            P("BAAI/bge-large-en-v1.5", "input", "0.016"),  # an embedding: input only
        ),
    ),
    "together/2026-10-04.docs.md": (
        (83, 83),
        (
            P("Llama 3.3 70B Instruct Turbo", "input", "1.04"),
            P("Kimi K3", "cache_read", "0.30"),
            P("MiniMax 01 Director", "output_video", "0.28", variant="per video 720p / 5s", unit="per_unit"),
            P("Cartesia Sonic 3", "input", "65.00", unit="per_1m_characters"),
        ),
    ),
    "vertex/2026-05-08.html": (
        (275, 272),
        (
            P("Gemini 3.1 Pro Preview", "input", "4", context=LONG),
            P("Imagen 4 Ultra", "output_image", "0.06", variant="Image generation", unit="per_image"),
            P("Claude Sonnet 4.6", "input", "3.30", region="us-east5"),
            P("Grok 4.1 Fast Reasoning", "output", "0.50"),
            P("Provisioned Throughput", "usage", "1320", region="non-global", variant="GSU 1 week commit, per week"),
        ),
    ),
    "vertex/2026-10-04.excerpt.html": (
        (108, 108),
        (
            P("Gemini 3.8 Flash Cyber", "input", "1.65", region="non-global"),
            P("Gemini 3.8 Flash Cyber", "output", "13.50", tier="priority"),
            P("Claude Opus 4.6", "input", "5.50", region="us-east5"),
            P("Claude Opus 4.6", "input", "2.50", tier="batch"),
        ),
    ),
    "xai/2025-11-03.md": (
        (16, 14),
        (
            P("grok-2-vision-1212", "output", "10.00", region="eu-west-1"),
            P("grok-2-image-1212", "output_image", "0.07", unit="per_image"),
            P("Documents Search", "file_search", "2.50", unit="per_1k_requests"),
        ),
    ),
    "xai/2025-12-31.md": (
        (17, 17),
        (
            P("grok-4-0709", "output", "15.00"),
            P("grok-2-image-1212", "output_image", "0.07", unit="per_image"),
            P("Collections Search", "file_search", "2.50", unit="per_1k_requests"),
        ),
    ),
    "xai/2026-05-08.jina.md": (
        (22, 22),
        (
            P("grok-4.3", "input", "1.25"),
            P("grok-imagine-video", "output_video", "0.05", unit="per_second"),
            P("Voice API realtime", "usage", "0.05", unit="per_minute"),
            P("Web Search", "search", "5", unit="per_1k_requests"),
        ),
    ),
}


def _captures():
    root = shared_root() / "vendor-pages"
    return list_captures(root) if root.is_dir() else []


def _extract(cap):
    module = importlib.import_module(f"aiprices.crawler.extract.{cap.source}")
    return module.extract(cap.path.read_bytes(), f"https://example.test/{cap.path.name}", cap.kind)


def _matches(item: dict, p: P) -> bool:
    want = {"service_tier": p.tier, "context_min_tokens": p.context, "region": p.region, "variant": p.variant}
    want |= {"source_model_key": p.model, "price_key": p.key, "currency": p.currency}
    stated = {"effective_from": p.starts, "effective_to": p.ends}
    return (
        all(item[k] == v for k, v in want.items())
        and (p.unit is None or item["unit"] == p.unit)
        and all((item[k].isoformat() if item[k] else None) == v for k, v in stated.items())
    )


def test_every_capture_has_a_truth_row(vendor_pages):
    names = {f"{c.source}/{c.path.name}" for c in list_captures(vendor_pages)}
    assert names == set(TRUTH) | set(UNSUPPORTED) | BLOCKED, "a capture without its hand-read row"


@pytest.mark.parametrize("cap", _captures(), ids=lambda c: f"{c.source}/{c.path.name}")
def test_capture_coverage_and_hand_read_prices(cap):
    shared_path("vendor-pages")
    where = f"{cap.source}/{cap.path.name}"
    if where in BLOCKED:
        assert challenge_marker(cap.path.read_bytes())
        return
    if where in UNSUPPORTED:
        with pytest.raises(LayoutChanged, match=UNSUPPORTED[where]):
            _extract(cap)
        return
    coverage, prices = TRUTH[where]
    ex = _extract(cap)
    assert (ex.rows_seen, ex.rows_priced) == coverage
    assert len(ex.unpriced) == coverage[0] - coverage[1]
    assert len(prices) >= 2 if where == "cohere/2026-07-15.excerpt.html" else len(prices) >= 3
    for p in prices:
        found = [it["price"] for it in ex.items if _matches(it, p)]
        assert found == [Decimal(p.price)], f"{where}: {p}: {found}"


def test_the_sources_document_reports_these_figures():
    """docs/sources.md's coverage table says what this truth table asserts."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[1].isdigit():
            rows[cells[0]] = (int(cells[1]), int(cells[2]))
    assert rows == {name: coverage for name, (coverage, _) in TRUTH.items()}
