"""`price`, `history` and `changes` as a person reads them: compact tables that fit 100 columns, every
column with --wide, the newest changes first, money without trailing zeros, and large results limited in a
table (with a note) but complete in CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from aiprices.warehouse.connection import connect
from click.testing import CliRunner
from helpers.small_warehouse import HOSTILE

from aiprices.cli import cli
from aiprices.output import context_text, money, price_text, table_lines


def run(*args, db) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_money_is_exact_without_trailing_zeros():
    assert money(Decimal("0.800000000000000000000000")) == "0.8"
    assert money(Decimal("100.000")) == "100" and money(Decimal("1E+2")) == "100"
    assert money(Decimal("-0.000")) == "0" and money(None) == "-"
    assert money(Decimal("0.000000000000000000000001")) == "0.000000000000000000000001"
    widest = "12345678901234.123456789012345678901234"  # all 38 digits of DECIMAL(38,24), none rounded
    assert money(Decimal(widest + "000")) == widest
    assert price_text(Decimal("2.50"), "usd_per_1m_tokens", "USD") == "2.5 USD/1M tokens"
    assert price_text(Decimal("0.040"), "per_image", "USD") == "0.04 USD/image"
    assert context_text(0) == "" and context_text(200_000) == ">200K" and context_text(1_000_000) == ">1M"


def test_price_table_is_compact_and_fits_100_columns(small_db):
    out = run("price", "gpt-4o", "--on", "2025-03-15", db=small_db)
    lines = out.splitlines()
    assert lines[0] == "gpt-4o on 2025-03-15"
    assert lines[1].split() == ["source", "source", "key", "price", "key", "tier", "price", "from", "to"]
    assert all(len(line) <= 100 for line in lines)
    assert "2 USD/1M tokens" in out and "8 USD/1M tokens" in out and "0000" not in out
    assert "source_field" not in out
    wide = run("price", "gpt-4o", "--on", "2025-03-15", "--wide", db=small_db)
    assert "source_field" in wide and "input_cost_per_token_batches" in wide and "source_url" in wide


def test_long_names_wrap_inside_their_column(small_db):
    out = run("changes", "--model", HOSTILE, db=small_db)
    assert all(len(line) <= 100 for line in out.splitlines())
    lines = table_lines(["name", "price"], [("x" * 150, "2.5 USD/1M tokens")], width=40)
    assert all(len(line) <= 40 for line in lines)


def test_changes_newest_first_and_limit_keeps_the_newest(small_db):
    rows = json.loads(run("changes", "--format", "json", db=small_db))
    days = [r["changed_on"] for r in rows]
    assert days == sorted(days, reverse=True) and days[0] == "2025-06-14"
    newest = json.loads(run("changes", "--limit", "1", "--format", "json", db=small_db))
    assert newest == [rows[0]]
    table = run("changes", "--limit", "2", db=small_db)
    assert f"(2 rows shown, {len(rows) - 2} more left out" in table
    gpt = run("changes", "--model", "gpt-4o", "--since", "2025-03-01", db=small_db)
    assert "2.5 -> 2 USD/1M tokens" in gpt and "-20%" in gpt and "8 -> 10 USD/1M tokens" in gpt


def test_csv_and_json_are_complete_and_exact(small_db):
    con = connect(small_db, read_only=True)
    (total,) = con.execute("SELECT count(*) FROM price_changes").fetchone()
    con.close()
    rows = list(csv.DictReader(io.StringIO(run("changes", "--format", "csv", db=small_db))))
    assert len(rows) == total == len(json.loads(run("changes", "--format", "json", db=small_db)))
    assert {r["new_price"] for r in rows if r["source_model_key"] == "gpt-4o"} >= {"2", "8", "10", "1"}
    hist = json.loads(run("history", "gpt-4o", "--format", "json", "--limit", "100000", db=small_db))
    registry = [r for r in hist if r["source"] == "litellm" and r["source_model_key"] == "gpt-4o"]
    assert [r["price"] for r in registry if r["price_key"] == "output"] == ["10", "8", "10"]


def test_history_table_limited_with_a_note(small_db):
    out = run("history", "gpt-4o", "--limit", "3", db=small_db)
    assert "(3 rows shown, 8 more left out" in out  # 8 registry intervals, 2 vendor-page, 1 aggregator
    assert "(11 rows)" in run("history", "gpt-4o", db=small_db)


def test_review_correct_prints_money_plainly(small_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(small_db.read_bytes())
    con = connect(db, read_only=True)
    (change_id,) = con.execute(
        "SELECT change_id FROM price_changes WHERE source_model_key = 'gpt-4o' AND price_key = 'input' "
        "AND kind = 'changed'"
    ).fetchone()
    con.close()
    out = run("review", "correct", str(change_id), db=db)
    assert "now reads 2 (was 2.5; kept in corrections)" in out
