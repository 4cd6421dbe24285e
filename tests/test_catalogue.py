"""The model catalogue on a small warehouse we write ourselves: its views, the cross-check, the resolver, the
query commands and `calc compare` all see one model behind its sources' spellings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from aiprices.calculators.offers import offers_on
from aiprices.warehouse.catalogue import MODES, canonical_of, offers_of
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.errors import UnknownModel
from aiprices.warehouse.load import load_run
from aiprices.warehouse.resolve import asks_table, resolve
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.cli import cli

D = Decimal
TOKENS = "usd_per_1m_tokens"
OLD, NEW = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)


def _load(con, source: str, when: datetime, rows: list[tuple]) -> None:
    """rows: (vendor, model, key, price_key, price[, unit[, extra fields]])."""
    built = []
    for vendor, model, key, price_key, price, *rest in rows:
        unit = rest[0] if rest else TOKENS
        extra = rest[1] if len(rest) > 1 else {}
        built.append(price_row(source=source, vendor=vendor, model=model, source_model_key=key,
                               price_key=price_key, unit=unit, price=D(price), **extra))  # fmt: skip
    kind = "registry" if source == "litellm" else "replay"
    load_run(con, StagedRun(RunRecord(f"{source}-{when:%Y%m%d}", source, kind, when, when), built))


@pytest.fixture
def con(db_path):
    con = connect(db_path)
    _load(con, "litellm", OLD, [*HAIKU, *REGISTRY])
    _load(con, "anthropic", OLD, [
        ("anthropic", "claude-3-5-haiku", "Claude Haiku 3.5", "input", "0.8"),
        ("anthropic", "claude-3-5-haiku", "Claude Haiku 3.5", "output", "4"),
    ])  # fmt: skip
    _load(con, "openrouter", OLD, [
        ("openrouter", "anthropic/claude-sonnet-4.6", "anthropic/claude-sonnet-4.6", "input", "3"),
        ("openrouter", "anthropic/claude-sonnet-4.6", "anthropic/claude-sonnet-4.6", "output", "15"),
    ])  # fmt: skip
    _load(con, "fireworks", OLD, [("fireworks", "glm-5.3-fast", "GLM 5.3 Fast", "input", "1.2")])
    yield con
    con.close()


HAIKU = [
    ("anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022", "input", "0.8"),
    ("anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022", "output", "4"),
]
REGISTRY = [
        ("anthropic", "claude-sonnet-4-6", "claude-sonnet-4-6", "input", "3"),
        ("anthropic", "claude-sonnet-4-6", "claude-sonnet-4-6", "output", "15"),
        ("bedrock", "anthropic.claude-sonnet-4-6-v1:0", "us.anthropic.claude-sonnet-4-6-v1:0", "input", "3.3",
         TOKENS, {"region": "us"}),
        ("openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13", "input", "5"),
        ("fireworks", "accounts/fireworks/models/glm-5p3-fast", "fireworks_ai/accounts/fireworks/models/glm-5p3-fast",
         "input", "1.2"),
        ("openai", "text-embedding-3-small", "text-embedding-3-small", "input", "0.02"),
        ("openai", "text-embedding-3-small", "text-embedding-3-small", "output", "0.01"),
        ("openai", "dall-e-3", "dall-e-3", "output_image", "0.04", "per_image"),
]  # fmt: skip


def _alias(con, source: str, key: str) -> tuple[str, str]:
    return con.execute(
        "SELECT model, mode FROM model_aliases WHERE source = ? AND source_model_key = ?", [source, key]
    ).fetchone()


def test_every_source_key_maps_to_one_model(con):
    (keys,) = con.execute("SELECT count(DISTINCT (source, source_model_key)) FROM price_intervals").fetchone()
    (aliases, distinct) = con.execute(
        "SELECT count(*), count(DISTINCT (source, source_model_key)) FROM model_aliases"
    ).fetchone()
    assert keys == aliases == distinct
    assert _alias(con, "openrouter", "anthropic/claude-sonnet-4.6") == ("claude-sonnet-4-6", "chat")
    assert _alias(con, "litellm", "us.anthropic.claude-sonnet-4-6-v1:0")[0] == "claude-sonnet-4-6"
    assert _alias(con, "litellm", "fireworks_ai/accounts/fireworks/models/glm-5p3-fast")[0] == "glm-5.3-fast"
    assert _alias(con, "fireworks", "GLM 5.3 Fast")[0] == "glm-5.3-fast"


def test_a_dated_id_joins_its_undated_alias_only_where_one_is_listed(con):
    assert _alias(con, "litellm", "claude-3-5-haiku-20241022")[0] == "claude-3-5-haiku"
    assert _alias(con, "litellm", "gpt-4o-2024-05-13")[0] == "gpt-4o-2024-05-13"  # nobody lists gpt-4o


def test_models_view(con):
    rows = {r[0]: r[1:] for r in con.execute("SELECT model, vendor, family, mode, sources FROM models").fetchall()}
    assert rows["claude-sonnet-4-6"] == ("anthropic", "claude-sonnet", "chat", 2)
    assert rows["text-embedding-3-small"][2] == "embedding"
    assert rows["dall-e-3"][2] == "image"
    assert {mode for *_, mode, _ in rows.values()} <= set(MODES)


def test_crosscheck_compares_one_model_across_spellings(con):
    status = dict(con.execute(
        "SELECT source || ':' || price_key, status FROM crosschecks_current WHERE source <> 'openrouter'"
    ).fetchall())  # fmt: skip
    # the page's undated claude-3-5-haiku against the registry's dated id; Fireworks' p for dots
    assert status == {"anthropic:input": "match", "anthropic:output": "match", "fireworks:input": "match"}
    (key,) = con.execute(
        "SELECT DISTINCT registry_model_key FROM crosschecks_current WHERE source = 'anthropic'"
    ).fetchone()
    assert key == "claude-3-5-haiku-20241022"


def test_a_budget_naming_a_dropped_dated_id_keeps_the_vendors_alias_price(con):
    _load(con, "litellm", NEW, REGISTRY)  # the registry drops the dated id
    ask = {"ask_id": 0, "as_of": NEW, "name": "claude-3-5-haiku-20241022", "price_key": "input", "unit": TOKENS}
    found = resolve(con, asks_table([ask]))[0]
    assert (found.source, found.source_model_key, found.price) == ("anthropic", "Claude Haiku 3.5", D("0.8"))


def test_the_name_as_written_wins_over_other_spellings(con):
    ask = {"ask_id": 0, "as_of": OLD, "name": "anthropic/claude-sonnet-4.6", "price_key": "input", "unit": TOKENS}
    assert resolve(con, asks_table([ask]))[0].source == "openrouter"
    ask |= {"name": "claude-sonnet-4.6"}  # no source writes it so: the same model's litellm offer answers
    found = resolve(con, asks_table([ask]))[0]
    assert (found.source, found.source_model_key) == ("litellm", "claude-sonnet-4-6")


def test_names_resolve_through_the_catalogue(con):
    assert canonical_of(con, "us.anthropic.claude-sonnet-4-6-v1:0") == ["claude-sonnet-4-6"]
    assert canonical_of(con, "Claude-Sonnet-4.6") == ["claude-sonnet-4-6"]
    keys = {key for _, key in offers_of(con, "claude-sonnet-4.6")}
    assert keys == {"claude-sonnet-4-6", "us.anthropic.claude-sonnet-4-6-v1:0", "anthropic/claude-sonnet-4.6"}
    assert {key for _, key in offers_of(con, "Claude Haiku 3.5")} == {"Claude Haiku 3.5"}  # a page's own key
    with pytest.raises(UnknownModel, match="closest: claude-sonnet-4-6"):
        offers_of(con, "claude-sonet-4-6")


def test_price_and_history_show_every_offer_of_the_model(db_path, con):
    con.close()
    runner = CliRunner()
    out = runner.invoke(
        cli, ["price", "claude-sonnet-4.6", "--on", "2025-03-02", "--format", "csv", "--db", str(db_path)]
    )
    assert out.exit_code == 0, out.output
    assert "anthropic/claude-sonnet-4.6" in out.output and "us.anthropic.claude-sonnet-4-6-v1:0" in out.output
    out = runner.invoke(cli, ["history", "claude-3-5-haiku", "--format", "csv", "--db", str(db_path)])
    assert "claude-3-5-haiku-20241022" in out.output and "Claude Haiku 3.5" in out.output
    out = runner.invoke(cli, ["price", "claude-sonet-4-6", "--db", str(db_path)])
    assert out.exit_code != 0 and "closest: claude-sonnet-4-6" in out.output + str(out.exception)


def test_compare_ranks_one_mode_with_a_header(db_path, con):
    chat = {o.model for o in offers_on(con, date(2025, 3, 2))}
    assert "text-embedding-3-small" not in chat and "claude-sonnet-4-6" in chat
    assert {o.model for o in offers_on(con, date(2025, 3, 2), mode="embedding")} == {"text-embedding-3-small"}
    con.close()
    args = ["calc", "compare", "--on", "2025-03-02", "--input-tokens", "1000", "--output-tokens", "100"]
    out = CliRunner().invoke(cli, [*args, "--db", str(db_path)])
    assert out.exit_code == 0, out.output
    header, *rows = out.output.splitlines()
    assert header.split()[:4] == ["rank", "vendor", "model", "source"]
    assert all("embedding" not in row for row in rows) and len(rows) == 3  # per vendor: anthropic, openrouter, haiku
