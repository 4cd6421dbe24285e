"""The seeds' examples from the command line (click's CliRunner on the calc command group)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from aiprices.calculators.errors import CalcError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.calc import calc


def run(*args: str):
    return CliRunner().invoke(calc, list(args))


def test_seed_001_finetune_cli():
    res = run(
        "finetune",
        "-p",
        "training=$0.010 per 1K tokens",
        "--examples",
        "10000",
        "--tokens-per-example",
        "400",
        "--epochs",
        "3",
        "--json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["one_time"] == "120.00" and data["training_tokens"] == "12000000"


def test_seed_001_inference_cli():
    res = run(
        "inference",
        "-p",
        "input=$0.003 per 1K tokens",
        "-p",
        "output=$0.006 per 1K tokens",
        "--calls-per-day",
        "50000",
        "--input-tokens",
        "100",
        "--output-tokens",
        "70",
    )
    assert res.exit_code == 0, res.output
    assert "monthly" in res.output and "$1,080.00" in res.output


def test_seed_002_training_and_break_even_cli():
    res = run("finetune", "-p", "training=$8 per 1M tokens", "--examples", "50000", "--tokens-per-example", "5000")
    assert "$2,000.00" in res.output
    verdicts = {
        ("$3,000", "72"): "never amortizes before retraining",
        ("$4,000", "650"): "pays back in 7 months (6.15)",
        ("$12,000", "$30,000"): "pays back in 2 weeks",
    }
    for (training, savings), verdict in verdicts.items():
        res = run("breakeven", "--training-cost", training, "--monthly-savings", savings, "--json")
        assert res.exit_code == 0, res.output
        assert json.loads(res.output)["verdict"].startswith(verdict)


def test_token_cli_per_call_and_year():
    res = run(
        "token",
        "-p",
        "input=$2 per 1M tokens",
        "-p",
        "output=$8 per 1M tokens",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "500",
        "--calls-per-day",
        "100",
        "--json",
    )
    data = json.loads(res.output)
    assert data["per_call"] == "0.006" and data["per_month"] == "18.00" and data["per_year"] == "216.00"


def test_image_cli():
    res = run("image", "-p", "image=$0.04 per image", "--images-per-month", "1000", "--json")
    assert json.loads(res.output)["monthly"] == "40.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("token", "-p", "input=eight dollars", "--input-tokens", "1"), "cannot read price 'eight dollars'"),
        (("token", "-p", "input", "--input-tokens", "1"), "write NAME=PRICE"),
        (("breakeven", "--training-cost", "$1"), "needs monthly_savings"),
        (("image", "-p", "image=$0.04 per image", "--images", "-3"), "images cannot be negative"),
    ],
)
def test_cli_errors_are_typed_one_liners(args, message):
    res = run(*args)
    assert res.exit_code != 0
    assert isinstance(res.exception, CalcError) and message in str(res.exception)
    assert "\n" not in str(res.exception)


def test_model_without_a_loaded_warehouse_is_one_clear_line(tmp_path):
    from aiprices.warehouse.errors import WarehouseError

    missing = tmp_path / "none.duckdb"
    res = run("token", "--model", "gpt-4o", "--input-tokens", "1", "--db", str(missing))
    assert res.exit_code != 0 and isinstance(res.exception, WarehouseError)
    assert str(res.exception).startswith(f"no warehouse at {missing}") and "\n" not in str(res.exception)
    assert not missing.exists()


# --- issue 14 item 2 from the command line --------------------------------------------------------------

SPLIT = ["-p", "training_input=$0.008 per 1K tokens", "-p", "training_output=$0.012 per 1K tokens"]
EX1 = [
    "--examples",
    "10000",
    "--input-tokens-per-example",
    "250",
    "--output-tokens-per-example",
    "150",
    "--epochs",
    "3",
]
EX2 = ["-p", "input=$0.003 per 1K tokens", "-p", "output=$0.006 per 1K tokens", "--calls-per-day", "50000",
       "--input-tokens", "100", "--output-tokens", "70"]  # fmt: skip


def test_seed_001_ex1_split_training_cli():
    res = run("finetune", *SPLIT, *EX1)
    assert res.exit_code == 0, res.output
    assert re.search(r"training input +7,500,000 tokens +\$60\.00", res.output)
    assert re.search(r"training output +4,500,000 tokens +\$54\.00", res.output)
    assert re.search(r"one-time +\$114\.00", res.output)
    data = json.loads(run("finetune", *SPLIT, *EX1, "--json").output)
    assert data["one_time"] == "114.00" and data["training"]["tokens"] == "12000000"
    assert [(p["label"], p["quantity"], p["cost"]) for p in data["training"]["parts"]] == [
        ("training input", "7500000", "60.00"),
        ("training output", "4500000", "54.00"),
    ]
    assert data["inference"] is None


def test_seed_001_ex2_breakdown_text_and_json():
    res = run("finetune", *SPLIT, *EX1, *EX2)
    assert res.exit_code == 0, res.output
    assert re.search(r"inference a month +1,500,000 calls", res.output)
    assert re.search(r"inference input +150,000,000 tokens +\$450\.00", res.output)
    assert re.search(r"inference output +105,000,000 tokens +\$630\.00", res.output)
    assert re.search(r"inference \(monthly\) +\$1,080\.00", res.output)
    data = json.loads(run("finetune", *SPLIT, *EX1, *EX2, "--json").output)
    inference = data["inference"]
    assert inference["calls_per_month"] == "1500000" and inference["monthly"] == "1080.00"
    assert [(p["label"], p["quantity"], p["counted"], p["price"], p["cost"]) for p in inference["parts"]] == [
        ("inference input", "150000000", "tokens", "3", "450.00"),
        ("inference output", "105000000", "tokens", "6", "630.00"),
    ]
    assert (data["one_time"], data["monthly"], data["first_year"]) == ("114.00", "1080.00", "13074.00")


def test_inference_cli_parts_calls_per_month_tier_and_request_fee():
    prices = ["-p", "priority_input=$3.50 per 1M tokens", "-p", "priority_output=$14 per 1M tokens",
              "-p", "request=$5 per 1K requests"]  # fmt: skip
    args = ["--input-tokens", "1000", "--output-tokens", "500", "--calls-per-month", "1000000", "--tier", "priority"]
    data = json.loads(run("token", *prices, *args, "--json").output)
    assert data["tier"] == "priority" and data["calls_per_month"] == "1000000"
    assert data["per_call"] == "0.0155" and data["per_month"] == "15500.00" and data["per_day"] == "516.67"
    assert [(p["label"], p["quantity"], p["cost"]) for p in data["parts"]] == [
        ("priority input", "1000000000", "3500.00"),
        ("priority output", "500000000", "7000.00"),
        ("requests", "1000000", "5000.00"),
    ]
    res = run("inference", *prices, *args)
    assert re.search(r"requests +1,000,000 requests +\$5,000\.00", res.output), res.output
    missing = run("token", "-p", "input=$1 per 1M tokens", "--input-tokens", "1", "--tier", "priority")
    assert isinstance(missing.exception, CalcError) and "no priority input price" in str(missing.exception)


def test_breakeven_from_per_query_costs_and_volume_cli():
    res = run("breakeven", "--training-cost", "$3,000", "--frontier-per-query", "$0.006",
              "--finetuned-per-query", "$0.0012", "--queries-per-day", "500", "--json")  # fmt: skip
    data = json.loads(res.output)
    assert (data["monthly_before"], data["monthly_after"], data["monthly_savings"]) == ("90.00", "18.00", "72.00")
    assert data["verdict"].startswith("never amortizes before retraining (payback 42 months (41.67)")


def test_breakeven_from_written_prices_with_routing_share_and_horizon():
    frontier = ["--frontier-price", "input=$2.50 per 1M tokens", "--frontier-price", "output=$10 per 1M tokens"]
    tuned = ["--finetuned-price", "input=$0.30 per 1M tokens", "--finetuned-price", "output=$1.20 per 1M tokens"]
    volume = ["--queries-per-day", "5000", "--input-tokens", "1000", "--output-tokens", "200", "--share", "0.8"]
    data = json.loads(run("breakeven", "--training-cost", "$4,000", *frontier, *tuned, *volume, "--json").output)
    # per query: frontier 1000 x $2.50 + 200 x $10 = $0.0045; fine-tuned $0.00054; 80% of 150,000 queries move
    assert (data["frontier_per_query"], data["finetuned_per_query"]) == ("0.0045", "0.00054")
    assert data["monthly_savings"] == "475.20" and data["share"] == "0.8"
    assert data["verdict"] == "pays back in 9 months (8.42)" and data["payback_whole_months"] == 9
    short = run("breakeven", "--training-cost", "$4,000", *frontier, *tuned, *volume, "--retrain-months", "6")
    assert "never amortizes before retraining" in short.output and "net over 6 months" in short.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--frontier-per-query", "$0.01", "--finetuned-per-query", "$0.001"), "give --queries-per-day or"),
        (("--frontier-per-query", "$0.01", "--queries-per-day", "5"), "give one of --finetuned, --finetuned-price"),
        (
            ("--frontier", "x", "--frontier-per-query", "$1", "--finetuned-per-query", "$0", "--queries-per-day", "1"),
            "give one of --frontier,",
        ),
        (
            ("--frontier-price", "input=$1 per 1M tokens", "--finetuned-per-query", "$0", "--queries-per-day", "1"),
            "pricing --frontier per query needs --input-tokens and/or --output-tokens",
        ),
    ],
)
def test_breakeven_two_model_errors(args, message):
    res = run("breakeven", "--training-cost", "$1", *args)
    assert isinstance(res.exception, CalcError) and message in str(res.exception)


def _warehouse(db_path) -> str:
    con = connect(db_path)
    ts = datetime(2025, 3, 1, tzinfo=UTC)
    rows = [
        price_row(source="litellm", vendor=vendor, model=model, price_key=key, unit=unit, price=D(price),
                  service_tier=tier)
        for vendor, model, key, unit, tier, price in (
            ("openai", "gpt-4o", "input", "usd_per_1m_tokens", "standard", "2.5"),
            ("openai", "gpt-4o", "output", "usd_per_1m_tokens", "standard", "10"),
            ("openai", "gpt-4o", "input", "usd_per_1m_tokens", "priority", "4.25"),
            ("openai", "gpt-4o", "output", "usd_per_1m_tokens", "priority", "17"),
            ("openai", "gpt-4o-mini", "input", "usd_per_1m_tokens", "standard", "0.15"),
            ("openai", "gpt-4o-mini", "output", "usd_per_1m_tokens", "standard", "0.6"),
            ("perplexity", "sonar", "input", "usd_per_1m_tokens", "standard", "1"),
            ("perplexity", "sonar", "output", "usd_per_1m_tokens", "standard", "1"),
            ("perplexity", "sonar", "request", "per_1k_requests", "standard", "5"),
        )
    ]  # fmt: skip
    load_run(con, StagedRun(RunRecord("r1", "litellm", "registry", ts, ts), rows))
    con.close()
    return str(db_path)


def test_warehouse_models_tier_request_fee_and_two_model_break_even(db_path):
    db = _warehouse(db_path)
    common = ["--db", db, "--on", "2025-03-02", "--json"]
    priority = json.loads(
        run("token", "--model", "gpt-4o", "--input-tokens", "1000", "--tier", "priority", *common).output
    )
    assert priority["per_call"] == "0.00425"
    sonar = json.loads(
        run("token", "--model", "sonar", "--input-tokens", "1000", "--output-tokens", "1000", *common).output
    )
    assert sonar["per_call"] == "0.007"  # $0.002 of tokens + $5 per 1K requests
    plain_model = json.loads(run("token", "--model", "gpt-4o-mini", "--input-tokens", "1000", *common).output)
    assert [p["label"] for p in plain_model["parts"]] == ["input"]  # no fee stored: nothing added
    res = run("breakeven", "--training-cost", "$4,000", "--frontier", "gpt-4o", "--finetuned", "gpt-4o-mini",
              "--queries-per-day", "5000", "--input-tokens", "1000", "--output-tokens", "200", *common)  # fmt: skip
    data = json.loads(res.output)
    assert (data["frontier_per_query"], data["finetuned_per_query"]) == ("0.0045", "0.00027")
    assert data["monthly_savings"] == "634.50" and data["verdict"] == "pays back in 7 months (6.30)"


NUMBER_GLITCH = re.compile(r"\d[eE][+-]?\d|\d\.0(?![\d])")  # 0E+1, 7.5E+6, 7,500,000.0


def test_no_scientific_notation_or_stray_point_zero_in_any_output():
    outputs = []
    for extra in ([], ["--json"]):
        outputs += [
            run("finetune", "-p", "gpu_hour=$2.50 per hour", "--gpu-hours", "10", "--buffer", "0.2", *extra),
            run(
                "finetune",
                "-p",
                "training=$8 per 1M tokens",
                "--examples",
                "10000",
                "--tokens-per-example",
                "750",
                "--buffer",
                "1.0",
                "--retrains-per-year",
                "2.0",
                *extra,
            ),  # fmt: skip
            run("finetune", *SPLIT, *EX1, *EX2, *extra),
            run("token", "-p", "input=$0 per 1M tokens", "--input-tokens", "10", "--calls-per-day", "0.0", *extra),
            run(
                "inference",
                "-p",
                "input=$1 per 1M tokens",
                "--input-tokens",
                "1000",
                "--calls-per-month",
                "1E+6",
                "--growth",
                "0.10",
                *extra,
            ),  # fmt: skip
            run("image", "-p", "image=$0.04 per image", "--images", "10", *extra),
            run("breakeven", "--training-cost", "$0", "--monthly-savings", "$10.0", *extra),
            run(
                "breakeven",
                "--training-cost",
                "$100",
                "--frontier-per-query",
                "$1.0",
                "--finetuned-per-query",
                "$1.0",
                "--queries-per-month",
                "10",
                *extra,
            ),  # fmt: skip
        ]
    for res in outputs:
        assert res.exit_code == 0, res.output
        assert not NUMBER_GLITCH.search(res.output), res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("inference", "-p", "input=$1 per 1M tokens", "--input-tokens", "1", "--horizon", "100000000"),
            "horizon_months must be from 1 to 1200",
        ),
        (
            ("inference", "-p", "input=$1 per 1M tokens", "--input-tokens", "1", "--growth", "nan"),
            "monthly_growth cannot be below",
        ),
        (
            ("token", "-p", "input=$1 per 1M tokens", "--input-tokens", "1", "--cached-share", "nan"),
            "cached_share must be between 0 and 1",
        ),
        (
            ("token", "-p", "input=$1 per 1M tokens", "--input-tokens", "1", "--calls-per-day", "1e999999"),
            "calls_per_day must be at most",
        ),
        (
            (
                "finetune",
                "-p",
                "training=$1 per 1M tokens",
                "--examples",
                "1",
                "--tokens-per-example",
                "1",
                "--buffer",
                "inf",
            ),
            "iteration_buffer must be a finite number",
        ),
        (("compare", "--input-tokens", "-1"), "input_tokens cannot be negative"),
    ],
)
def test_bad_numbers_are_one_line(args, message):
    res = run(*args)
    assert isinstance(res.exception, CalcError) and message in str(res.exception), res.output


def test_calc_default_day_is_utc_not_the_machine_local_day(monkeypatch):
    import time
    from datetime import UTC, datetime

    from aiprices.commands.calc import day

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: one is always another day
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        assert day(None) == datetime.now(UTC).date()
    monkeypatch.delenv("TZ")
    time.tzset()
