"""Budget files: examples load, seeds price to the cent, each malformed budget is one clear error."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.calculators.budget import budget_json, price_budget
from aiprices.calculators.budget_file import load_budget, parse_budget
from aiprices.calculators.errors import BudgetError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "budgets"
D = Decimal


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_validates(path):
    bf = load_budget(path)
    assert bf.budget.lines


def test_examples_cover_every_kind():
    kinds = {line.kind for path in EXAMPLES.glob("*.yaml") for line in load_budget(path).budget.lines}
    assert kinds == {"token", "inference", "finetune", "image", "fixed"}


def test_seed_001_budget_to_the_cent():
    value = price_budget(load_budget(EXAMPLES / "seed-001.yaml"), None)
    tuning, chat = value.lines
    assert tuning.one_time == D("120.000") and tuning.monthly == 0
    assert chat.monthly == D("1080")
    data = budget_json(value)
    assert data["lines"][0]["one_time"] == "120.00"
    assert data["lines"][1]["monthly"] == "1080.00"
    assert data["total"] == {"one_time": "120.00", "monthly": "1080.00", "first_year": "13080.00"}
    assert data["saved_total"] == "13080.00"


def test_seed_002_budget_2000():
    value = price_budget(load_budget(EXAMPLES / "seed-002-faisal.yaml"), None)
    assert budget_json(value)["total"]["one_time"] == "2000.00"


def test_issue_example_explicit_and_fixed_lines_price_without_a_warehouse():
    bf = load_budget(EXAMPLES / "support-bot.yaml")
    with pytest.raises(BudgetError, match=r"support-bot.yaml:7: lines\[0\].model: pricing a model needs a warehouse"):
        price_budget(bf, None)


def test_every_kind_explicit_lines():
    text = (
        (EXAMPLES / "every-kind.yaml")
        .read_text()
        .replace(
            "model: claude-3-5-haiku-20241022",
            'prices: {input: "$1 per 1M tokens", output: "$5 per 1M tokens"}',
        )
    )
    value = price_budget(parse_budget(text, "every-kind.yaml"), None)
    by_name = {v.name: v for v in value.lines}
    # standard: 1500 fresh x $1 + 1500 cached x $0.10 + 400 x $5 (per 1M), batch at 50% -> x (0.75 + 0.125)
    per_call = (D(1500) * 1 + D(1500) * D("0.1") + D(400) * 5) / 1_000_000
    assert by_name["frontier fallback (long prompts)"].monthly == per_call * D("0.875") * 2000 * 30
    assert by_name["training (hosted)"].one_time == D(3000)  # $2,000 x 1.5 buffer
    assert by_name["training (hosted)"].first_year == D(9000)  # + two re-trainings
    assert by_name["eval runs on rented GPUs"].category == "compute"
    assert by_name["clause diagrams"].one_time == D(80) and by_name["clause diagrams"].monthly == D(12)
    assert value.categories["security"].one_time == D(5000)
    assert value.categories["security"].first_year == D(5000) + 12 * D(300)
    assert value.total.one_time == sum((v.one_time for v in value.lines), D(0))


GOOD = """\
name: b
priced_on: 2025-03-01
lines:
  - name: chat
    kind: inference
    prices: {input: "$1 per 1M tokens", output: "$2 per 1M tokens"}
    calls_per_day: 100
    input_tokens: 10
    output_tokens: 10
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "calls_per_day: 100",
            "calls_per_day: -5",
            r"b.yaml:7: lines\[0\].calls_per_day: cannot be negative",
        ),
        ("kind: inference", "kind: chatbot", r"b.yaml:\d: lines\[0\].kind: unknown kind 'chatbot'"),
        (
            '"$1 per 1M tokens"',
            '"one dollar"',
            r"b.yaml:6: lines\[0\].prices.input: cannot read price 'one dollar'",
        ),
        (
            '"$2 per 1M tokens"',
            '"$2 per image"',
            r"b.yaml:6: lines\[0\].prices.output: .* not a price per tokens",
        ),
        ("input_tokens: 10", "input_tokns: 10", r"b.yaml:8: lines\[0\].input_tokns: unknown field"),
        ("priced_on: 2025-03-01", "priced_on: someday", r"b.yaml:2: priced_on: "),
        ("name: b\n", "", r"b.yaml:1: name: required field is missing"),
        ("    kind: inference\n", "", r"b.yaml:4: lines\[0\].kind: missing kind"),
        ("output_tokens: 10", "output_tokens: [", r"b.yaml:\d+: \(yaml\): not valid YAML"),
    ],
)
def test_malformed_budgets_one_clear_error(old, new, expected):
    text = GOOD.replace(old, new)
    assert text != GOOD
    with pytest.raises(BudgetError, match=expected) as info:
        parse_budget(text, "b.yaml")
    assert "\n" not in str(info.value)


def test_model_and_prices_together_rejected():
    text = GOOD.replace("    prices:", "    model: gpt-4o\n    prices:")
    with pytest.raises(BudgetError, match=r"lines\[0\]: .*either model .* or prices"):
        parse_budget(text, "b.yaml")


def test_fixed_line_needs_known_category_and_amount():
    base = "name: b\npriced_on: 2025-03-01\nlines:\n  - name: x\n    kind: fixed\n"
    with pytest.raises(BudgetError, match=r"b.yaml:6: lines\[0\].category: unknown TCO category 'marketing'"):
        parse_budget(base + "    category: marketing\n    monthly: $5\n", "b.yaml")
    with pytest.raises(BudgetError, match=r"b.yaml:7: lines\[0\].monthly: cannot read price"):
        parse_budget(base + "    category: people\n    monthly: lots\n", "b.yaml")
    with pytest.raises(BudgetError, match=r"needs monthly and/or one_time"):
        parse_budget(base + "    category: people\n", "b.yaml")


def test_floats_in_yaml_stay_exact():
    bf = parse_budget(GOOD.replace("calls_per_day: 100", "calls_per_day: 100.1"), "b.yaml")
    assert bf.budget.lines[0].calls_per_day == D("100.1")


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(BudgetError, match="cannot read budget file"):
        load_budget(tmp_path / "nope.yaml")
