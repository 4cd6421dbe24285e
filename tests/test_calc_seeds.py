"""The seeds' worked examples, to the cent, from the pure calculators (prices read from the seed text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.calculators.breakeven import break_even
from aiprices.calculators.errors import CalcError, MissingPriceError, PriceFormatError
from aiprices.calculators.finetune import finetune_budget
from aiprices.calculators.images import image_cost
from aiprices.calculators.lookup import ExplicitPrices
from aiprices.calculators.money import cents, parse_price
from aiprices.calculators.tco import Amounts, tco
from aiprices.calculators.tokens import inference_budget, token_cost

D = Decimal


def test_seed_001_text_holds_the_examples(seeds_dir):
    text = next(seeds_dir.glob("001_*.txt")).read_text()
    assert "$0.010 (blended hypothetical rate) = 12,000 * $0.010 = $120.00" in text
    assert "Total Monthly Inference Cost: $450.00 + $630.00 = $1,080.00" in text


def test_seed_001_finetune_is_120_dollars():
    prices = ExplicitPrices({"training": "$0.010 per 1K tokens"})
    result = finetune_budget(prices, examples=10_000, tokens_per_example=400, epochs=3)
    assert result.training_tokens == 12_000_000
    assert cents(result.one_time) == D("120.00")
    assert result.monthly == 0 and cents(result.first_year) == D("120.00")


def test_seed_001_inference_is_1080_a_month():
    prices = ExplicitPrices({"input": "$0.003 per 1K tokens", "output": "$0.006 per 1K tokens"})
    result = inference_budget(prices, None, calls_per_day=50_000, input_tokens=100, output_tokens=70)
    assert cents(result.monthly) == D("1080.00")
    assert cents(result.prices["input"] * D(150)) == D("450.00")  # 150M input tokens a month
    assert cents(result.prices["output"] * D(105)) == D("630.00")  # 105M output tokens a month
    assert cents(result.first_year) == D("12960.00")


def test_seed_002_training_250m_tokens_at_8_dollars():
    prices = ExplicitPrices({"training": "$8 per 1M tokens"})
    result = finetune_budget(prices, examples=50_000, tokens_per_example=5_000, epochs=1)
    assert cents(result.one_time) == D("2000.00")


@pytest.mark.parametrize(
    ("training", "frontier", "savings", "payback", "verdict"),
    [
        ("3000", "90", "72", D("41.67"), "never amortizes before retraining"),
        ("4000", None, "650", D("6.15"), "pays back in 7 months (6.15)"),
        ("12000", "35000", "30000", D("0.40"), "pays back in 2 weeks (0.40 months)"),
    ],
)
def test_seed_002_break_even_scenarios(seeds_dir, training, frontier, savings, payback, verdict):
    text = next(seeds_dir.glob("002_*.txt")).read_text()
    assert f"Training ${int(training) // 1000}K" in text
    if frontier is not None:
        result = break_even(
            D(training), frontier_monthly=D(frontier), finetuned_monthly=D(frontier) - D(savings)
        )
    else:
        result = break_even(D(training), monthly_savings=D(savings))
    assert result.payback_months == payback
    assert result.verdict.startswith(verdict)
    assert result.pays_back is verdict.startswith("pays back")


def test_break_even_without_savings_never_amortizes():
    result = break_even(D(1000), frontier_monthly=D(10), finetuned_monthly=D(12))
    assert result.payback_months is None and not result.pays_back


def test_token_cost_cached_batch_and_long_context():
    prices = ExplicitPrices(
        {
            "input": "$2 per 1M tokens",
            "output": "$8 per 1M tokens",
            "input_above_200k": "$4 per 1M tokens",
            "output_above_200k": "$16 per 1M tokens",
        }
    )
    small = token_cost(prices, None, 1_000_000 // 10, 1000, calls_per_day=D(10))
    assert small.per_call == D("0.208")  # 100K x $2/1M + 1K x $8/1M
    assert small.per_month == D("0.208") * 10 * 30 and small.per_year == small.per_month * 12
    big = token_cost(prices, None, 300_000, 1000)
    assert big.per_call == D("1.216")  # whole request at the tier: 300K x $4 + 1K x $16
    cached = token_cost(prices, None, 100_000, 0, cached_share=D("0.5"), batch_share=D("0.5"))
    # half standard: 50K x $2 + 50K x $0.20; half batch: 50K x $1 + 50K x $0.10 (seed conventions)
    assert cached.per_call == D("0.5") * D("0.11") + D("0.5") * D("0.055")
    assert "cached input = 10% of input" in cached.inferred


def test_inference_growth_compounds_monthly():
    prices = ExplicitPrices({"input": "$1 per 1M tokens", "output": "$1 per 1M tokens"})
    result = inference_budget(
        prices,
        None,
        calls_per_day=1000,
        input_tokens=500,
        output_tokens=500,
        monthly_growth=D("0.1"),
        horizon_months=3,
    )
    assert result.months == [D(30), D(33), D("36.3")]
    assert result.horizon_total == D("99.3")


def test_gpu_hours_and_retraining():
    prices = ExplicitPrices({"gpu_hour": "$2.50 per hour"})
    result = finetune_budget(prices, gpu_hours=D(100), iteration_buffer=D("0.2"), retrains_per_year=D(2))
    assert result.one_time == D(300) and result.first_year == D(900) and result.monthly == D(50)


def test_image_cost():
    one, monthly, year = image_cost(
        ExplicitPrices({"image": "$0.04 per image"}), images=100, images_per_month=500
    )
    assert (one, monthly, year) == (D(4), D(20), D(244))


def test_tco_keeps_one_time_and_run_rate_apart():
    result = tco(
        [("model", Amounts(D(120), D(1080), D(13080))), ("engineering", Amounts(D(0), D(12000), D(144000)))]
    )
    assert result.categories["engineering"].monthly == D(12000)
    assert result.total.one_time == D(120) and result.total.first_year == D(157080)
    with pytest.raises(CalcError, match="unknown TCO category"):
        tco([("marketing", Amounts())])


def test_missing_price_is_an_error_not_zero():
    with pytest.raises(MissingPriceError, match="no output price"):
        token_cost(ExplicitPrices({"input": "$1 per 1M tokens"}), None, 10, 10)


@pytest.mark.parametrize("bad", ["eight dollars", "$8 per 1M apples", "-5", 0.5, None])
def test_bad_price_strings(bad):
    with pytest.raises(PriceFormatError):
        parse_price(bad)


def test_negative_counts_rejected():
    with pytest.raises(CalcError, match="calls_per_day cannot be negative"):
        inference_budget(
            ExplicitPrices({"input": "$1 per 1M tokens"}),
            None,
            calls_per_day=-1,
            input_tokens=1,
            output_tokens=1,
        )
