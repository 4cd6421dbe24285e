"""The Python API (``from aiprices import PriceBook``) on a small warehouse we write ourselves."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from aiprices.calculators.errors import CalcError, MissingPriceError, UnknownModelError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

import aiprices
from aiprices import PriceBook, usage_from_response

D = Decimal
TOKENS = "usd_per_1m_tokens"
HAIKU = "claude-3-5-haiku-20241022"
MARCH = datetime(2025, 3, 1, tzinfo=UTC)
README = Path(__file__).resolve().parent.parent / "README.md"

# (vendor, model, key, price_key, unit, price, extra fields)
ROWS = [
    ("openai", "gpt-4o-mini", "gpt-4o-mini", "input", TOKENS, "0.15", {}),
    ("openai", "gpt-4o-mini", "gpt-4o-mini", "output", TOKENS, "0.6", {}),
    ("openai", "gpt-4o-mini", "gpt-4o-mini", "cache_read", TOKENS, "0.075", {}),
    ("anthropic", HAIKU, HAIKU, "input", TOKENS, "1", {}),
    ("anthropic", HAIKU, HAIKU, "output", TOKENS, "5", {}),
    ("anthropic", HAIKU, HAIKU, "cache_read", TOKENS, "0.1", {}),
    ("anthropic", HAIKU, HAIKU, "cache_write", TOKENS, "1.25", {}),
    ("google", "gem", "gem", "input", TOKENS, "1.25", {}),
    ("google", "gem", "gem", "output", TOKENS, "10", {}),
    ("google", "gem", "gem", "input", TOKENS, "2.5", {"context_min_tokens": 200_000}),
    ("google", "gem", "gem", "output", TOKENS, "15", {"context_min_tokens": 200_000}),
    ("perplexity", "sonar", "sonar", "input", TOKENS, "1", {}),
    ("perplexity", "sonar", "sonar", "output", TOKENS, "1", {}),
    ("perplexity", "sonar", "sonar", "request", "per_1k_requests", "5", {}),
]


@pytest.fixture
def db(db_path) -> Path:
    con = connect(db_path)
    when = datetime(2025, 1, 3, tzinfo=UTC)
    rows = [
        price_row(source="litellm", vendor=v, model=m, source_model_key=k, price_key=pk, unit=u, price=D(p),
                  source_field=f"{pk}_cost", **kw)
        for v, m, k, pk, u, p, kw in ROWS
    ]  # fmt: skip
    load_run(con, StagedRun(RunRecord("r1", "litellm", "registry", when, when), rows))
    con.close()
    return db_path


def test_cost_is_exact_with_provenance(db):
    with PriceBook(db) as book:
        cost = book.cost("gpt-4o-mini", input_tokens=1200, output_tokens=300, cached_tokens=1000, at=MARCH)
    # 200 fresh x $0.15 + 1000 cached x $0.075 + 300 x $0.60, per 1M tokens
    assert cost.total == D("0.000285") and str(cost.total) == "0.000285" and cost.currency == "USD"
    assert [(p.label, p.quantity, p.price, p.amount) for p in cost.parts] == [
        ("input", 200, D("0.15"), D("0.00003")),
        ("cached input", 1000, D("0.075"), D("0.000075")),
        ("output", 300, D("0.6"), D("0.00018")),
    ]
    row = cost.parts[1].row
    assert (row.source, row.source_model_key, row.price_key, row.source_field) == (
        "litellm", "gpt-4o-mini", "cache_read", "cache_read_cost"
    )  # fmt: skip
    assert row.valid_from == datetime(2025, 1, 3, tzinfo=UTC) and row.valid_to is None
    assert cost.inferred == [] and cost.at == MARCH


def test_documented_fallbacks_tiers_and_fees(db):
    book = PriceBook(db)
    batch = book.cost("gpt-4o-mini", input_tokens=1000, output_tokens=1000, cached_tokens=0, tier="batch", at=MARCH)
    assert batch.total == D("0.000375") and batch.inferred == [
        "batch input = 50% of input",
        "batch output = 50% of output",
    ]
    long = book.cost("gem", input_tokens=250_000, output_tokens=1000, at=MARCH)  # the whole call pays the tier
    assert long.total == D("0.64") and {p.row.context_min_tokens for p in long.parts} == {200_000}
    cached = book.cost("gem", input_tokens=1000, cached_tokens=1000, at=MARCH)
    assert cached.parts[0].rule == "cached input = 10% of input" and cached.total == D("0.000125")
    fee = book.cost("sonar", input_tokens=1000, output_tokens=1000, at=MARCH)
    assert [p.label for p in fee.parts] == ["input", "output", "request"] and fee.total == D("0.007")
    write = book.cost(HAIKU, input_tokens=3000, cached_tokens=1000, cache_write_tokens=1000, at=MARCH)
    assert [(p.label, p.amount) for p in write.parts] == [
        ("input", D("0.001")), ("cached input", D("0.0001")), ("cache write", D("0.00125"))
    ]  # fmt: skip
    book.close()


def test_bad_questions_are_one_line_errors(db):
    book = PriceBook(db)
    with pytest.raises(UnknownModelError, match="unknown model 'gpt-4o-mni'; closest: gpt-4o-mini"):
        book.cost("gpt-4o-mni", input_tokens=1)
    with pytest.raises(MissingPriceError, match="'gpt-4o-mini' has no input price at 2024-06-01 00:00 UTC"):
        book.cost("gpt-4o-mini", input_tokens=1, at=datetime(2024, 6, 1, tzinfo=UTC))
    with pytest.raises(MissingPriceError, match="no cache write price"):
        book.cost("gpt-4o-mini", input_tokens=10, cache_write_tokens=5, at=MARCH)
    with pytest.raises(CalcError, match="has no time zone"):
        book.cost("gpt-4o-mini", input_tokens=1, at=datetime(2025, 3, 1))
    with pytest.raises(CalcError, match="exceed input_tokens"):
        book.cost("gpt-4o-mini", input_tokens=10, cached_tokens=11, at=MARCH)
    with pytest.raises(CalcError, match="cannot be negative"):
        book.cost("gpt-4o-mini", input_tokens=-1, at=MARCH)
    with pytest.raises(CalcError, match="unknown tier 'turbo'"):
        book.cost("gpt-4o-mini", input_tokens=1, tier="turbo", at=MARCH)
    book.close()


def test_price_lists_every_price_the_resolver_answers(db):
    with PriceBook(db) as book:
        rows = book.price("gem", at=MARCH)
    assert [(r.price_key, r.context_min_tokens, r.price) for r in rows] == [
        ("input", 0, D("1.25")), ("input", 200_000, D("2.5")), ("output", 0, D(10)), ("output", 200_000, D(15))
    ]  # fmt: skip
    assert all(r.source == "litellm" and r.unit == TOKENS for r in rows)


# Usage as each API documents it (shapes written here from the vendors' references).
OPENAI_CHAT = {
    "model": "gpt-4o-mini",
    "object": "chat.completion",
    "usage": {
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "total_tokens": 1500,
        "prompt_tokens_details": {"cached_tokens": 1000},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
}
OPENAI_RESPONSES = {
    "model": "gpt-4o-mini",
    "object": "response",
    "usage": {
        "input_tokens": 1200,
        "output_tokens": 300,
        "total_tokens": 1500,
        "input_tokens_details": {"cached_tokens": 1000},
        "output_tokens_details": {"reasoning_tokens": 120},
    },
}
ANTHROPIC = {
    "model": HAIKU,
    "type": "message",
    "usage": {
        "input_tokens": 50,
        "cache_creation_input_tokens": 1000,
        "cache_read_input_tokens": 2000,
        "output_tokens": 400,
    },
}
GEMINI = {"modelVersion": "gem", "usageMetadata": {
    "promptTokenCount": 1000, "cachedContentTokenCount": 600, "candidatesTokenCount": 200,
    "thoughtsTokenCount": 100, "totalTokenCount": 1300}}  # fmt: skip


def test_usage_from_each_vendors_response():
    openai = usage_from_response(OPENAI_CHAT)
    assert (openai.model, openai.input_tokens, openai.cached_tokens, openai.output_tokens) == (
        "gpt-4o-mini",
        1200,
        1000,
        300,
    )
    assert usage_from_response(json.dumps(OPENAI_RESPONSES)) == openai
    claude = usage_from_response(ANTHROPIC)  # Anthropic's input_tokens leave the cache out: added back
    assert (claude.input_tokens, claude.cached_tokens, claude.cache_write_tokens, claude.output_tokens) == (
        3050, 2000, 1000, 400
    )  # fmt: skip
    gemini = usage_from_response(GEMINI)  # thinking is billed as output
    assert (gemini.model, gemini.input_tokens, gemini.cached_tokens, gemini.output_tokens) == ("gem", 1000, 600, 300)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ("not json", "not a JSON response"),
        ({"choices": []}, "no usage in this response"),
        ({"usage": {"prompt_tokens": -3}}, "usage field prompt_tokens is not a token count"),
        ({"usage": {"prompt_tokens": 1.5}}, "usage field prompt_tokens is not a token count"),
        ({"usage": {"tokens": 3}}, "unknown usage shape"),
    ],
)
def test_bad_responses_say_why(response, message):
    with pytest.raises(CalcError, match=message):
        usage_from_response(response)


def test_cost_of_a_response(db):
    with PriceBook(db) as book:
        assert book.cost_of(OPENAI_CHAT, at=MARCH).total == D("0.000285")
        # 50 fresh x $1 + 2000 cached x $0.10 + 1000 written x $1.25 + 400 x $5, per 1M tokens
        assert book.cost_of(ANTHROPIC, at=MARCH).total == D("0.0035")
        with pytest.raises(CalcError, match="names no model"):
            book.cost_of({"usage": {"prompt_tokens": 1}}, at=MARCH)


def test_default_warehouse_is_the_clis(db, monkeypatch):
    monkeypatch.setenv("AIPRICES_DB", str(db))
    with PriceBook() as book:
        assert book.path == db and book.cost("sonar", at=MARCH).total == D("0.005")


def test_import_stays_light_and_types_ship():
    code = "import sys, aiprices; print(sorted(m for m in ('duckdb', 'pyarrow', 'pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True)
    assert out.stdout.strip() == "[]"
    assert resources.files("aiprices").joinpath("py.typed").is_file()
    assert set(aiprices.__all__) >= {"PriceBook", "Cost", "CostPart", "Usage", "usage_from_response"}
    with pytest.raises(AttributeError):
        aiprices.NoSuchThing  # noqa: B018


def test_the_readme_example_runs(db):
    section = README.read_text().split("## Python API", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)[1]
    env = {**os.environ, "AIPRICES_DB": str(db)}
    out = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, env=env, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "0.000285"
    assert "cached input 1000 0.075 0.000075 litellm gpt-4o-mini" in out.stdout
    assert "0.0035" in out.stdout.splitlines()
