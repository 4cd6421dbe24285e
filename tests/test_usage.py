"""Actual usage: usage exports imported (generic CSV, OpenAI and Anthropic usage JSON) and priced day by day
through the resolver, re-imports replacing their period, bad files as ``file:where: reason``, estimate vs
actual with the gap split into price and volume, and the cost-spike check.

Every figure is worked by hand in the comments from the prices this file loads: gpt-4o-mini input $0.15 /
cached $0.075 / output $0.60 per 1M until 2026-11-02, then input $0.30; claude-haiku-4-5 input $1, cache read
$0.10, cache write $1.25 (5 min) / $2 (1 h), output $5 per 1M.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from aiprices.calculators.errors import CalcError
from aiprices.calculators.usage_files import UsageFileError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.budget import budget
from aiprices.commands.usage import usage

TOKENS = "usd_per_1m_tokens"
HEADER = "date,model,input_tokens,output_tokens,cached_tokens,requests\n"


def _prices(mini_input: str) -> list[dict]:
    rows = [("openai", "gpt-4o-mini", "input", mini_input), ("openai", "gpt-4o-mini", "cache_read", "0.075"),
            ("openai", "gpt-4o-mini", "output", "0.6"), ("anthropic", "claude-haiku-4-5", "input", "1"),
            ("anthropic", "claude-haiku-4-5", "cache_read", "0.1"),
            ("anthropic", "claude-haiku-4-5", "cache_write", "1.25"),
            ("anthropic", "claude-haiku-4-5", "cache_write_1h", "2"),
            ("anthropic", "claude-haiku-4-5", "output", "5")]  # fmt: skip
    return [price_row(source="litellm", vendor=v, model=m, price_key=k, unit=TOKENS, price=D(p)) for v, m, k, p in rows]


@pytest.fixture
def db(db_path) -> str:
    """gpt-4o-mini input goes from $0.15 to $0.30 per 1M at 2026-11-02 00:00 UTC."""
    con = connect(db_path)
    for run_id, at, mini_input in (("r1", datetime(2026, 10, 1, tzinfo=UTC), "0.15"),
                                   ("r2", datetime(2026, 11, 2, tzinfo=UTC), "0.3")):  # fmt: skip
        load_run(con, StagedRun(RunRecord(run_id, "litellm", "registry", at, at), _prices(mini_input)))
    con.close()
    return str(db_path)


def imported(db: str, path, *args: str):
    return CliRunner().invoke(usage, ["import", str(path), "--db", db, "--json", *args])


def stored(db: str) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT usage_source, day::VARCHAR, model, service_tier, input_tokens, output_tokens, cached_tokens, "
            "requests FROM usage_days ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


CSV = HEADER + "2026-11-01,gpt-4o-mini,1000000,200000,400000,100\n2026-11-02,gpt-4o-mini,2000000,100000,0,50\n"


def test_csv_import_prices_each_day_at_that_days_prices(db, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(CSV)
    out = imported(db, path)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    # 11-01: fresh 600,000 x $0.15 = $0.09; cached 400,000 x $0.075 = $0.03; output 200,000 x $0.60 = $0.12
    # 11-02 (new input price): 2,000,000 x $0.30 = $0.60; output 100,000 x $0.60 = $0.06
    assert [(d["day"], d["cost"]) for d in report["days"]] == [("2026-11-01", "0.24"), ("2026-11-02", "0.66")]
    assert report["total"] == "0.90" and report["usage_source"] == "csv" and report["unpriced"] == []
    assert (report["from"], report["to"], report["rows"], report["replaced"]) == ("2026-11-01", "2026-11-02", 2, 0)


def test_reimport_and_overlapping_period_replace_days_instead_of_counting_twice(db, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(CSV)
    imported(db, path)
    again = json.loads(imported(db, path).output)
    assert (again["rows"], again["replaced"], again["total"]) == (2, 2, "0.90")
    assert len(stored(db)) == 2
    newer = tmp_path / "newer.csv"  # covers 11-02..11-03: 11-02 is replaced, 11-01 is kept
    newer.write_text(HEADER + "2026-11-02,gpt-4o-mini,1000000,0,0,1\n2026-11-03,gpt-4o-mini,1000000,0,0,1\n")
    report = json.loads(imported(db, newer).output)
    assert report["replaced"] == 1
    assert [(r[1], r[4]) for r in stored(db)] == [("2026-11-01", 1000000), ("2026-11-02", 1000000),
                                                  ("2026-11-03", 1000000)]  # fmt: skip
    other = imported(db, path, "--source", "team-b")  # another usage source is never replaced by this one
    assert other.exit_code == 0 and len(stored(db)) == 5


def test_unknown_or_unpriced_model_is_listed_never_zero(db, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(HEADER + "2026-11-01,gpt-4o-mini,1000000,0,0,0\n2026-11-01,mystery-model,10,10,0,1\n"
                    "2026-09-01,gpt-4o-mini,10,0,0,0\n")  # fmt: skip
    out = imported(db, path)
    assert out.exit_code == 3, out.output
    report = json.loads(out.output)
    assert report["total"] == "0.15"  # only the priced row: 1,000,000 x $0.15
    reasons = [u["reason"] for u in report["unpriced"]]
    assert reasons == ["gpt-4o-mini: no input price on 2026-09-01",  # before the first price (2026-10-01)
                       "mystery-model: not a model the warehouse has prices for"]  # fmt: skip
    text = CliRunner().invoke(usage, ["import", str(path), "--db", db])
    assert "! unpriced 2026-11-01 mystery-model: not a model" in text.output


def _openai(tmp_path):
    bucket = {"object": "bucket", "start_time": 1793491200, "end_time": 1793577600, "results": [
        {"object": "organization.usage.completions.result", "input_tokens": 1000000, "output_tokens": 200000,
         "input_cached_tokens": 400000, "num_model_requests": 100, "model": "gpt-4o-mini", "batch": False,
         "project_id": "proj_a"},
        {"object": "organization.usage.completions.result", "input_tokens": 1000000, "output_tokens": 0,
         "input_cached_tokens": 0, "num_model_requests": 10, "model": "gpt-4o-mini", "batch": True,
         "project_id": "proj_a"},
    ]}  # fmt: skip
    empty = {"object": "bucket", "start_time": 1793577600, "end_time": 1793664000, "results": []}
    path = tmp_path / "openai.json"
    path.write_text(json.dumps({"object": "page", "data": [bucket, empty], "has_more": False, "next_page": None}))
    return path


def test_openai_usage_json_with_a_batch_row_and_an_empty_day(db, tmp_path):
    out = imported(db, _openai(tmp_path))
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    # standard: $0.09 + $0.03 + $0.12 = $0.24 (as the CSV); batch: 1,000,000 x $0.15 x 50% (the documented
    # batch fallback, no batch price stored) = $0.075 -> the day is $0.315, shown $0.32 (half up)
    assert report["format"] == "openai" and report["usage_source"] == "openai"
    assert [(d["day"], d["cost"]) for d in report["days"]] == [("2026-11-01", "0.32")]
    assert (report["from"], report["to"]) == ("2026-11-01", "2026-11-02")  # the empty bucket is in the period
    assert [r[3] for r in stored(db)] == ["batch", "standard"]


def test_anthropic_usage_report_json(db, tmp_path):
    body = {"data": [{"starting_at": "2026-11-01T00:00:00Z", "ending_at": "2026-11-02T00:00:00Z", "results": [
        {"uncached_input_tokens": 100000, "cache_read_input_tokens": 1000000,
         "cache_creation": {"ephemeral_5m_input_tokens": 200000, "ephemeral_1h_input_tokens": 100000},
         "output_tokens": 50000, "server_tool_use": {"web_search_requests": 0}, "model": "claude-haiku-4-5",
         "service_tier": "standard", "context_window": "0-200k", "workspace_id": None, "api_key_id": None},
    ]}], "has_more": False, "next_page": None}  # fmt: skip
    path = tmp_path / "anthropic.json"
    path.write_text(json.dumps(body))
    out = imported(db, path)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    # uncached 100,000 x $1 = $0.10; read 1,000,000 x $0.10 = $0.10; 5 min write 200,000 x $1.25 = $0.25;
    # 1 h write 100,000 x $2 = $0.20; output 50,000 x $5 = $0.25 -> $0.90
    assert report["format"] == "anthropic" and report["total"] == "0.90"
    assert stored(db) == [("anthropic", "2026-11-01", "claude-haiku-4-5", "standard", 1400000, 50000, 1000000, 0)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date,model,input_tokens,output_tokens\n", "usage.csv:1: missing columns cached_tokens, requests"),
        (HEADER.replace("\n", ",colour\n"), "usage.csv:1: unknown column 'colour'"),
        (HEADER + "2026-11-01,m,1,1,0,0\n2026-13-01,m,1,1,0,0\n", "usage.csv:3: bad date '2026-13-01'"),
        (HEADER + "2026-11-01,m,1.5,1,0,0\n", "usage.csv:2: input_tokens is not a whole number ('1.5')"),
        (HEADER + "2026-11-01,m,10,-1,0,0\n", "usage.csv:2: output_tokens cannot be negative (-1)"),
        (HEADER + "2026-11-01,m,10,1,20,0\n", "usage.csv:2: cached tokens (20) exceed input_tokens (10)"),
        (HEADER.replace("\n", ",cost\n") + "2026-11-01,m,1,1,0,0,ten\n", "usage.csv:2: cost is not a number"),
        (HEADER, "usage.csv: no usage rows"),
    ],
)
def test_bad_csv_is_file_line_reason(tmp_path, content, message):
    path = tmp_path / "usage.csv"
    path.write_text(content)
    out = CliRunner().invoke(usage, ["import", str(path), "--db", str(tmp_path / "w.duckdb")])
    assert out.exit_code != 0
    assert isinstance(out.exception, UsageFileError) and str(out.exception).startswith(str(tmp_path))
    assert message in str(out.exception) and "\n" not in str(out.exception)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"data": [', "u.json:1: not JSON"),
        ({"data": [{"start_time": 1793491200, "results": [{"model": "m", "input_tokens": -5}]}]},
         "u.json:data[0].results[0].input_tokens: tokens cannot be negative (-5)"),
        ({"data": [{"start_time": 1793491200, "results": [{"input_tokens": 5}]}]},
         "u.json:data[0].results[0]: no model (export the usage grouped by model)"),
        ({"data": [{"starting_at": "yesterday", "results": []}]}, "u.json:data[0].starting_at: bad time 'yesterday'"),
        ({"data": [{"start_time": 1, "results": [{"object": "organization.costs.result"}]}]}, "costs export"),
        ({"object": "list"}, "not a usage export"),
    ],
)  # fmt: skip
def test_bad_json_names_the_place(tmp_path, body, message):
    path = tmp_path / "u.json"
    path.write_text(body if isinstance(body, str) else json.dumps(body))
    out = CliRunner().invoke(usage, ["import", str(path), "--db", str(tmp_path / "w.duckdb")])
    assert isinstance(out.exception, UsageFileError), out.output
    assert message in str(out.exception)


BUDGET = """name: support bot
priced_on: 2026-10-15
lines:
  - name: chat
    kind: inference
    model: gpt-4o-mini
    calls_per_day: 1000
    input_tokens: 1000
    output_tokens: 100
  - name: hosting
    kind: fixed
    category: infrastructure
    monthly: "$100"
