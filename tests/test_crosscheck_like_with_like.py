"""The cross-check compares like with like: units that are exact multiples, the registry's duration-priced
audio keys, word order in model ids, and never across currencies or times of day (warehouse/crosscheck.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import UNIT_BRIDGES, UNITS, price_row
from aiprices.warehouse.crosscheck import record_crosschecks
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

_COLUMNS = "model, price_key, unit, currency, time_window, status, page_price, registry_price, registry_price_key, \
registry_unit, delta"


def _run(run_id: str, source: str, day: int, kind: str = "replay") -> RunRecord:
    at = datetime(2026, 1, day, tzinfo=UTC)
    return RunRecord(run_id=run_id, source=source, kind=kind, observed_at=at, started_at=at, finished_at=at)


def _price(source: str, model: str, price: str, key: str = "input", unit: str = "usd_per_1m_tokens", **kw) -> dict:
    return price_row(source=source, vendor=kw.pop("vendor", "openai"), model=model, price_key=key, unit=unit,
                     price=Decimal(price), source_field="f", **kw)  # fmt: skip


def _check(db, registry: list[dict], page: list[dict]) -> list[tuple]:
    con = connect(db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    load_run(con, StagedRun(_run("crawl-1-openai", "openai", 2), page))
    record_crosschecks(con, "crawl-1-openai")
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM crosschecks_current WHERE status <> 'missing_on_page' ORDER BY ALL"
    ).fetchall()
    con.close()
    return rows


def _compared(db, registry: list[dict], page: list[dict], columns: str = "status, registry_model_key") -> list[tuple]:
    """``columns`` of each page price's result, one page source's run (the page rows' source) against
    ``registry``."""
    source = page[0]["source"]
    con = connect(db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    load_run(con, StagedRun(_run(f"crawl-1-{source}", source, 2), page))
    record_crosschecks(con, f"crawl-1-{source}")
    rows = con.execute(f"SELECT {columns} FROM crosschecks_current WHERE page_price IS NOT NULL ORDER BY ALL")
    found = rows.fetchall()
    con.close()
    return found


def test_bridged_units_are_exact_multiples():
    """Every bridge names a stored unit, and units on one basis convert into each other by whole numbers."""
    for unit, (basis, factor) in UNIT_BRIDGES.items():
        assert unit in UNITS and basis in UNITS
        assert UNIT_BRIDGES[basis] == (basis, Decimal(1))
        assert factor == factor.to_integral_value() and factor >= 1


def test_duration_prices_compare_per_second_minute_and_hour(migrated_db):
    """LiteLLM's per-second transcription price is the page's audio input per minute or per hour."""
    registry = [
        _price("litellm", "whisper-9", "0.0001", unit="per_second"),
        _price("litellm", "live-9", "0.000283333333333", unit="per_second"),  # a float of 1.02/3600
    ]
    page = [
        _price("openai", "whisper-9", "0.006", key="input_audio", unit="per_minute"),
        _price("openai", "live-9", "1.02", key="input_audio", unit="per_hour"),
    ]
    rows = _check(migrated_db, registry, page)
    assert rows == [
        ("live-9", "input_audio", "per_hour", "USD", "", "match", Decimal("1.02"), Decimal("1.0199999999988"),
         "input", "per_second", Decimal("0.0000000000012")),
        ("whisper-9", "input_audio", "per_minute", "USD", "", "match", Decimal("0.006"), Decimal("0.006"),
         "input", "per_second", Decimal(0)),
    ]  # fmt: skip


def test_a_bridged_price_that_differs_is_a_mismatch_in_the_pages_unit(migrated_db):
    registry = [_price("litellm", "whisper-9", "0.0001", unit="per_second")]
    page = [_price("openai", "whisper-9", "0.007", key="input_audio", unit="per_minute")]
    (row,) = _check(migrated_db, registry, page)
    assert row[5:8] == ("mismatch", Decimal("0.007"), Decimal("0.006")) and row[-1] == Decimal("0.001")


def test_a_coarser_registry_unit_is_compared_exactly(migrated_db):
    """Registry per hour, page per second: compared per hour (0.0001 x 3600 = 0.36), shown per second."""
    registry = [_price("litellm", "whisper-9", "0.36", unit="per_hour")]
    page = [_price("openai", "whisper-9", "0.0001", key="input_audio", unit="per_second")]
    (row,) = _check(migrated_db, registry, page)
    assert row[5:8] == ("match", Decimal("0.0001"), Decimal("0.0001"))


def test_units_that_are_no_multiples_and_token_audio_keys_are_not_bridged(migrated_db):
    """Per image vs per 1M pixels, per GB-day vs per GB-month, and token-priced audio input vs text input are
    different prices: the registry lacks them."""
    registry = [
        _price("litellm", "img-9", "0.04", key="output_image", unit="per_1m_pixels"),
        _price("litellm", "store-9", "0.1", key="vector_store", unit="per_gb_month"),
        _price("litellm", "rt-9", "4"),  # text input per 1M tokens
    ]
    page = [
        _price("openai", "img-9", "0.04", key="output_image", unit="per_image"),
        _price("openai", "store-9", "0.1", key="vector_store", unit="per_gb_day"),
        _price("openai", "rt-9", "4", key="input_audio"),
    ]
    rows = _check(migrated_db, registry, page)
    assert [(r[0], r[5]) for r in rows] == [
        ("img-9", "missing_in_registry"), ("rt-9", "missing_in_registry"), ("store-9", "missing_in_registry"),
    ]  # fmt: skip


def test_same_key_and_unit_is_preferred_over_a_bridged_one(migrated_db):
    registry = [
        _price("litellm", "live-9", "0.0002", unit="per_second"),
        _price("litellm", "live-9", "0.005", key="input_audio", unit="per_minute"),
    ]
    page = [_price("openai", "live-9", "0.005", key="input_audio", unit="per_minute")]
    (row,) = _check(migrated_db, registry, page)
    assert row[5:10] == ("match", Decimal("0.005"), Decimal("0.005"), "input_audio", "per_minute")


def test_other_currencies_and_times_of_day_are_not_comparable(migrated_db):
    """A CNY or an off-peak page price is never compared with the registry's USD, all-day price of the model."""
    registry = [_price("litellm", "chat-9", "0.3", vendor="deepseek")]
    page = [
        _price("openai", "chat-9", "0.3", vendor="deepseek"),
        _price("openai", "chat-9", "2", vendor="deepseek", currency="CNY"),
        _price("openai", "chat-9", "0.15", vendor="deepseek", time_window="16:30-00:30"),
    ]
    rows = _check(migrated_db, registry, page)
    assert [(r[3], r[4], r[5], r[7]) for r in rows] == [
        ("CNY", "", "not_comparable", None), ("USD", "", "match", Decimal("0.3")),
        ("USD", "16:30-00:30", "not_comparable", None),
    ]  # fmt: skip


def test_a_currency_the_registry_prices_is_compared(migrated_db):
    registry = [_price("litellm", "chat-9", "2", vendor="deepseek", currency="CNY")]
    page = [_price("openai", "chat-9", "2.5", vendor="deepseek", currency="CNY")]
    (row,) = _check(migrated_db, registry, page)
    assert row[3] == "CNY" and row[5] == "mismatch"


@pytest.mark.parametrize(
    ("registry_model", "page_model"),
    [("claude-4-sonnet-20250514", "claude-sonnet-4"), ("claude-opus-4-1-20250805", "claude-4-1-opus")],
)
def test_word_order_spellings_are_compared(migrated_db, registry_model, page_model):
    registry = [_price("litellm", registry_model, "3", vendor="anthropic")]
    page = [_price("openai", page_model, "3", vendor="anthropic")]
    (row,) = _check(migrated_db, registry, page)
    assert row[5] == "match"


def test_a_vendor_the_registry_does_not_price_is_missing_not_incomparable(migrated_db):
    registry = [_price("litellm", "chat-9", "0.3", vendor="deepseek")]
    page = [_price("openai", "chat-9", "2", vendor="router", currency="CNY")]
    (row,) = _check(migrated_db, registry, page)
    assert row[5] == "missing_in_registry"


def test_the_registrys_ft_prices_are_the_fine_tuned_variant(migrated_db):
    """LiteLLM's ``ft:gpt-9-2026-01-01`` is the page's gpt-9-2026-01-01 "fine-tuned"; the base price stays base."""
    registry = [_price("litellm", "gpt-9-2026-01-01", "2"), _price("litellm", "ft:gpt-9-2026-01-01", "3")]
    page = [
        _price("openai", "gpt-9-2026-01-01", "2"),
        _price("openai", "gpt-9-2026-01-01", "3", variant="fine-tuned"),
        _price("openai", "gpt-9-2026-01-01", "3", variant="fine-tuned with data sharing"),
    ]
    con = connect(migrated_db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    load_run(con, StagedRun(_run("crawl-1-openai", "openai", 2), page))
    record_crosschecks(con, "crawl-1-openai")
    rows = con.execute(
        "SELECT variant, status, registry_model_key FROM crosschecks_current WHERE status <> 'missing_on_page' "
        "ORDER BY variant"
    ).fetchall()
    assert rows == [
        ("", "match", "gpt-9-2026-01-01"),
        ("fine-tuned", "match", "ft:gpt-9-2026-01-01"),
        ("fine-tuned with data sharing", "missing_in_registry", None),
    ]


@pytest.mark.parametrize(
    ("registry_models", "compared_with"),
    [
        (["meta/llama-9-70b-instruct-maas"], "meta/llama-9-70b-instruct-maas"),  # the only flavour the vendor sells
        (["gemma-9-12b-it"], "gemma-9-12b-it"),
        (["llama-9-70b", "llama-9-70b-instruct"], "llama-9-70b"),  # a base model listed is the page's model
        (["llama-9-70b-instruct", "llama-9-70b-it"], None),  # two instruction-tuned models: which one is unsaid
    ],
)
def test_a_page_name_without_instruct_meets_the_vendors_only_instruct_model(
    migrated_db, registry_models, compared_with
):
    """Vertex's "Llama 3.3 70B" is LiteLLM's vertex_ai/meta/llama-3.3-70b-instruct-maas."""
    page_model = "gemma-9-12b" if registry_models[0].startswith("gemma") else "llama-9-70b"
    registry = [_price("litellm", m, "0.72", vendor="vertex") for m in registry_models]
    got = _compared(migrated_db, registry, [_price("vertex", page_model, "0.72", vendor="vertex")])
    assert got == [("match", compared_with)] if compared_with else [("missing_in_registry", None)]


def _by_context(db, registry: list[dict], page: list[dict]) -> list[tuple]:
    return _compared(db, registry, page, "price_key, context_min_tokens, status, registry_price")


def test_a_price_above_a_prompt_size_meets_a_registry_price_that_holds_at_every_size(migrated_db):
    """LiteLLM charges a price with no ``_above_200k_tokens`` field at every prompt size."""
    registry = [_price("litellm", "gpt-9", "3"), _price("litellm", "gpt-9", "15", key="output")]
    page = [
        _price("openai", "gpt-9", "3"),
        _price("openai", "gpt-9", "3", context_min_tokens=200_000),
        _price("openai", "gpt-9", "22.5", key="output", context_min_tokens=200_000),
    ]
    assert _by_context(migrated_db, registry, page) == [
        ("input", 0, "match", Decimal(3)),
        ("input", 200_000, "match", Decimal(3)),
        ("output", 200_000, "mismatch", Decimal(15)),  # LiteLLM would undercharge a long prompt's output
    ]


def test_a_registry_that_states_its_size_thresholds_is_compared_at_those_only(migrated_db):
    registry = [_price("litellm", "gpt-9", "3"), _price("litellm", "gpt-9", "6", context_min_tokens=200_000)]
    page = [
        _price("openai", "gpt-9", "6", context_min_tokens=200_000),
        _price("openai", "gpt-9", "5", context_min_tokens=128_000),  # a threshold the registry does not price
    ]
    assert _by_context(migrated_db, registry, page) == [
        ("input", 128_000, "missing_in_registry", None),
        ("input", 200_000, "match", Decimal(6)),
    ]


def test_a_size_threshold_stated_for_one_tier_leaves_the_other_tiers_unstated(migrated_db):
    registry = [
        _price("litellm", "gpt-9", "3"),
        _price("litellm", "gpt-9", "6", context_min_tokens=200_000),
        _price("litellm", "gpt-9", "1.5", service_tier="flex"),
    ]
    page = [_price("openai", "gpt-9", "3", context_min_tokens=200_000, service_tier="flex")]
    assert _by_context(migrated_db, registry, page) == [("input", 200_000, "missing_in_registry", None)]


def test_a_live_api_page_name_meets_googles_live_model_id(migrated_db):
    """Vertex's "Gemini 2.5 Flash Live API" is LiteLLM's gemini-live-2.5-flash-native-audio; a preview snapshot of
    another name is not a candidate, so the GA model is the one match."""
    registry = [
        _price("litellm", "gemini-live-9-flash-native-audio", "0.5", vendor="vertex"),
        _price("litellm", "gemini-live-9-flash-preview-native-audio-09-2025", "0.5", vendor="vertex"),
    ]
    page = [_price("vertex", "gemini-9-flash-live-api", "0.5", vendor="vertex")]
    assert _compared(migrated_db, registry, page) == [("match", "gemini-live-9-flash-native-audio")]


@pytest.mark.parametrize(
    ("vendor", "registry_models", "page_model", "expected"),
    [
        # a page's snapshot meets only that snapshot, never another one of the same catalogue model
        ("cohere", ["command-r", "command-r-08-2024"], "command-r-03-2024", ("missing_in_registry", None)),
        ("cohere", ["command-r", "command-r-08-2024"], "command-r-08-2024", ("match", "command-r-08-2024")),
        ("cohere", ["command-r-08-2024"], "command-r", ("match", "command-r-08-2024")),  # undated: its snapshot
        # "-20-0309" is no month-year: Grok 4.20's 0309 snapshot is not a snapshot of Grok 4 (migration 020)
        ("xai", ["xai/grok-4", "xai/grok-4.20-0309"], "grok-4-0709", ("missing_in_registry", None)),
    ],
)
def test_a_snapshot_on_the_page_meets_only_that_snapshot(migrated_db, vendor, registry_models, page_model, expected):
    registry = [_price("litellm", m, "1", vendor=vendor) for m in registry_models]
    assert _compared(migrated_db, registry, [_price(vendor, page_model, "1", vendor=vendor)]) == [expected]


def test_a_vendors_other_endpoint_is_never_compared_with_its_main_price(migrated_db):
    """LiteLLM's codestral/ keys are the free codestral.mistral.ai endpoint (variant codestral-endpoint): the
    Mistral page's codestral-latest meets mistral/codestral-latest, not the alphabetically first key."""
    registry = [
        _price("litellm", "codestral/codestral-latest", "0", vendor="mistral", variant="codestral-endpoint"),
        _price("litellm", "mistral/codestral-latest", "0.3", vendor="mistral"),
    ]
    page = [_price("mistral", "codestral-latest", "0.3", vendor="mistral")]
    assert _compared(migrated_db, registry, page) == [("match", "mistral/codestral-latest")]


def test_a_snapshot_day_written_otherwise_is_the_same_snapshot(migrated_db):
    """Azure's meter ``o1 1217`` is the registry's o1-2024-12-17, not its o1-2024-09-12."""
    registry = [_price("litellm", m, p, vendor="azure") for m, p in
                (("azure/o1", "15"), ("azure/o1-2024-09-12", "15"), ("azure/o1-2024-12-17", "16"))]  # fmt: skip
    page = [_price("azure", "o1-1217", "16", vendor="azure")]
    assert _compared(migrated_db, registry, page) == [("match", "azure/o1-2024-12-17")]
