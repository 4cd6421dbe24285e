"""LiteLLM providers that are one endpoint of a vendor: ``bedrock_mantle/`` keys are Bedrock's Mantle endpoint
(vendor bedrock, variant ``mantle``), ``codestral/`` keys Mistral's codestral.mistral.ai endpoint (variant
``codestral-endpoint``); migration 019 re-keys registry prices stored under the old identity, keeping their
history."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from aiprices.crawler.extract.litellm_keys import split_key
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_id, price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

KEY = "bedrock_mantle/openai.gpt-oss-120b"
DAY = [datetime(2026, 3, d, tzinfo=UTC) for d in (1, 2, 3)]


def test_a_mantle_key_is_bedrocks_mantle_variant():
    assert split_key(KEY, "bedrock_mantle") == ("bedrock", "openai.gpt-oss-120b", "", "mantle")
    regional = "bedrock_mantle/us-gov-west-1/openai.gpt-oss-120b"
    assert split_key(regional, "bedrock_mantle") == ("bedrock", "openai.gpt-oss-120b", "us-gov-west-1", "mantle")
    assert split_key("openai.gpt-oss-120b-1:0", "bedrock_converse")[3] == ""
    assert split_key("codestral/codestral-latest", "codestral") == (
        "mistral", "codestral-latest", "", "codestral-endpoint")  # fmt: skip
    assert split_key("mistral/codestral-latest", "mistral")[3] == ""  # api.mistral.ai's price


def _row(vendor: str, variant: str, price: str, key: str = "input") -> dict:
    return price_row(source="litellm", vendor=vendor, model="openai.gpt-oss-120b", source_model_key=KEY,
                     price_key=key, unit="usd_per_1m_tokens", variant=variant, price=Decimal(price))  # fmt: skip


def _load(con, day: int, rows: list[dict]) -> None:
    at = DAY[day]
    load_run(con, StagedRun(RunRecord(f"reg-{day}", "litellm", "registry", at, at), rows))


def test_stored_mantle_prices_are_re_keyed_and_keep_their_history(migrated_db):
    con = connect(migrated_db)
    _load(con, 0, [_row("bedrock_mantle", "", "0.15"), _row("bedrock_mantle", "", "0.6", "output")])
    _load(con, 1, [_row("bedrock_mantle", "", "0.16"), _row("bedrock_mantle", "", "0.6", "output")])
    con.execute("DELETE FROM schema_migrations WHERE version = 19")  # as a file written before 019
    con.close()

    con = connect(migrated_db)
    _load(con, 2, [_row("bedrock", "mantle", "0.16"), _row("bedrock", "mantle", "0.7", "output")])  # today's reader
    changes = con.execute("SELECT run_id, kind, vendor, variant, price_key FROM changes ORDER BY ALL").fetchall()
    history = con.execute(
        "SELECT price_id, vendor, variant, price_key, price, valid_from FROM price_intervals ORDER BY price_key, 6"
    ).fetchall()
    names = con.execute("SELECT vendor FROM catalogue_names WHERE source_model_key = ?", [KEY]).fetchall()
    con.close()
    assert [c for c in changes if c[1] != "added"] == [
        ("reg-1", "changed", "bedrock", "mantle", "input"),
        ("reg-2", "changed", "bedrock", "mantle", "output"),
    ]
    new_in, new_out = price_id(_row("bedrock", "mantle", "0")), price_id(_row("bedrock", "mantle", "0", "output"))
    assert history == [
        (new_in, "bedrock", "mantle", "input", Decimal("0.15"), DAY[0]),
        (new_in, "bedrock", "mantle", "input", Decimal("0.16"), DAY[1]),
        (new_out, "bedrock", "mantle", "output", Decimal("0.6"), DAY[0]),
        (new_out, "bedrock", "mantle", "output", Decimal("0.7"), DAY[2]),
    ]
    assert names == [("bedrock",)]


def test_a_stored_codestral_endpoint_price_becomes_its_variant(migrated_db):
    key = "codestral/codestral-latest"
    old = price_row(source="litellm", vendor="mistral", model="codestral-latest", source_model_key=key,
                    price_key="input", unit="usd_per_1m_tokens", price=Decimal(0))  # fmt: skip
    con = connect(migrated_db)
    _load(con, 0, [old])
    con.execute("DELETE FROM schema_migrations WHERE version = 19")
    con.close()
    con = connect(migrated_db)
    got = con.execute("SELECT vendor, variant, price_id FROM price_intervals").fetchall()
    con.close()
    assert got == [("mistral", "codestral-endpoint", price_id(old | {"variant": "codestral-endpoint"}))]