"""


def test_budget_actual_splits_the_gap_into_price_and_volume(db, tmp_path):
    (tmp_path / "usage.csv").write_text(CSV + "2026-11-02,claude-haiku-4-5,1000000,0,0,0\n")
    assert imported(db, tmp_path / "usage.csv").exit_code == 0
    (tmp_path / "b.yaml").write_text(BUDGET)
    out = CliRunner().invoke(budget, ["actual", str(tmp_path / "b.yaml"), "--month", "2026-11", "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    chat, hosting, extra = data["lines"]
    # estimate: 30 days x 1,000 calls x (1,000 x $0.15 + 100 x $0.60) / 1M = $6.30 a month
    # actual: $0.24 (11-01) + $0.66 (11-02) = $0.90; at the 10-15 prices 11-02 is 2M x $0.15 + $0.06 = $0.36,
    # so the usage at estimate prices is $0.60: price = 0.90 - 0.60 = $0.30, volume = 0.60 - 6.30 = -$5.70
    assert [chat[k] for k in ("estimate", "actual", "gap", "price", "volume")] == \
        ["6.30", "0.90", "-5.40", "0.30", "-5.70"]  # fmt: skip
    assert (hosting["measured"], hosting["actual"], hosting["gap"]) == (False, "100.00", "0.00")
    # claude-haiku-4-5 is in no line: its own line, estimate $0, actual 1,000,000 x $1 = $1.00 (all volume)
    assert (extra["name"], extra["estimate"], extra["actual"], extra["volume"]) == \
        ("(not in budget) claude-haiku-4-5", "0.00", "1.00", "1.00")  # fmt: skip
    assert data["total"] == {"estimate": "106.30", "actual": "101.90", "gap": "-4.40", "price": "0.30",
                             "volume": "-4.70"}  # fmt: skip
    assert (data["usage_days"], data["days_in_month"]) == (2, 30)
    text = CliRunner().invoke(budget, ["actual", str(tmp_path / "b.yaml"), "--month", "2026-11", "--db", db])
    assert "TOTAL" in text.output and "-$4.40" in text.output and "(no usage measure: as estimated)" in text.output


def test_budget_actual_with_unpriced_usage_and_without_usage(db, tmp_path):
    (tmp_path / "b.yaml").write_text(BUDGET)
    args = ["actual", str(tmp_path / "b.yaml"), "--db", db]
    none = CliRunner().invoke(budget, [*args, "--month", "2026-12"])
    assert isinstance(none.exception, CalcError) and "no usage imported for 2026-12" in str(none.exception)
    (tmp_path / "u.csv").write_text(HEADER + "2026-11-01,gpt-4o-mini,1000000,0,0,0\n2026-11-01,mystery,1,0,0,0\n")
    assert imported(db, tmp_path / "u.csv").exit_code == 3  # mystery is unpriced
    out = CliRunner().invoke(budget, [*args, "--month", "2026-11", "--json"])
    assert out.exit_code == 3, out.output
    data = json.loads(out.output)
    mystery = data["lines"][2]
    assert mystery["status"] == "unpriced" and mystery["actual"] is None
    assert mystery["unpriced"] == ["mystery: not a model the warehouse has prices for"]
    assert data["total"]["actual"] == "100.15"  # hosting $100 + 1,000,000 x $0.15; mystery left out


def _daily(tmp_path, eighth: int):
    """claude-haiku-4-5 at $1 per 1M input: seven days of 1M tokens ($1.00), then ``eighth`` M tokens."""
    rows = [f"2026-11-0{d},claude-haiku-4-5,1000000,0,0,0" for d in range(1, 8)]
    rows.append(f"2026-11-08,claude-haiku-4-5,{eighth * 1000000},0,0,0")
    path = tmp_path / "daily.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_spike_check_day_over_trailing_mean(db, tmp_path):
    assert imported(db, _daily(tmp_path, 3)).exit_code == 0
    out = CliRunner().invoke(usage, ["spikes", "--db", db, "--json"])
    assert out.exit_code == 4, out.output  # $3.00 > 2 x $1.00 (the mean of 11-01..11-07)
    data = json.loads(out.output)
    assert data["days"] == [{"day": "2026-11-08", "cost": "3.00", "mean": "1.00", "spike": True}]
    calm = CliRunner().invoke(usage, ["spikes", "--db", db, "--factor", "3"])
    assert calm.exit_code == 0 and calm.output.startswith("ok    2026-11-08: $3.00 vs trailing mean $1.00 (3.00x)")
    first = CliRunner().invoke(usage, ["spikes", "--db", db, "--on", "2026-11-01", "--json"])
    assert json.loads(first.output)["days"][0]["mean"] is None  # nothing before it: never a spike
