"""Budget lines with the seeds' remaining features: training split, calls a month, tier, request fees and a
line routed between two models, priced alike by ``budget price`` and the set-based ``budget reprice``."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.calculators.budget import budget_json, price_budget
from aiprices.calculators.budget_file import load_budget, parse_budget
from aiprices.calculators.errors import BudgetError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.budget import budget

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "budgets"
D = Decimal
TOKENS = "usd_per_1m_tokens"


def test_seed_001_split_budget_is_114_then_1080_a_month():
    data = budget_json(price_budget(load_budget(EXAMPLES / "seed-001-split.yaml"), None))
    tuning, bot = data["lines"]
    assert tuning["one_time"] == "114.00" and tuning["prices"] == {"training input": "8", "training output": "12"}
    assert bot["monthly"] == "1080.00"
    assert data["total"]["first_year"] == data["saved_total"] == "13074.00"


def test_seed_002_routing_budget_80_20():
    value = price_budget(load_budget(EXAMPLES / "seed-002-routing.yaml"), None)
    completions, voice, tuning = value.lines
    # 15M calls a month: 12M x (400 x $0.30 + 60 x $1.20) / 1M + 3M x ((400 x $2.50 + 60 x $10) / 1M + $0.001)
    assert completions.monthly == D(2304) + D(4800) + D(3000)
    assert set(completions.prices) == {
        "fine-tuned small: input",
        "fine-tuned small: output",
        "frontier: input",
        "frontier: output",
        "frontier: requests",
    }
    assert voice.monthly == D(231) and set(voice.prices) == {"priority input", "priority output"}
    assert tuning.one_time == D(768)


LINE = """\
name: b
priced_on: 2025-03-01
lines:
  - name: chat
    kind: token
{extra}    input_tokens: 1000
    output_tokens: 100
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "    model: m\n    calls_per_day: 1\n    calls_per_month: 30\n",
            r"b.yaml:4: lines\[0\]: give calls_per_day or calls_per_month, not both",
        ),
        (
            "    routes:\n      - {model: a, share: 0.7}\n      - {model: b, share: 0.2}\n",
            r"b.yaml:4: lines\[0\]: route shares add up to 0.9, not 1",
        ),
        (
            "    routes:\n      - {model: a, share: 0.5}\n      - {prices: {input: $1 per 1M tokens}, share: 0.5}\n",
            r"lines\[0\]: routes are either all models or all written prices",
        ),
        (
            "    model: m\n    routes:\n      - {model: a, share: 0.5}\n      - {model: b, share: 0.5}\n",
            r"lines\[0\]: a routed line gives model or prices in each route, not on the line",
        ),
        ("    routes:\n      - {model: a, share: 1}\n", r"b.yaml:6: lines\[0\].routes: List should have at least 2"),
        (
            "    routes:\n      - {model: a, share: 0.5, prices: {input: $1 per 1M tokens}}\n"
            "      - {model: b, share: 0.5}\n",
            r"b.yaml:7: lines\[0\].routes\[0\]: a route gives either model or prices",
        ),
        (
            "    routes:\n      - {prices: {input: one dollar}, share: 0.5}\n"
            "      - {prices: {input: $1 per 1M tokens}, share: 0.5}\n",
            r"b.yaml:7: lines\[0\].routes\[0\].prices.input: cannot read price 'one dollar'",
        ),
        ("    model: m\n    tier: flexible\n", r"b.yaml:7: lines\[0\].tier: 'flexible' is not one of"),
    ],
)
def test_new_fields_validate_with_lines(extra, expected):
    with pytest.raises(BudgetError, match=expected):
        parse_budget(LINE.format(extra=extra), "b.yaml")


def test_finetune_line_split_needs_no_tokens_per_example():
    base = (
        "name: b\npriced_on: 2025-03-01\nlines:\n  - name: t\n    kind: finetune\n"
        "    prices: {training: $8 per 1M tokens}\n    examples: 10\n"
    )
    with pytest.raises(BudgetError, match="give tokens_per_example or input/output_tokens_per_example, not both"):
        parse_budget(base + "    tokens_per_example: 5\n    input_tokens_per_example: 5\n", "b.yaml")
    with pytest.raises(BudgetError, match=r"lines\[0\]: needs examples and tokens_per_example \(or input_"):
        parse_budget(base, "b.yaml")
    bf = parse_budget(base + "    output_tokens_per_example: 100000\n", "b.yaml")
    assert price_budget(bf, None).lines[0].one_time == D(8)  # 1M output tokens at the one training price


# --- against a warehouse: routes by model, tiers and request fees, price == reprice ------------------------


