"""Repricing against a real DuckDB warehouse built from our own small snapshots (no third-party data)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.calculators.budget import budget_json, price_budget
from aiprices.calculators.budget_file import load_budget, parse_budget
from aiprices.calculators.errors import BudgetError
from aiprices.calculators.reprice import drift_report, reprice, totals_by_date
from aiprices.calculators.warehouse_prices import WarehousePrices
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "budgets"
D = Decimal
HAIKU = "claude-3-5-haiku-20241022"
TOKENS = "usd_per_1m_tokens"


def _rows(haiku_in: str, haiku_out: str) -> list[dict]:
    def row(vendor, model, key, price, **kw):
        return price_row(source="litellm", vendor=vendor, model=model, price_key=key, unit=TOKENS, price=D(price), **kw)

    return [
        row("anthropic", HAIKU, "input", haiku_in),
        row("anthropic", HAIKU, "output", haiku_out),
        row("openai", "gpt-4o-mini", "input", "0.15"),
        row("openai", "gpt-4o-mini", "output", "0.6"),
        row("openai", "gpt-4o-mini", "cache_read", "0.075"),
        row("azure", "gpt-4o-mini", "input", "0.165", source_model_key="azure/gpt-4o-mini"),
        row("azure", "gpt-4o-mini", "output", "0.66", source_model_key="azure/gpt-4o-mini"),
        row("google", "gemini-x", "input", "1.25"),
        row("google", "gemini-x", "output", "5"),
        row("google", "gemini-x", "input", "2.5", context_min_tokens=200_000),
        row("google", "gemini-x", "output", "10", context_min_tokens=200_000),
    ]


@pytest.fixture
def con(db_path):
    con = connect(db_path)
    for day, prices in ((date(2025, 1, 3), ("1", "5")), (date(2025, 6, 1), ("0.8", "4"))):
        ts = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
        run = RunRecord(run_id=f"t-{day}", source="litellm", kind="registry", observed_at=ts, started_at=ts)
        load_run(con, StagedRun(run, _rows(*prices)))
    yield con
    con.close()


def test_issue_example_prices_from_the_warehouse(con):
    bf = load_budget(EXAMPLES / "support-bot.yaml")
    data = budget_json(price_budget(bf, con))
    # 1.5M calls a month x (100 x $0.15 + 70 x $0.60) / 1M: the litellm gpt-4o-mini key, not azure's
    assert data["lines"][0]["monthly"] == "85.50"
    assert data["lines"][1]["one_time"] == "120.00"
    assert data["total"] == {"one_time": "120.00", "monthly": "12085.50", "first_year": "145146.00"}
    assert data["tco"]["engineering & people"]["monthly"] == "12000.00"


def test_vendor_filter_and_long_context_tier(con):
    on = date(2025, 3, 1)
    assert WarehousePrices.on(con, on, vendor="azure").price("gpt-4o-mini", "input") == D("0.165")
    look = WarehousePrices.on(con, on)
    assert look.price("gemini-x", "input", context=100_000) == D("1.25")
    assert look.price("gemini-x", "output", context=250_000) == D(10)  # whole request at the tier
    assert look.price("gpt-4o-mini", "input", tier="batch") is None


def test_unknown_model_suggests_close_names(con):
    text = (EXAMPLES / "support-bot.yaml").read_text().replace("model: gpt-4o-mini", "model: gpt-4o-mni")
    bf = parse_budget(text, "support-bot.yaml")
    with pytest.raises(BudgetError, match=r"support-bot.yaml:7: lines\[0\].model: unknown model 'gpt-4o-mni'; "
                       r"closest: gpt-4o-mini"):  # fmt: skip
        price_budget(bf, con, date(2025, 3, 1))
    with pytest.raises(BudgetError, match="closest: gpt-4o-mini"):
        reprice(con, [bf], [[date(2025, 3, 1), date(2025, 7, 1)]])


def test_a_line_without_prices_on_the_date_is_unpriced_not_zero(con):
    bf = load_budget(EXAMPLES / "support-bot.yaml")
    value = price_budget(bf, con, date(2024, 6, 1))
    chat = value.lines[0]
    assert chat.at.amounts is None and chat.monthly is None and chat.at.unpriced == ["input", "output"]
    assert chat.at.reason == (
        "litellm:gpt-4o-mini (the offer that priced it on priced_on 2025-03-01) has no input, output price on "
        "2024-06-01; priced 2025-01-03 to now; fallback: none"
    )
    data = budget_json(value)
    assert data["summary"] == {"lines": 3, "priced": 2, "unpriced": 1}
    assert data["lines"][0]["monthly"] is None and data["lines"][0]["status"] == "unpriced"
    assert data["total"] == {"one_time": "120.00", "monthly": "12000.00", "first_year": "144120.00"}


def test_reprice_attributes_drift_to_the_change(con):
    bf = load_budget(EXAMPLES / "every-kind.yaml")
    report = drift_report(reprice(con, [bf], [[date(2025, 1, 3), date(2025, 7, 1)]], changes=True))[0]
    line = report["lines"][0]
    assert line["model"] == HAIKU
    assert line["from"]["monthly"] == "191.63" and line["to"]["monthly"] == "153.30"
    assert line["drift"]["pct"] == "-20.00"
    causes = {(c["price_key"], c["old_price"], c["new_price"], c["changed_on"]) for c in line["changes"]}
    assert causes == {("input", "1", "0.8", "2025-06-01"), ("output", "5", "4", "2025-06-01")}
    assert line["drift_by_component"]["output"]["monthly"] == "-18.00"  # 2000 x 30 x 400 x -$1 / 1M x 0.75
    assert all(not other["changes"] for other in report["lines"][1:])
    assert report["stale"] is False  # the rest of the budget dominates: total drift under 10%
    assert set(report["total"]) == {"from", "to", "drift"}
    assert set(report["total"]["to"]) == {"one_time", "monthly", "first_year"}
    json.dumps(report)


def test_stale_beyond_threshold_and_before_the_change(con):
    line = f"{{name: x, kind: token, model: {HAIKU}, input_tokens: 1000, output_tokens: 100}}"
    text = f"name: h\npriced_on: 2025-01-03\nlines:\n  - {line}\n"
    bf = parse_budget(text, "h.yaml")
    report = drift_report(reprice(con, [bf], [[date(2025, 1, 3), date(2025, 7, 1)]], changes=True))[0]
    assert report["stale"] and "beyond 10%" in report["stale_reasons"][0]
    same = drift_report(reprice(con, [bf], [[date(2025, 1, 3), date(2025, 5, 31)]], changes=True))[0]
    assert not same["stale"] and same["lines"][0]["changes"] == []
    loose = drift_report(reprice(con, [bf], [[date(2025, 1, 3), date(2025, 7, 1)]]), threshold_pct=D(25))[0]
    assert not loose["stale"]


def test_from_and_to_on_the_same_day_value_the_line_once(con):
    bf = load_budget(EXAMPLES / "every-kind.yaml")
    apart = drift_report(reprice(con, [bf], [[date(2025, 1, 3), date(2025, 7, 1)]], changes=True))[0]
    same = drift_report(reprice(con, [bf], [[date(2025, 7, 1), date(2025, 7, 1)]], changes=True))[0]
    assert same["lines"][0]["from"] == same["lines"][0]["to"] == apart["lines"][0]["to"]  # $153.30, not twice
    assert same["total"]["from"] == same["total"]["to"] == apart["total"]["to"]
    assert same["total"]["drift"]["monthly"] == "0.00"


def test_unpriced_dates_mark_the_budget_stale(con):
    bf = load_budget(EXAMPLES / "support-bot.yaml")
    report = drift_report(reprice(con, [bf], [[date(2024, 6, 1), date(2025, 7, 1)]]))[0]
    chat = report["lines"][0]
    assert report["stale"] and chat["status"] == "unpriced" and chat["from"] is None and chat["drift"] is None
    assert [(u["on"], u["components"]) for u in chat["unpriced"]] == [("2024-06-01", ["input", "output"])]
    assert chat["to"]["monthly"] == "85.50"  # shown, but out of the totals: no $85.50 of fake drift
    assert report["total"]["drift"]["monthly"] == "0.00" and report["summary"]["unpriced"] == 1
    assert report["stale_reasons"] == [f"chat: unpriced on 2024-06-01: {chat['unpriced'][0]['reason']}"]


def test_set_based_equals_per_line_lookup(con):
    budgets = [load_budget(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    days = [date(2025, 1, 31), date(2025, 6, 30)]
    totals = totals_by_date(reprice(con, budgets, [days] * len(budgets)))
    for b, bf in enumerate(budgets):
        for d in days:
            if bf.budget.priced_on.year < 2025 and d < date(2025, 1, 3):
                continue
            one = price_budget(bf, con, on=d).total
            assert totals[(b, d)] == one, (bf.path.name, d)


def test_a_partly_priced_line_is_out_of_every_total_of_a_series(db_path):
    """m1 loses only its output price on 2025-02-01: its line is unpriced from then on, although its input is
    still priced; the series of totals and each date's budget price agree on it."""
    con = connect(db_path)
    for day, m1_output, m2_out in ((1, True, "2"), (32, False, "3")):  # 2025-01-01, 2025-02-01
        ts = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=day - 1)
        prices = [("m1", "input", "1"), ("m2", "input", "1"), ("m2", "output", m2_out)]
        prices += [("m1", "output", "4")] if m1_output else []
        rows = [
            price_row(source="litellm", vendor="v", model=m, price_key=k, unit=TOKENS, price=D(p)) for m, k, p in prices
        ]
        load_run(con, StagedRun(RunRecord(f"r{day}", "litellm", "registry", ts, ts), rows))
    text = (
        "name: two\npriced_on: 2025-01-15\nlines:\n"
        "  - {name: partly, kind: token, model: m1, input_tokens: 1000000, output_tokens: 1000000}\n"
        "  - {name: plain, kind: token, model: m2, input_tokens: 0, output_tokens: 1000000}\n"
    )
    bf = parse_budget(text, "two.yaml")
    days = [date(2025, 1, 15), date(2025, 2, 15), date(2025, 3, 15)]
    result = reprice(con, [bf], [days])
    # a call a day for 30 days: partly $1 + $4 a call, then unpriced; plain $2 then $3 a call
    assert [result.totals[(0, d)].monthly for d in days] == [D(210), D(90), D(90)]
    assert [result.unpriced_lines.get((0, d), 0) for d in days] == [0, 1, 1]
    assert [result.values[(0, 0, d)].amounts is None for d in days] == [False, True, True]
    assert result.values[(0, 0, days[1])].unpriced == ["output"]
    for d in days:
        assert price_budget(bf, con, d).total == result.totals[(0, d)]
    con.close()


def test_growth_quantities_are_rounded_once_and_agree_with_written_prices(con):
    """Growth makes quantities with more than 8 decimals: they are rounded to 10^-8 of a million tokens, which
    moves no cent against the same line valued exactly with the same prices written down."""
    line = "kind: inference, calls_per_day: 777, input_tokens: 1234, output_tokens: 321, monthly_growth: 0.037"
    model = parse_budget(f"name: g\npriced_on: 2025-03-01\nlines:\n  - {{name: x, model: gpt-4o-mini, {line}}}\n")
    written = parse_budget(
        f"name: g\npriced_on: 2025-03-01\nlines:\n  - {{name: x, {line}, "
        "prices: {input: '$0.15 per 1M tokens', output: '$0.60 per 1M tokens'}}\n"
    )
    assert budget_json(price_budget(model, con))["total"] == budget_json(price_budget(written))["total"]
    exact = price_budget(written).total.first_year
    assert abs(price_budget(model, con).total.first_year - exact) < D("1e-6") and exact != exact.quantize(D("1e-8"))
