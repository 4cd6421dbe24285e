"""The query CLI end to end: the real entry point (in process), a real warehouse file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from helpers.cli import run_aiprices


def aiprices(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    proc = run_aiprices(*args, env={"AIPRICES_DB": str(db), "AIPRICES_DEBUG": None})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    from helpers.shared import shared_path

    folder = tmp_path_factory.mktemp("copies")
    for day in ("2025-01-03", "2025-06-01"):
        (folder / f"{day}.json.gz").symlink_to(shared_path("litellm-registry", f"{day}.json.gz"))
    db = tmp_path_factory.mktemp("wh") / "prices.duckdb"
    out = aiprices("backfill", "litellm", str(folder), db=db)
    assert "2 copies loaded" in out.stdout
    return db


def test_price_on_a_date_with_provenance(loaded_db):
    rows = list(
        csv.DictReader(
            io.StringIO(
                aiprices(
                    "price", "claude-3-5-haiku-20241022", "--on", "2025-03-01", "--format", "csv", db=loaded_db
                ).stdout
            )
        )
    )
    by_key = {(r["source_model_key"], r["price_key"]): r for r in rows}
    first_party = by_key[("claude-3-5-haiku-20241022", "input")]
    assert first_party["price"] == "1" and first_party["unit"] == "usd_per_1m_tokens"
    assert first_party["source_field"] == "input_cost_per_token"
    assert first_party["source_url"].endswith("2025-01-03.json.gz")
    later = aiprices("price", "claude-3-5-haiku-20241022", "--on", "2025-06-01", "--format", "json", db=loaded_db)
    prices = {(r["source_model_key"], r["price_key"]): r["price"] for r in json.loads(later.stdout)}
    assert prices[("claude-3-5-haiku-20241022", "input")] == "0.8"


def test_registry_key_also_finds_the_model(loaded_db):
    out = aiprices("price", "azure/gpt-4o", "--on", "2025-06-01", "--format", "json", db=loaded_db)
    rows = json.loads(out.stdout)
    assert rows and {r["source_model_key"] for r in rows} == {"azure/gpt-4o"}
    assert {r["model"] for r in rows} == {"gpt-4o"}


def test_unknown_model_suggests_closest_names(loaded_db):
    proc = aiprices("price", "claude-3-5-haiku-2024102", db=loaded_db, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: unknown model 'claude-3-5-haiku-2024102'; closest:")
    assert "claude-3-5-haiku-20241022" in proc.stderr and "Traceback" not in proc.stderr


def test_sql_refuses_writes_and_changes_nothing(loaded_db):
    before = aiprices("sql", "SELECT count(*) AS n FROM price_changes", "--format", "json", db=loaded_db).stdout
    for statement in (
        "DELETE FROM changes",
        "DROP TABLE runs",
        "select 1; delete from runs",
        "COPY runs TO '/tmp/x.csv'",
        "ATTACH 'x.db'",
    ):
        proc = aiprices("sql", statement, db=loaded_db, check=False)
        assert proc.returncode == 1 and "read-only" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert aiprices("sql", "SELECT count(*) AS n FROM price_changes", "--format", "json", db=loaded_db).stdout == before


def test_sql_formats_keep_money_exact(loaded_db):
    query = (
        "SELECT price FROM prices_on(DATE '2025-06-01') WHERE source_model_key = "
        "'claude-3-5-haiku-20241022' AND price_key = 'cache_read'"
    )
    assert json.loads(aiprices("sql", query, "--format", "json", db=loaded_db).stdout) == [{"price": "0.08"}]
    assert aiprices("sql", query, "--format", "csv", db=loaded_db).stdout.split() == ["price", "0.08"]
    assert "0.08" in aiprices("sql", query, db=loaded_db).stdout


def test_changes_since_and_history(loaded_db):
    out = json.loads(
        aiprices(
            "changes", "--since", "2025-06-01", "--model", "claude-3-5-haiku-20241022", "--format", "json", db=loaded_db
        ).stdout
    )
    inputs = [r for r in out if r["price_key"] == "input" and r["source_model_key"] == "claude-3-5-haiku-20241022"]
    assert inputs == [{**inputs[0], "old_price": "1", "new_price": "0.8", "kind": "changed", "pct_change": -20.0}]
    hist = list(
        csv.DictReader(
            io.StringIO(aiprices("history", "claude-3-5-haiku-20241022", "--format", "csv", db=loaded_db).stdout)
        )
    )
    intervals = [
        (r["price"], r["valid_to"])
        for r in hist
        if r["price_key"] == "input" and r["source_model_key"] == "claude-3-5-haiku-20241022"
    ]
    assert intervals == [("1", "2025-06-01T00:00:00+00:00"), ("0.8", "")]


def test_errors_are_one_line(tmp_path, registry_dir):
    db = tmp_path / "w.duckdb"
    proc = aiprices("price", "gpt-4o", db=db, check=False)
    assert proc.returncode == 1 and proc.stderr.startswith("error: no warehouse at")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "2025-01-01.json.gz").write_bytes((registry_dir / "2025-06-01.json.gz").read_bytes()[:500])
    proc = aiprices("backfill", "litellm", str(bad), db=db, check=False)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert "2025-01-01.json.gz: cannot read" in proc.stderr
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_registry_refresh_offline_is_a_clear_error(tmp_path):
    proc = aiprices(
        "registry", "refresh", "--url", "http://127.0.0.1:9/registry.json", db=tmp_path / "w.duckdb", check=False
    )
    assert proc.returncode == 1 and proc.stderr.startswith("error: cannot fetch") and "offline" in proc.stderr


def test_registry_refresh_from_file_then_same_file_again(tmp_path, registry_dir):
    db = tmp_path / "w.duckdb"
    out = aiprices("registry", "refresh", "--file", str(registry_dir / "2025-01-03.json.gz"), db=db)
    assert "1 copies loaded" in out.stdout
    out = aiprices("registry", "refresh", "--file", str(registry_dir / "2025-01-03.json.gz"), db=db)
    assert "+0 added, ~0 changed, -0 removed" in out.stdout  # a later observation of the same prices


def test_export_parquet_replaces_only_that_day(loaded_db, tmp_path):
    out = tmp_path / "export"
    aiprices("export", "parquet", str(out), db=loaded_db)
    day_dir = out / "price_changes" / "source=litellm" / "date=2025-06-01"
    other = out / "price_changes" / "source=litellm" / "date=2025-01-03"
    assert day_dir.is_dir() and other.is_dir()
    marker = other / "keep.txt"
    marker.write_text("untouched")
    (day_dir / "stale.parquet").write_text("old")
    aiprices("export", "parquet", str(out), "--on", "2025-06-01", db=loaded_db)
    assert marker.exists() and not (day_dir / "stale.parquet").exists()
    con = connect(tmp_path / "check.duckdb")
    (n,) = con.execute(
        f"SELECT count(*) FROM read_parquet('{out}/price_changes/**/*.parquet', hive_partitioning = true) "
        "WHERE date = DATE '2025-06-01'"
    ).fetchone()
    (expected,) = (
        connect(loaded_db, read_only=True)
        .execute("SELECT count(*) FROM price_changes WHERE changed_on = DATE '2025-06-01'")
        .fetchone()
    )
    assert n == expected > 0


def test_help_for_every_command(loaded_db):
    from aiprices.cli import COMMANDS, _installed

    installed = [name for name in COMMANDS if _installed(name)]
    assert {"sql", "price", "history", "changes", "export", "registry", "backfill", "crawl", "calc", "budget"} <= set(
        installed
    )
    listing = aiprices("--help", db=loaded_db).stdout
    for name in installed:
        assert f"  {name} " in listing
    for name in installed:
        proc = aiprices(name, "--help", db=loaded_db, check=False)
        assert proc.returncode == 0, (name, proc.stderr)
        assert "Usage:" in proc.stdout


LISTING = """
import sys
from aiprices.cli import cli
prog_name, sys.argv = sys.argv[1], ["aiprices", "--help"]
cli.main(prog_name=prog_name, standalone_mode=False)
print(sorted(m for m in sys.modules if m.startswith("aiprices.commands.")))
"""


@pytest.mark.parametrize("prog_name", ["aiprices", "python -m aiprices"])
def test_the_command_listing_imports_no_command(prog_name):
    """``--help`` lists commands from their short help: a fast start however the program is named."""
    proc = subprocess.run([sys.executable, "-c", LISTING, prog_name], capture_output=True, text=True, check=True)
    assert f"Usage: {prog_name} " in proc.stdout and "  price " in proc.stdout
    assert proc.stdout.rstrip().endswith("[]")


def test_a_date_before_any_price_is_one_error_and_no_table(loaded_db):
    from click.testing import CliRunner

    from aiprices.commands.query import price

    for fmt in ("table", "csv", "json"):
        args = ["claude-3-5-haiku-20241022", "--on", "2020-01-01", "--format", fmt, "--db", str(loaded_db)]
        result = CliRunner().invoke(price, args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "claude-3-5-haiku-20241022 has no price in effect on 2020-01-01" in result.stderr