@pytest.fixture
def db(db_path) -> str:
    con = connect(db_path)
    for day, big_out in ((date(2025, 3, 1), "10"), (date(2025, 5, 1), "8")):
        ts = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)

        def row(model, key, price, unit=TOKENS, tier="standard"):
            return price_row(source="litellm", vendor="v", model=model, price_key=key, unit=unit, price=D(price),
                             service_tier=tier)  # fmt: skip

        rows = [
            row("big", "input", "2.5"),
            row("big", "output", big_out),
            row("big", "input", "4.25", tier="priority"),
            row("big", "output", "17", tier="priority"),
            row("small", "input", "0.15"),
            row("small", "output", "0.6"),
            row("search", "input", "1"),
            row("search", "output", "1"),
            row("search", "request", "5", unit="per_1k_requests"),
        ]
        load_run(con, StagedRun(RunRecord(f"r-{day}", "litellm", "registry", ts, ts), rows))
    con.close()
    return str(db_path)


ROUTED = """\
name: routed
priced_on: 2025-03-01
lines:
  - name: completions
    kind: inference
    calls_per_month: 1000000
    input_tokens: 1000
    output_tokens: 100
    routes:
      - {model: small, share: 0.8}
      - {model: big, share: 0.2}
  - name: voice
    kind: token
    model: big
    tier: priority
    calls_per_day: 1000
    input_tokens: 100
    output_tokens: 10
  - name: search
    kind: token
    model: search
    calls_per_month: 20000
    input_tokens: 500
    output_tokens: 500
"""


def _cli(tmp_path: Path, db: str, *args: str, text: str = ROUTED):
    path = tmp_path / "routed.yaml"
    path.write_text(text)
    return CliRunner().invoke(budget, [args[0], str(path), "--db", db, *args[1:]])


def test_routed_tier_and_request_fee_lines_from_the_warehouse(tmp_path, db):
    res = _cli(tmp_path, db, "price", "--json")
    assert res.exit_code == 0, res.output
    completions, voice, search = json.loads(res.stdout)["lines"]
    # 800K calls x (1000 x $0.15 + 100 x $0.60) / 1M + 200K x (1000 x $2.50 + 100 x $10) / 1M
    assert completions["monthly"] == "868.00" and completions["model"] == "small"
    assert completions["prices"]["big: output"] == "10"
    assert voice["monthly"] == "17.85"  # 30,000 calls x (100 x $4.25 + 10 x $17) / 1M
    assert search["monthly"] == "120.00"  # 20,000 x (1000 x $1) / 1M + 20 x $5 per 1K requests


def test_reprice_matches_price_for_routes_tiers_and_fees(tmp_path, db):
    res = _cli(tmp_path, db, "reprice", "--to", "2025-06-01", "--json")
    assert res.exit_code == 0, res.output
    (report,) = json.loads(res.stdout)
    later = json.loads(_cli(tmp_path, db, "price", "--on", "2025-06-01", "--json").stdout)
    assert [line["to"]["monthly"] for line in report["lines"]] == [line["monthly"] for line in later["lines"]]
    completions, voice, search = report["lines"]
    assert completions["from"]["monthly"] == "868.00"
    assert completions["to"]["monthly"] == "828.00"  # big's output $10 -> $8 on the routed 20%
    assert [(c["source_model_key"], c["old_price"], c["new_price"]) for c in completions["changes"]] == [
        ("big", "10", "8")
    ]
    assert voice["changes"] == []  # the priority tier did not change
    assert all(not line["unpriced"] for line in report["lines"])  # no request fee on big/small: not unpriced
    assert search["from"]["monthly"] == "120.00"


@pytest.mark.parametrize("command", ["price", "reprice"])
def test_unknown_route_model_suggests(tmp_path, db, command):
    res = _cli(tmp_path, db, command, text=ROUTED.replace("{model: big, share: 0.2}", "{model: bgi, share: 0.2}"))
    assert res.exit_code == 1
    assert re.search(
        r"routed.yaml:4: lines\[0\].model: unknown model 'bgi'; closest: big", res.stderr + str(res.exception)
    )


def test_budget_price_table_shows_the_five_tco_categories():
    text = CliRunner().invoke(budget, ["price", str(EXAMPLES / "seed-001-split.yaml")]).output
    assert "by TCO category" in text
    for label in (
        "model / API usage",
        "compute & infrastructure",
        "engineering & people",
        "security & compliance",
        "monitoring & operations",
    ):
        assert label in text
    assert "model / API usage                       $114.00      $1,080.00     $13,074.00" in text
    as_json = json.loads(CliRunner().invoke(budget, ["price", str(EXAMPLES / "seed-001-split.yaml"), "--json"]).output)
    assert as_json["tco"]["model / API usage"]["first_year"] == "13074.00"
