"""The seeds' examples from the command line (click's CliRunner on the calc command group)."""

from __future__ import annotations

import json

import pytest
from aiprices.calculators.errors import CalcError
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
    res = run(
        "finetune", "-p", "training=$8 per 1M tokens", "--examples", "50000", "--tokens-per-example", "5000"
    )
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
