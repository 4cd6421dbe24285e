"""Item pipelines without the engine: validate (counted drops), normalise, infer where allowed, aliases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.crawler.spiders.groq import GroqSpider
from aiprices.pipeline.aliases import AliasPipeline, canonical, slug
from aiprices.pipeline.infer import BATCH_RULES, CACHE_RULE, infer_rows
from aiprices.pipeline.normalize import NormalizePipeline
from aiprices.pipeline.rows import normalize_price
from aiprices.pipeline.stage import StagePipeline
from aiprices.pipeline.validate import ValidatePipeline
from aiprices.warehouse.staging import read_staged_run
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler


def item(**changes) -> dict:
    base = {
        "source": "groq",
        "vendor": "groq",
        "source_model_key": "Llama 3.3 70B",
        "model": None,
        "price_key": "input",
        "unit": "per_1m_tokens",
        "price": Decimal("0.59"),
        "currency": "USD",
        "service_tier": "standard",
        "context_min_tokens": 0,
        "region": "",
        "variant": "",
        "source_field": "Input",
        "source_url": "https://console.groq.com/docs/models.md",
        "inferred_rule": None,
    }
    base.update(changes)
    return base


@pytest.fixture
def crawler():
    crawler = get_crawler(Spider, {})
    crawler.stats.open_spider()
    return crawler


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"price": Decimal("NaN")}, "not_finite"),
        ({"price": Decimal("Infinity")}, "not_finite"),
        ({"price": Decimal("-0.01")}, "negative"),
        ({"price": 0.59}, "not_decimal"),
        ({"unit": "per_fortnight"}, "unknown_unit"),
        ({"price_key": "vibes"}, "unknown_price_key"),
        ({"currency": "GBPX"}, "unknown_currency"),
        ({"service_tier": "turbo"}, "unknown_tier"),
        ({"vendor": ""}, "missing_field"),
    ],
)
def test_validate_drops_with_counted_reason(crawler, changes, reason):
    pipe = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem):
        pipe.process_item(item(**changes))
    assert crawler.stats.get_value(f"aiprices/dropped/{reason}") == 1


def test_validate_passes_good_items_and_counts_repeats(crawler):
    pipe = ValidatePipeline.from_crawler(crawler)
    assert pipe.process_item(item())["price"] == Decimal("0.59")
    assert pipe.process_item(item(price=Decimal(0)))["price"] == 0
    for _ in range(2):
        with pytest.raises(DropItem):
            pipe.process_item(item(price=Decimal("-1")))
    assert crawler.stats.get_value("aiprices/dropped/negative") == 2


def test_normalize_token_units_exactly():
    assert normalize_price(Decimal("0.0025"), "per_1k_tokens") == (Decimal("2.5"), "usd_per_1m_tokens")
    assert normalize_price(Decimal("2.5"), "per_1m_tokens") == (Decimal("2.5"), "usd_per_1m_tokens")
    assert normalize_price(Decimal("0.0000002574"), "per_token") == (Decimal("0.2574"), "usd_per_1m_tokens")
    assert normalize_price(Decimal("0.03"), "per_1k_tokens")[0] == Decimal("30")
    assert str(normalize_price(Decimal("0.03"), "per_1k_tokens")[0]) == "30"  # no exponent form in staging
    assert normalize_price(Decimal("0.04"), "per_image") == (Decimal("0.04"), "per_image")
    out = NormalizePipeline().process_item(item(unit="per_1k_tokens", price=Decimal("0.00059")))
    assert (out["price"], out["unit"]) == (Decimal("0.59"), "usd_per_1m_tokens")


def _normalised(**changes):
    row = item(unit="usd_per_1m_tokens", model="llama-3.3-70b-versatile")
    row.update(changes)
    return row


def test_infer_batch_only_where_offered_and_unpublished():
    rows = [_normalised(), _normalised(price_key="output", price=Decimal("0.79"))]
    assert infer_rows(rows, set()) == []
    derived = infer_rows(rows, {"batch"})
    got = {(r["price_key"], r["service_tier"], r["price"], r["inferred_rule"]) for r in derived}
    assert got == {
        ("input", "batch", Decimal("0.295"), BATCH_RULES["input"]),
        ("output", "batch", Decimal("0.395"), BATCH_RULES["output"]),
    }
    # A published batch price for the model: nothing is inferred for it.
    published = rows + [_normalised(service_tier="batch", price=Decimal("0.3"))]
    assert infer_rows(published, {"batch"}) == []


def test_infer_cache_read_ten_percent_unless_published():
    rows = [_normalised(price=Decimal("3"))]
    (cache,) = infer_rows(rows, {"cache"})
    assert (cache["price_key"], cache["price"], cache["inferred_rule"]) == (
        "cache_read",
        Decimal("0.3"),
        CACHE_RULE,
    )
    assert infer_rows(rows + [_normalised(price_key="cache_read", price=Decimal("0.25"))], {"cache"}) == []
    with pytest.raises(ValueError, match="unknown inference features"):
        infer_rows(rows, {"discounts"})


def test_stage_applies_inference_for_configured_sources(tmp_path):
    settings = {
        "AIPRICES_STAGING_DIR": str(tmp_path),
        "AIPRICES_ARCHIVE_ROOT": str(tmp_path / "archive"),
        "AIPRICES_INFER_OFFERS": {"groq": ["batch"]},
    }
    crawler = get_crawler(GroqSpider, settings)
    crawler.stats.open_spider()
    spider = GroqSpider.from_crawler(crawler, run_id="t-groq", observed_at="2026-01-02T00:00:00+00:00")
    pipe = StagePipeline.from_crawler(crawler)
    pipe.process_item(_normalised())
    pipe.process_item(_normalised())  # an exact duplicate is staged once
    pipe.process_item(_normalised(price_key="output", price=Decimal("0.79")))
    pipe.close_spider(spider)
    staged = read_staged_run(tmp_path / "groq")
    rows = staged.rows
    assert (staged.run.run_id, staged.run.items) == ("t-groq", 4)
    assert staged.run.observed_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert len(rows) == 4
    assert {r["inferred_rule"] for r in rows} == {None, BATCH_RULES["input"], BATCH_RULES["output"]}
    assert crawler.stats.get_value("aiprices/staged") == 4
    assert crawler.stats.get_value("aiprices/inferred") == 2
    assert (tmp_path / "groq" / "rows.jsonl").read_text().count('"price": "0.59"') == 1  # Decimal as string


@pytest.mark.parametrize(
    ("vendor", "name", "model", "expected"),
    [
        ("anthropic", "Claude Sonnet 4.5", None, "claude-sonnet-4-5"),
        ("anthropic", "Opus 4.1", None, "claude-opus-4-1"),
        ("anthropic", "Claude Opus 4", None, "claude-opus-4"),
        ("anthropic", "Claude Sonnet 3.7", None, "claude-3-7-sonnet"),
        ("vertex", "Gemini 2.5 Flash-Lite", None, "gemini-2.5-flash-lite"),
        ("gemini", "Gemini 3.1 Flash Image 🍌", None, "gemini-3.1-flash-image"),
        ("azure", "5.4 pro", "gpt-5.4-pro", "gpt-5.4-pro"),  # the Azure extractor names GPT meters
        ("cohere", "Embed 4", None, "embed-v4.0"),
        ("fireworks", "OpenAI GPT OSS 120B", None, "openai/gpt-oss-120b"),
        ("openai", "gpt-4o-mini", "GPT-4o-mini", "gpt-4o-mini"),
    ],
)
def test_aliases_known(vendor, name, model, expected):
    assert canonical(vendor, name, model) == (expected, True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Claude 3 Haiku (Deprecated)", "claude-3-haiku"),
        ("Claude 3.5 Haiku (Deprecated)", "claude-3.5-haiku"),
        ("Sonnet 4.5 (deprecated on 2026-01-05)", "claude-sonnet-4-5"),
        ("Gemini 2.5 Pro [Legacy]", "gemini-2.5-pro"),
        ("Qwen3 235B (US)", "qwen3-235b-us"),  # a deployment note stays: it names another offer
        ("Model (retiring soon) large", "model-retiring-soon-large"),  # a note only when it ends the name
    ],
)
def test_a_lifecycle_note_is_not_part_of_the_model(name, expected):
    assert canonical("vertex", name)[0] == expected


def test_unknown_alias_kept_as_slug_and_reported(crawler):
    assert canonical("fireworks", "Kimi K2.5", None) == ("kimi-k2.5", False)
    assert canonical("azure", "3.3 70b", None) == ("3.3-70b", False)  # a bare version names no maker here
    assert slug("  Qwen3 235B (US) ") == "qwen3-235b-us"
    pipe = AliasPipeline.from_crawler(crawler)
    out = pipe.process_item(item(vendor="fireworks", source_model_key="Kimi K2.5"))
    pipe.process_item(item(vendor="fireworks", source_model_key="Kimi K2.5", price_key="output"))
    assert out["model"] == "kimi-k2.5"
    assert crawler.stats.get_value("aiprices/aliases/unknown") == 1
    assert crawler.stats.get_value("aiprices/aliases/unknown_names") == ["Kimi K2.5"]


def test_an_items_row_is_what_itemadapter_reads_whatever_the_item_type():
    """``item_row`` reads our dataclass items directly and any other item through ItemAdapter: the same dict."""
    import scrapy
    from aiprices.crawler.items import PriceItem
    from aiprices.pipeline.item_row import item_row
    from itemadapter import ItemAdapter

    class Other(scrapy.Item):
        price = scrapy.Field()
        unit = scrapy.Field()

    ours = PriceItem(source="groq", vendor="groq", source_model_key="m", price_key="input", unit="per_1m_tokens",
                     price=Decimal("0.59"), model="m")  # fmt: skip
    for item in (ours, {"price": Decimal("1"), "unit": "per_image"}, Other(price=Decimal("2"), unit="per_image")):
        row = item_row(item)
        assert row == dict(ItemAdapter(item)) and row is not getattr(item, "__dict__", None)
    row = item_row(ours)
    row["price"] = Decimal("9")
    assert ours.price == Decimal("0.59")  # a copy: the pipelines' changes to a row never reach the item


def test_a_price_read_outside_scrapy_without_an_identity_field_is_rejected_naming_the_field():
    from aiprices.pipeline.rows import stage_rows

    rejected: list[str] = []
    row = {"vendor": "openai", "model": "", "source_model_key": "", "price_key": "input", "unit": "usd_per_token",
           "price": Decimal("0.000001"), "currency": "USD"}  # fmt: skip
    assert (
        stage_rows([("''.input_cost_per_token: 0.000001", row)], source="litellm", source_url="u", rejected=rejected)
        == []
    )
    assert rejected == ["''.input_cost_per_token: 0.000001 has no source_model_key"]
