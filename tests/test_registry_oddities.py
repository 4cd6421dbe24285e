"""Each registry oddity of shared/notes/litellm-registry.md, on small copies written here."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.crawler.extract.litellm_fields import parse_field
from aiprices.crawler.extract.litellm_keys import split_key
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect


def _write(folder: Path, day: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{day}.json").write_text(text)


def _entries(**entries) -> str:
    return json.dumps(entries, indent=4)


def _prices(con, key: str) -> dict:
    rows = con.execute(
        "SELECT price_key, unit, service_tier, context_min_tokens, variant, currency, price "
        "FROM prices_current WHERE source_model_key = ?",
        [key],
    ).fetchall()
    return {r[:5]: (r[5], r[6]) for r in rows}


@pytest.fixture
def con(migrated_db):
    c = connect(migrated_db)
    yield c
    c.close()


def test_duplicate_key_last_copy_wins_and_is_reported(tmp_path, con):
    text = (
        '{\n    "m/dup": {\n        "input_cost_per_token": 1e-06,\n        "litellm_provider": "openrouter"\n    },\n'
        '    "m/dup": {\n        "input_cost_per_token": 3e-06,\n        "litellm_provider": "openrouter"\n    }\n}\n'
    )
    _write(tmp_path / "c", "2025-01-01", text)
    result = backfill(con, tmp_path / "c")
    assert _prices(con, "m/dup")[("input", "usd_per_1m_tokens", "standard", 0, "")] == ("USD", Decimal("3"))
    assert any("duplicate keys (last copy wins): m/dup" in w for w in result.warnings)


def test_exponent_and_decimal_formats_are_the_same_price(tmp_path, con):
    _write(tmp_path / "c", "2025-01-01", _entries(a={"input_cost_per_token": 0.000003, "litellm_provider": "x"}))
    _write(
        tmp_path / "c",
        "2025-01-02",
        '{\n    "a": {\n        "input_cost_per_token": 3e-06,\n        "litellm_provider": "x"\n    }\n}\n',
    )
    result = backfill(con, tmp_path / "c")
    assert result.changed == 0 and result.added == 1


def test_object_valued_fields_dbu_units_unknown_and_irregular_names(tmp_path, con):
    entry = {
        "litellm_provider": "databricks",
        "search_context_cost_per_query": {"search_context_size_low": 0.005, "search_context_size_high": 0.01},
        "guardrail_cost_per_unit": {"contentPolicyUnits": 0.00015},
        "input_dbu_cost_per_token": 0.000015,
        "output_db_cost_per_token": 0.00002,
        "output_cost_per_image_0.5K": 0.02,
        "output_cost_per_image_4k": 0.2,
        "input_cost_per_token_batch_requests": 0.0000005,
        "input_cost_per_token_above_200k_tokens_priority": 0.000006,
        "brand_new_cost_per_widget": 0.5,
        "max_tokens": 8192,
    }
    _write(tmp_path / "c", "2025-01-01", _entries(**{"databricks/m": entry}))
    result = backfill(con, tmp_path / "c")
    p = _prices(con, "databricks/m")
    assert p[("search", "per_1k_queries", "standard", 0, "low")] == ("USD", Decimal("5"))
    assert p[("search", "per_1k_queries", "standard", 0, "high")] == ("USD", Decimal("10"))
    assert p[("guardrail", "per_unit", "standard", 0, "contentPolicyUnits")] == ("USD", Decimal("0.00015"))
    assert p[("input", "dbu_per_1m_tokens", "standard", 0, "")] == ("DBU", Decimal("15"))
    assert p[("output", "dbu_per_1m_tokens", "standard", 0, "output_db_cost_per_token")] == ("DBU", Decimal(20))
    assert p[("output_image", "per_image", "standard", 0, "0.5K")] == ("USD", Decimal("0.02"))
    assert p[("output_image", "per_image", "standard", 0, "4K")] == ("USD", Decimal("0.2"))
    assert p[("input", "usd_per_1m_tokens", "batch", 0, "")] == ("USD", Decimal("0.5"))
    assert p[("input", "usd_per_1m_tokens", "priority", 200000, "")] == ("USD", Decimal("6"))
    assert p[("unknown", "unknown", "standard", 0, "brand_new_cost_per_widget")] == ("USD", Decimal("0.5"))
    assert any("brand_new_cost_per_widget x1" in w for w in result.warnings)
    assert len(p) == 10  # max_tokens is no price


def test_entry_that_vanishes_and_returns(tmp_path, con):
    price = {"input_cost_per_token": 0.000001, "litellm_provider": "deepseek"}
    other = {"input_cost_per_token": 0.000002, "litellm_provider": "openai"}
    _write(tmp_path / "c", "2025-01-01", _entries(**{"deepseek-chat": price, "gpt-x": other}))
    _write(tmp_path / "c", "2025-01-03", _entries(**{"gpt-x": other}))
    _write(tmp_path / "c", "2025-09-28", _entries(**{"deepseek-chat": price, "gpt-x": other}))
    backfill(con, tmp_path / "c")
    kinds = con.execute(
        "SELECT changed_on::VARCHAR, kind FROM price_changes WHERE source_model_key = 'deepseek-chat' ORDER BY 1"
    ).fetchall()
    assert kinds == [("2025-01-01", "added"), ("2025-01-03", "removed"), ("2025-09-28", "added")]
    gap = con.execute(
        "SELECT count(*) FROM prices_on(DATE '2025-05-01') WHERE source_model_key = 'deepseek-chat'"
    ).fetchone()
    assert gap == (0,)


def test_tiered_pricing_and_sample_spec(tmp_path, con):
    entry = {
        "litellm_provider": "dashscope",
        "tiered_pricing": [
            {"input_cost_per_token": 5e-08, "output_cost_per_token": 4e-07, "range": [0, 256000]},
            {"input_cost_per_token": 2.5e-07, "output_cost_per_token": 2e-06, "range": [256000, 1000000]},
        ],
    }
    spec = {"input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers"}
    _write(tmp_path / "c", "2025-01-01", _entries(sample_spec=spec, **{"dashscope/qwen-flash": entry}))
    backfill(con, tmp_path / "c")
    p = _prices(con, "dashscope/qwen-flash")
    assert p[("input", "usd_per_1m_tokens", "standard", 256000, "tiered")] == ("USD", Decimal("0.25"))
    assert p[("output", "usd_per_1m_tokens", "standard", 0, "tiered")] == ("USD", Decimal("0.4"))
    assert _prices(con, "sample_spec") == {}


def test_compact_layout_falls_back_to_a_full_parse(tmp_path, con):
    _write(tmp_path / "c", "2025-01-01", json.dumps({"a": {"input_cost_per_token": 1e-06}}))
    _write(tmp_path / "c", "2025-01-02", json.dumps({"a": {"input_cost_per_token": 2e-06}}))
    result = backfill(con, tmp_path / "c")
    assert (result.added, result.changed) == (1, 1)


def test_git_clone_history_one_version_per_day(tmp_path, con):
    repo = tmp_path / "litellm"
    repo.mkdir()

    def git(*args, env_date=None):
        env = {"GIT_AUTHOR_DATE": env_date, "GIT_COMMITTER_DATE": env_date} if env_date else {}
        subprocess.run(
            ["git", "-C", str(repo), *args],
            check=True,
            capture_output=True,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        )

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    target = repo / "model_prices_and_context_window.json"
    for when, price in (
        ("2025-01-01T09:00:00Z", 1e-06),
        ("2025-01-01T18:00:00Z", 2e-06),
        ("2025-01-05T12:00:00Z", 3e-06),
    ):
        target.write_text(_entries(**{"gpt-4o": {"input_cost_per_token": price, "litellm_provider": "openai"}}))
        git("add", ".")
        git("commit", "-qm", f"price {price}", env_date=when)
    result = backfill(con, repo)
    assert result.loaded == 2  # the 09:00 commit is superseded by the same day's 18:00 commit
    changes = con.execute(
        "SELECT changed_at::VARCHAR, kind, old_price, new_price FROM price_changes ORDER BY changed_at"
    ).fetchall()
    assert changes == [
        ("2025-01-01 18:00:00+00", "added", None, Decimal("2")),
        ("2025-01-05 12:00:00+00", "changed", Decimal("2"), Decimal("3")),
    ]


def test_field_and_key_vocabulary():
    spec = parse_field("cache_creation_input_token_cost_above_1hr_above_200k_tokens_priority")
    assert (spec.price_key, spec.service_tier, spec.context_min_tokens) == ("cache_write_1h", "priority", 200000)
    assert split_key("bedrock/us-east-1/anthropic.claude-3", "bedrock") == (
        "bedrock",
        "anthropic.claude-3",
        "us-east-1",
        "",
    )
    assert split_key("azure/hd/1024-x-1024/dall-e-3", "azure") == ("azure", "dall-e-3", "", "hd/1024x1024")
    assert split_key("us.anthropic.claude-sonnet-4", "bedrock") == ("bedrock", "anthropic.claude-sonnet-4", "us", "")
