"""Registry import on the real dated copies in ../shared/litellm-registry (facts read from the files)."""

from __future__ import annotations

import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect
from aiprices.warehouse.errors import BadInput, LoadRefused
from helpers.registry_series import independent_changelog, warehouse_changelog
from helpers.shared import shared_path


def _copy(registry_dir: Path, dest: Path, *dates: str) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for day in dates:
        shutil.copy(registry_dir / f"{day}.json.gz", dest / f"{day}.json.gz")
    return dest


def _counts(con) -> tuple:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("runs", "price_intervals", "changes"))


@pytest.fixture(scope="module")
def full_warehouse(registry_warehouse):
    """The session's backfill of every shared copy, opened read-only, and what that backfill reported."""
    con = connect(registry_warehouse.path, read_only=True)
    yield con, registry_warehouse.result
    con.close()


@pytest.fixture(scope="module")
def registry_dir_module():
    return shared_path("litellm-registry")


def test_changelog_is_that_of_an_independent_whole_file_diff(full_warehouse, registry_dir_module):
    con, _ = full_warehouse
    assert con.execute("SELECT DISTINCT status FROM runs").fetchall() == [("ok",)]
    assert warehouse_changelog(con) == independent_changelog(registry_dir_module)


def test_price_cut_appears_once_with_old_and_new(full_warehouse):
    con, result = full_warehouse
    assert result.loaded == 10
    rows = con.execute(
        "SELECT changed_on::VARCHAR, price_key, old_price, new_price, kind, flag FROM price_changes "
        "WHERE source_model_key = 'claude-3-5-haiku-20241022' AND kind = 'changed' ORDER BY price_key"
    ).fetchall()
    # 2025-01-03: input 0.000001, output 0.000005, cache write 0.00000125, read 0.0000001 per token;
    # 2025-06-01: 8e-07, 4e-06, 1e-06, 8e-08 (exponent style): the same values per 1M tokens.
    assert rows == [
        ("2025-06-01", "cache_read", Decimal("0.1"), Decimal("0.08"), "changed", None),
        ("2025-06-01", "cache_write", Decimal("1.25"), Decimal("1"), "changed", None),
        ("2025-06-01", "input", Decimal("1"), Decimal("0.8"), "changed", None),
        ("2025-06-01", "output", Decimal("5"), Decimal("4"), "changed", None),
    ]


def test_prices_on_a_date_and_history_interval(full_warehouse):
    con, _ = full_warehouse
    before = con.execute(
        "SELECT price FROM prices_on(DATE '2025-03-01') WHERE source_model_key = 'claude-3-5-haiku-20241022' "
        "AND price_key = 'input'"
    ).fetchall()
    after = con.execute(
        "SELECT price FROM prices_on(DATE '2025-06-01') WHERE source_model_key = 'claude-3-5-haiku-20241022' "
        "AND price_key = 'input'"
    ).fetchall()
    assert before == [(Decimal("1"),)] and after == [(Decimal("0.8"),)]


def test_removed_entry_is_recorded_once(full_warehouse):
    con, _ = full_warehouse
    # text-davinci-003 (0.000002 in and out per token on 2023-10-20) is gone from the 2024-11-28 copy.
    rows = con.execute(
        "SELECT changed_on::VARCHAR, price_key, old_price, new_price FROM price_changes "
        "WHERE source_model_key = 'text-davinci-003' AND kind = 'removed' ORDER BY price_key"
    ).fetchall()
    assert rows == [("2024-11-28", "input", Decimal("2"), None), ("2024-11-28", "output", Decimal("2"), None)]
    current = con.execute("SELECT count(*) FROM prices_current WHERE source_model_key = 'text-davinci-003'")
    assert current.fetchone() == (0,)


def test_sample_spec_is_no_model(full_warehouse):
    con, _ = full_warehouse
    n = con.execute("SELECT count(*) FROM price_history WHERE source_model_key = 'sample_spec'").fetchone()
    assert n == (0,)


