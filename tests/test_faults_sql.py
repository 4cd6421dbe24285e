"""`aiprices sql` is read-only by construction: DuckDB's own parser decides what a statement is, and the
connection can read nothing but the warehouse file and write nothing at all (issue 13, item 1)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest
from aiprices.warehouse.connection import connect, connect_sandboxed
from aiprices.warehouse.errors import ReadOnlyViolation
from aiprices.warehouse.queries import run_sql
from click.testing import CliRunner
from helpers.built_once import build_once, copy_warehouse

from aiprices.commands.query import sql
from aiprices.commands.registry import registry

REGISTRY = {
    "gpt-test": {"litellm_provider": "openai", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05},
    "claude-test": {"litellm_provider": "anthropic", "input_cost_per_token": 3e-06},
}


def _refresh(folder: Path) -> None:
    copy = folder / "registry.json"
    copy.write_text(json.dumps(REGISTRY, indent=4))
    result = CliRunner().invoke(registry, ["refresh", "--file", str(copy), "--db", str(folder / "prices.duckdb")])
    assert result.exit_code == 0, result.output


@pytest.fixture
def warehouse(tmp_path_factory, tmp_path) -> Path:
    """The test's own copy of a warehouse refreshed from ``REGISTRY`` (built once): an attack may change it."""
    built = build_once(tmp_path_factory, "faults-sql", _refresh) / "prices.duckdb"
    return copy_warehouse(built, tmp_path / "prices.duckdb")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prices(db: Path) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT source_model_key, price_key, price FROM prices_current ORDER BY ALL").fetchall()
    finally:
        con.close()


def query(db: Path, text: str) -> list[tuple]:
    con = connect_sandboxed(db)
    try:
        return run_sql(con, text)[1]
    finally:
        con.close()


def refused(db: Path, text: str) -> str:
    """The one-line message for a refused query (run through the CLI command)."""
    result = CliRunner().invoke(sql, [text, "--db", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, ReadOnlyViolation), result.output
    message = str(result.exception)
    assert len(message.splitlines()) == 1
    return message


def test_a_comment_marker_inside_a_string_hides_no_second_statement(warehouse):
    before, rows = digest(warehouse), prices(warehouse)
    attack = f"SELECT '--'; COPY (SELECT 'gone' x) TO '{warehouse}' (FORMAT csv)"
    assert refused(warehouse, attack) == (
        "aiprices sql is read-only and runs exactly one statement; got 2 (SELECT, COPY)"
    )
    assert digest(warehouse) == before and prices(warehouse) == rows


def test_attach_through_a_hard_link_cannot_change_prices(warehouse):
    link = warehouse.with_name("alias.duckdb")
    os.link(warehouse, link)
    rows = prices(warehouse)
    attack = f"SELECT '/*'; ATTACH '{link}' AS h (READ_WRITE); UPDATE h.price_intervals SET price = 0 -- */"
    assert "runs exactly one statement; got 3 (SELECT, ATTACH, UPDATE)" in refused(warehouse, attack)
    assert "ATTACH statements are refused" in refused(warehouse, f"ATTACH '{link}' AS h (READ_WRITE)")
    assert prices(warehouse) == rows


def test_semicolons_and_comment_markers_inside_strings_are_data(warehouse):
    assert query(warehouse, "SELECT 'a;b' AS s") == [("a;b",)]
    assert query(warehouse, "SELECT '--' AS a, '/* x */' AS b -- a real comment\n;") == [("--", "/* x */")]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("SELECT * FROM read_text('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
        ("SELECT * FROM read_blob('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
        ("SELECT * FROM glob('/etc/*')", 'Cannot access file "/etc/*"'),
        ("SELECT * FROM read_csv('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
        ("SELECT * FROM '/etc/passwd'", "does not exist"),
    ],
)
def test_no_file_outside_the_warehouse_can_be_read(warehouse, text, why):
    result = CliRunner().invoke(sql, [text, "--db", str(warehouse)])
    assert result.exit_code == 1 and why in str(result.exception)
    assert "root:" not in result.output


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("COPY runs TO 'out.csv'", "COPY"),
        ("EXPORT DATABASE 'dump'", "EXPORT"),
        ("CREATE TABLE x AS SELECT 1", "CREATE"),
        ("CHECKPOINT", "CHECKPOINT"),
    ],
)
def test_statements_that_are_not_reads_are_refused_by_kind(warehouse, text, kind):
    assert refused(warehouse, text) == (
        f"aiprices sql is read-only: {kind} statements are refused (one SELECT-like query only)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/*')",
        "COPY (SELECT 1) TO '{out}'",
        "ATTACH '{link}' AS h (READ_WRITE)",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET autoinstall_known_extensions = true",
    ],
)
def test_the_connection_itself_refuses_files_extensions_and_settings(warehouse, text):
    """Even a statement that got past the parser check could touch nothing: the sandbox is the guard."""
    out, link = warehouse.with_name("out.csv"), warehouse.with_name("link.duckdb")
    os.link(warehouse, link)
    con = connect_sandboxed(warehouse)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(text.format(out=out, link=link)).fetchall()
    finally:
        con.close()
    assert not out.exists()


def test_tables_views_and_public_macros_keep_working(warehouse):
    assert query(warehouse, "SELECT count(*) FROM prices_on(DATE '2999-01-01')") == [(3,)]
    assert query(warehouse, "SELECT count(*) FROM query_table('prices_current')") == [(3,)]
    assert query(warehouse, "FROM price_changes SELECT count(*)") == [(3,)]
    assert ("price",) in [row[:1] for row in query(warehouse, "DESCRIBE prices_current")]
    assert ("prices_current",) in query(warehouse, "SHOW TABLES")
    assert len(query(warehouse, "SUMMARIZE prices_current")) > 5
    assert query(warehouse, "EXPLAIN SELECT 1")
    assert query(
        warehouse,
        "PIVOT prices_current ON price_key IN ('input', 'output') USING count(*) GROUP BY source ORDER BY source",
    ) == [("litellm", 2, 1)]
    assert query(warehouse, "SELECT current_setting('TimeZone')") == [("UTC",)]
