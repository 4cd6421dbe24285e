"""``budget price`` and ``budget reprice`` through click, against a small warehouse we build ourselves."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.calculators.budget_file import KINDS
from aiprices.calculators.errors import BudgetError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.budget import budget

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "budgets"


@pytest.fixture
def db(db_path) -> str:
    con = connect(db_path)
    for day, mini_out in ((1, "0.6"), (20, "0.9")):
        ts = datetime(2025, 3, day, tzinfo=UTC)
        rows = [
            price_row(
                source="litellm",
                vendor="openai",
                model="gpt-4o-mini",
                price_key=key,
                unit="usd_per_1m_tokens",
                price=Decimal(p),
            )
            for key, p in (("input", "0.15"), ("output", mini_out))
        ]
        load_run(con, StagedRun(RunRecord(f"r{day}", "litellm", "registry", ts, ts), rows))
    con.close()
    return str(db_path)


def test_budget_price_seed_001_json():
    res = CliRunner().invoke(budget, ["price", str(EXAMPLES / "seed-001.yaml"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [line["one_time"] for line in data["lines"]] == ["120.00", "0.00"]
    assert [line["monthly"] for line in data["lines"]] == ["0.00", "1080.00"]


def test_budget_price_from_warehouse_text(db):
    res = CliRunner().invoke(budget, ["price", str(EXAMPLES / "support-bot.yaml"), "--db", db])
    assert res.exit_code == 0, res.output
    assert "$85.50" in res.output and "$12,085.50" in res.output


def test_budget_reprice_names_the_change(db):
    res = CliRunner().invoke(
        budget, ["reprice", str(EXAMPLES / "support-bot.yaml"), "--to", "2025-04-01", "--db", db, "--json"]
    )
    assert res.exit_code == 0, res.output
    (report,) = json.loads(res.output)
    chat = report["lines"][0]
    # 105M output tokens a month: $0.60 -> $0.90 per 1M = +$31.50 a month
    assert chat["from"]["monthly"] == "85.50" and chat["to"]["monthly"] == "117.00"
    assert [(c["price_key"], c["old_price"], c["new_price"], c["changed_on"]) for c in chat["changes"]] == [
        ("output", "0.6", "0.9", "2025-03-20")
    ]
    assert report["total"]["drift"]["monthly"] == "31.50"
    assert report["stale"] is False  # $378 more a year on a $145K budget
    text = CliRunner().invoke(
        budget,
        [
            "reprice",
            str(EXAMPLES / "support-bot.yaml"),
            "--to",
            "2025-04-01",
            "--threshold",
            "0.1",
            "--db",
            db,
        ],
    )
    assert "[STALE]" in text.output and "litellm:gpt-4o-mini output 0.6 -> 0.9" in text.output


def test_budget_errors_are_one_line(tmp_path, db):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\npriced_on: 2025-03-01\nlines:\n  - {name: a, kind: robot, model: gpt-4o-mini}\n")
    res = CliRunner().invoke(budget, ["price", str(bad), "--db", db])
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == f"error: {bad}:4: lines[0].kind: unknown kind 'robot' (use one of {', '.join(KINDS)})\n"
    res = CliRunner().invoke(budget, ["reprice", str(tmp_path / "none")])
    assert isinstance(res.exception, BudgetError) and "no such budget file or folder" in str(res.exception)


def test_unpriced_line_is_shown_with_its_reason_and_exit_3(db):
    res = CliRunner().invoke(budget, ["price", str(EXAMPLES / "support-bot.yaml"), "--on", "2025-02-01", "--db", db])
    assert res.exit_code == 3, res.output
    assert "chat" in res.output and "unpriced" in res.output
    assert "! litellm:gpt-4o-mini (the offer that priced it on priced_on 2025-03-01) has no input, output" in res.output
    assert "3 lines: 2 priced, 1 unpriced (left out of the totals)" in res.output
    assert "$12,000.00" in res.output and "$85.50" not in res.output  # the total is the two priced lines
    res = CliRunner().invoke(
        budget,
        ["reprice", str(EXAMPLES / "support-bot.yaml"), "--from", "2025-02-01", "--to", "2025-04-01", "--db", db],
    )
    assert res.exit_code == 3, res.output
    assert "chat: unpriced on 2025-02-01" in res.output and "unpriced ->      $117.00" in res.output


def test_an_amount_beyond_what_a_valuation_holds_is_one_line(tmp_path, db):
    path = tmp_path / "huge.yaml"
    line = (
        "{name: chat, kind: token, model: gpt-4o-mini, input_tokens: 1000000000000000, calls_per_day: 1000000000000000}"
    )
    path.write_text(f"name: huge\npriced_on: 2025-03-01\nlines:\n  - {line}\n")
    message = f"{path}: a line costs more than 10^20 dollars, beyond what a valuation holds"
    res = CliRunner().invoke(budget, ["price", str(path), "--db", db])
    assert res.exit_code == 1 and res.stderr == f"error: {message}\n"  # as a bad file, after the good ones
    res = CliRunner().invoke(budget, ["reprice", str(path), "--db", db])
    assert isinstance(res.exception, BudgetError) and str(res.exception) == message