def test_exactly_one_change_row_per_transition(full_warehouse):
    con, _ = full_warehouse
    dupes = con.execute(
        "SELECT count(*) FROM (SELECT price_id, run_id FROM changes GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    assert dupes == (0,)
    # every non-first interval is explained by exactly one changed/added row at its valid_from
    orphans = con.execute(
        "SELECT count(*) FROM price_intervals h LEFT JOIN changes c "
        "ON c.price_id = h.price_id AND c.changed_at = h.valid_from AND c.kind IN ('added', 'changed') "
        "WHERE c.price_id IS NULL"
    ).fetchone()
    assert orphans == (0,)


def test_suspect_magnitude_flags_zero_crossings_and_10x(full_warehouse):
    con, _ = full_warehouse
    bad = con.execute(
        "SELECT count(*) FROM price_changes WHERE kind = 'changed' AND flag IS NULL AND "
        "((old_price = 0) <> (new_price = 0) OR (old_price > 0 AND (new_price / old_price >= 10 "
        "OR new_price / old_price <= 0.1)))"
    ).fetchone()
    flagged = con.execute("SELECT count(*) FROM price_changes WHERE flag = 'suspect_magnitude'").fetchone()
    assert bad == (0,) and flagged[0] > 0


def test_loading_the_same_copies_twice_changes_nothing(tmp_path, registry_dir):
    folder = _copy(registry_dir, tmp_path / "copies", "2025-01-03", "2025-06-01")
    con = connect(tmp_path / "w.duckdb")
    first = backfill(con, folder)
    counts = _counts(con)
    again = backfill(con, folder)
    assert first.loaded == 2 and again.loaded == 0 and again.skipped == 2
    assert _counts(con) == counts


def test_out_of_order_copy_is_refused_and_nothing_changes(tmp_path, registry_dir):
    con = connect(tmp_path / "w.duckdb")
    backfill(con, _copy(registry_dir, tmp_path / "new", "2025-06-01"))
    counts = _counts(con)
    with pytest.raises(LoadRefused, match="not newer"):
        backfill(con, _copy(registry_dir, tmp_path / "old", "2025-01-03"))
    assert _counts(con) == counts


def test_truncated_gzip_leaves_warehouse_unchanged(tmp_path, registry_dir):
    folder = _copy(registry_dir, tmp_path / "copies", "2025-01-03")
    data = (registry_dir / "2025-06-01.json.gz").read_bytes()
    (folder / "2025-06-01.json.gz").write_bytes(data[: len(data) // 2])
    con = connect(tmp_path / "w.duckdb")
    with pytest.raises(BadInput, match="2025-06-01.json.gz: cannot read"):
        backfill(con, folder)
    assert _counts(con) == (0, 0, 0)


def test_invalid_json_and_undated_names_are_clear_errors(tmp_path, registry_dir):
    folder = _copy(registry_dir, tmp_path / "copies", "2025-01-03")
    (folder / "2025-02-01.json").write_text('{"gpt-4": {"input_cost_per_token": 0.00003,')
    con = connect(tmp_path / "w.duckdb")
    with pytest.raises(BadInput, match="2025-02-01.json: not valid JSON"):
        backfill(con, folder)
    assert _counts(con) == (0, 0, 0)
    (folder / "2025-02-01.json").unlink()
    (folder / "latest.json").write_text("{}")
    with pytest.raises(BadInput, match="latest.json: not a dated registry copy"):
        backfill(con, folder)
    assert _counts(con) == (0, 0, 0)


def test_plain_and_gz_copies_load_the_same(tmp_path, registry_dir):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "2025-01-03.json").write_bytes(gzip.decompress((registry_dir / "2025-01-03.json.gz").read_bytes()))
    a, b = connect(tmp_path / "a.duckdb"), connect(tmp_path / "b.duckdb")
    backfill(a, plain)
    backfill(b, _copy(registry_dir, tmp_path / "gz", "2025-01-03"))
    q = "SELECT source_model_key, price_key, unit, service_tier, variant, price FROM price_history ORDER BY ALL"
    assert a.execute(q).fetchall() == b.execute(q).fetchall()
