"""Every example budget on a warehouse backfilled from the shared LiteLLM registry copies: ``budget price --on
D`` and ``budget reprice --to D`` value each line identically, because both ask the one resolver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.registry import backfill
from click.testing import CliRunner

from aiprices.commands.budget import budget

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "budgets"
AMOUNTS = ("one_time", "monthly", "first_year")
# Before the haiku price cut, on its day, between, and after the 2025-12-07 copy.
DATES = ("2024-12-15", "2025-06-01", "2025-09-30", "2026-01-15")


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory) -> str:
    from conftest import shared_path

    db = tmp_path_factory.mktemp("wh") / "prices.duckdb"
    con = connect(db)
    backfill(con, shared_path("litellm-registry"))
    con.close()
    return str(db)


def _json(args: list[str]) -> list[dict]:
    res = CliRunner().invoke(budget, [*args, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("day", DATES)
def test_price_on_and_reprice_to_agree_line_by_line(registry_db, day):
    priced = _json(["price", str(EXAMPLES), "--on", day, "--db", registry_db])
    repriced = _json(["reprice", str(EXAMPLES), "--to", day, "--db", registry_db])
    assert [b["budget"] for b in priced] == [b["budget"] for b in repriced] and len(priced) == 4
    for p, r in zip(priced, repriced, strict=True):
        assert [line["name"] for line in p["lines"]] == [line["name"] for line in r["lines"]]
        for p_line, r_line in zip(p["lines"], r["lines"], strict=True):
            assert {k: p_line[k] for k in AMOUNTS} == r_line["to"], (p["budget"], p_line["name"], day)
        assert {k: p["total"][k] for k in AMOUNTS} == r["total"]["to"]


def test_priced_on_is_the_reprice_starting_point(registry_db):
    priced = _json(["price", str(EXAMPLES), "--db", registry_db])
    repriced = _json(["reprice", str(EXAMPLES), "--to", "2025-09-30", "--db", registry_db])
    for p, r in zip(priced, repriced, strict=True):
        assert p["on"] == r["from"]
        assert [{k: line[k] for k in AMOUNTS} for line in p["lines"]] == [line["from"] for line in r["lines"]]
    haiku = next(b for b in priced if b["budget"] == "legal-assistant")["lines"][0]
    # 2000 calls x 30 days: 3000-token prompts half cached, a quarter of calls batched (published batch
    # prices are used where the registry has them, the documented 50% otherwise)
    assert haiku["prices"]["input"] == "1" and haiku["prices"]["output"] == "5"
    assert haiku["monthly"] == "191.63"
