"""The seeds' worked examples, to the cent, from the pure calculators (prices read from the seed text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiprices.calculators.breakeven import break_even
from aiprices.calculators.breakeven import savings as savings_of
from aiprices.calculators.errors import CalcError, MissingPriceError, PriceFormatError
from aiprices.calculators.finetune import finetune_budget
from aiprices.calculators.images import image_cost
from aiprices.calculators.lookup import ExplicitPrices
from aiprices.calculators.money import cents, cents_text, fmt_count, fmt_usd, parse_price, plain
from aiprices.calculators.tco import Amounts, tco
from aiprices.calculators.tokens import TokenWorkload, inference_budget, token_cost

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
        result = break_even(D(training), frontier_monthly=D(frontier), finetuned_monthly=D(frontier) - D(savings))
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
    one, monthly, year = image_cost(ExplicitPrices({"image": "$0.04 per image"}), images=100, images_per_month=500)
    assert (one, monthly, year) == (D(4), D(20), D(244))


def test_tco_keeps_one_time_and_run_rate_apart():
    result = tco([("model", Amounts(D(120), D(1080), D(13080))), ("engineering", Amounts(D(0), D(12000), D(144000)))])
    assert result.categories["engineering"].monthly == D(12000)
    assert result.total.one_time == D(120) and result.total.first_year == D(157080)
    with pytest.raises(CalcError, match="unknown TCO category"):
        tco([("marketing", Amounts())])


def test_missing_price_is_an_error_not_zero():
    with pytest.raises(MissingPriceError, match="no output price"):
        token_cost(ExplicitPrices({"input": "$1 per 1M tokens"}), None, 10, 10)


@pytest.mark.parametrize(
    "bad", ["eight dollars", "$8 per 1M apples", "-5", 0.5, None, "$" + "9" * 30, D("NaN"), D("1E+999999")]
)
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


# --- issue 14 item 2: the seeds' remaining figures --------------------------------------------------------

SEED_001_TRAINING = {"training_input": "$0.008 per 1K tokens", "training_output": "$0.012 per 1K tokens"}
SEED_001_INFERENCE = {"input": "$0.003 per 1K tokens", "output": "$0.006 per 1K tokens"}


def test_seed_001_text_holds_the_split_training_prices(seeds_dir):
    text = next(seeds_dir.glob("001_*.txt")).read_text()
    assert "average of 250 input tokens (customer query) and 150 output tokens" in text
    assert "Fine-tuning Input Cost: $0.008 per 1,000 tokens" in text
    assert "Fine-tuning Output Cost: $0.012 per 1,000 tokens" in text


def test_seed_001_split_training_is_114_dollars():
    result = finetune_budget(
        ExplicitPrices(SEED_001_TRAINING),
        examples=10_000,
        input_tokens_per_example=250,
        output_tokens_per_example=150,
        epochs=3,
    )
    assert result.training_tokens == 12_000_000
    by_label = {p.label: p for p in result.training}
    assert by_label["training input"].one_time_quantity == 7_500_000
    assert by_label["training output"].one_time_quantity == 4_500_000
    assert cents(by_label["training input"].one_time) == D("60.00")
    assert cents(by_label["training output"].one_time) == D("54.00")
    assert cents(result.one_time) == D("114.00") and result.inferred == []


def test_split_tokens_with_one_training_price_pay_it_and_say_so():
    result = finetune_budget(
        ExplicitPrices({"training": "$0.010 per 1K tokens"}),
        examples=10_000,
        input_tokens_per_example=250,
        output_tokens_per_example=150,
        epochs=3,
    )
    assert cents(result.one_time) == D("120.00")
    assert result.inferred == ["training input = training", "training output = training"]


def test_seed_001_ex2_breakdown_training_and_inference():
    prices = ExplicitPrices({**SEED_001_TRAINING, **SEED_001_INFERENCE})
    result = finetune_budget(
        prices,
        examples=10_000,
        input_tokens_per_example=250,
        output_tokens_per_example=150,
        epochs=3,
        inference=TokenWorkload(100, 70, calls_per_day=D(50_000)),
    )
    served = {p.label: p for p in result.inference}
    assert result.calls_per_month == 1_500_000
    assert served["inference input"].monthly_quantity == 150_000_000  # 150M tokens
    assert served["inference output"].monthly_quantity == 105_000_000  # 105M tokens
    assert cents(served["inference input"].monthly) == D("450.00")
    assert cents(served["inference output"].monthly) == D("630.00")
    assert cents(result.inference_monthly) == D("1080.00")
    assert cents(result.one_time) == D("114.00") and cents(result.monthly) == D("1080.00")
    assert cents(result.first_year) == D("13074.00")


def test_gpu_hours_have_no_training_tokens():
    result = finetune_budget(ExplicitPrices({"gpu_hour": "$2.50 per hour"}), gpu_hours=D(10), iteration_buffer=D("0.2"))
    assert result.training_tokens == 0 and plain(result.training_tokens) == "0"  # shown without 0E+1
    assert [(p.label, p.counted, p.one_time_quantity) for p in result.training] == [("gpu hours", "hours", D(12))]


def test_calls_per_month_equals_calls_per_day_times_days():
    prices = ExplicitPrices(SEED_001_INFERENCE)
    by_day = inference_budget(prices, None, calls_per_day=50_000, input_tokens=100, output_tokens=70)
    by_month = inference_budget(prices, None, calls_per_month=D(1_500_000), input_tokens=100, output_tokens=70)
    assert by_month.monthly == by_day.monthly == D(1080) and by_month.calls_per_month == 1_500_000
    cost = token_cost(prices, None, 100, 70, calls_per_month=D(1_500_000), days_per_month=D(30))
    assert cost.per_day == D(36) and cost.per_month == D(1080)
    with pytest.raises(CalcError, match="give calls_per_day or calls_per_month, not both"):
        token_cost(prices, None, 1, 1, calls_per_day=D(1), calls_per_month=D(30))


def test_per_request_fee_is_added_when_the_model_has_one():
    written = {"input": "$2 per 1M tokens", "output": "$8 per 1M tokens"}
    without = token_cost(ExplicitPrices(written), None, 1000, 500, calls_per_month=D(1000))
    assert [p.label for p in without.parts] == ["input", "output"]  # no fee: adds nothing, never an error
    fee = token_cost(ExplicitPrices({**written, "request": "$0.005 per request"}), None, 1000, 500,
                     calls_per_month=D(1000))  # fmt: skip
    assert fee.per_call == D("0.006") + D("0.005")
    requests = fee.parts[-1]
    assert (requests.label, requests.counted, requests.monthly_quantity) == ("requests", "requests", D(1000))
    assert requests.monthly == D(5)
    per_1k = ExplicitPrices({**written, "request": "$5 per 1K requests"})
    assert token_cost(per_1k, None, 1000, 500).per_call == fee.per_call


@pytest.mark.parametrize(
    ("tier", "per_call", "inferred"),
    [
        ("standard", D("0.006"), []),
        ("priority", D("0.0105"), []),  # 1000 x $3.50 + 500 x $14 per 1M
        ("flex", D("0.003"), []),  # 1000 x $1 + 500 x $4 per 1M
        ("batch", D("0.003"), ["batch input = 50% of input", "batch output = 50% of output"]),
    ],
)
def test_tier_picks_that_tiers_prices(tier, per_call, inferred):
    prices = ExplicitPrices(
        {
            "input": "$2 per 1M tokens",
            "output": "$8 per 1M tokens",
            "priority_input": "$3.50 per 1M tokens",
            "priority_output": "$14 per 1M tokens",
            "flex_input": "$1 per 1M tokens",
            "flex_output": "$4 per 1M tokens",
        }
    )
    result = token_cost(prices, None, 1000, 500, tier=tier)
    assert result.per_call == per_call and result.inferred == inferred


def test_tier_without_its_price_is_an_error_not_the_standard_price():
    with pytest.raises(MissingPriceError, match="no priority input price"):
        token_cost(ExplicitPrices({"input": "$2 per 1M tokens"}), None, 10, 0, tier="priority")
    with pytest.raises(CalcError, match="unknown tier 'turbo'"):
        token_cost(ExplicitPrices({"input": "$2 per 1M tokens"}), None, 10, 0, tier="turbo")


@pytest.mark.parametrize(
    ("queries_a_day", "frontier", "finetuned", "training", "savings", "verdict"),
    [
        # seed 002: "500 queries/day. Frontier cost: $90/mo. FT savings: $72/mo. Training $3K. Payback: 42 months"
        (500, "0.006", "0.0012", 3000, "72", "never amortizes before retraining (payback 42 months (41.67)"),
        # "5K queries/day on FT model saves ~$650/mo vs frontier. Training $4K. Payback ~6 months"
        (5000, "0.006", "0.00166666", 4000, "650.001", "pays back in 7 months (6.15)"),
        # "100K queries/day. Frontier cost: $35K/mo. FT savings: ~$30K/mo. Training $12K. Payback: 2 weeks"
        (100_000, "0.011666666", "0.001666666", 12_000, "30000", "pays back in 2 weeks (0.40 months)"),
    ],
)
def test_seed_002_break_even_from_two_models_and_a_volume(
    seeds_dir, queries_a_day, frontier, finetuned, training, savings, verdict
):
    text = next(seeds_dir.glob("002_*.txt")).read_text()
    assert "Monthly savings = (frontier cost - FT cost) × queries/month" in text
    saved = savings_of(D(frontier), D(finetuned), D(queries_a_day) * 30)
    assert saved.monthly.quantize(D("0.001")) == D(savings).quantize(D("0.001"))
    result = break_even(D(training), frontier_monthly=saved.before, finetuned_monthly=saved.after)
    assert result.verdict.startswith(verdict)


def test_seed_002_routing_share_80_20():
    # "500K completions/day. Cheap-tier FT model serves the easy cases (~80%). Frontier handles complex (~20%)"
    saved = savings_of(D("0.0015"), D("0.0003"), D(500_000) * 30, D("0.8"))
    assert saved.before == D(22_500)  # 15M queries x $0.0015
    assert saved.after == D(12_000) * D("0.0003") * 1000 + D(3_000_000) * D("0.0015")
    assert saved.monthly == (D("0.0015") - D("0.0003")) * D(12_000_000) == D(14_400)
    with pytest.raises(CalcError, match="share must be between 0 and 1"):
        savings_of(D(1), D(0), D(10), D("1.2"))


def test_payback_rounds_up_with_the_exact_figure():
    result = break_even(D(4000), monthly_savings=D(650))
    assert (result.payback_months, result.payback_whole_months) == (D("6.15"), 7)
    assert 6 * D(650) < 4000 <= 7 * D(650)  # after 6 months only $3,900 is back
    assert break_even(D(1300), monthly_savings=D(650)).verdict == "pays back in 2 months (2.00)"
    assert break_even(D(4000), monthly_savings=D(650), retrain_months=6).verdict.startswith("never amortizes")
    assert break_even(D(4000), monthly_savings=D(650)).net_over_lifetime == D(3800)


def test_counts_have_a_documented_limit():
    prices = ExplicitPrices({"input": "$1 per 1M tokens"})
    with pytest.raises(CalcError, match=r"input_tokens must be at most 1,000,000,000,000,000 \(9,223,372"):
        token_cost(prices, None, 2**63, 0)
    with pytest.raises(CalcError, match="calls_per_day must be a finite number"):
        token_cost(prices, None, 1, 0, calls_per_day=D("NaN"))


def test_money_text_keeps_every_digit_and_never_fails():
    widest = D("12345678901234.123456789012345678901234")  # DECIMAL(38,24): 38 digits, none rounded away
    assert plain(D("12345678901234.123456789012345678901234000")) == "12345678901234.123456789012345678901234"
    assert cents_text(widest) == "12345678901234.12"
    assert fmt_usd(D("1" + "0" * 40 + ".005")) == "$10,000,000,000,000,000,000,000,000,000,000,000,000,000.01"
    assert fmt_count(D("7500000.0")) == "7,500,000" and plain(D("0E+1")) == "0" and cents_text(D("-0.001")) == "0.00"
