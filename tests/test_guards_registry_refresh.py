"""Registry guards like crawl guards (issue 10 item 7), with the real shared copies: ``registry refresh --file``
refuses a copy older than the newest loaded (dated by ``--observed``, else its ``YYYY-MM-DD`` name, else its
content when that is an older loaded copy's), and an undated old copy that would retire most prices is held."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from click.testing import CliRunner

from aiprices.cli import cli

OLD, MID, LATER, NEW = "2023-10-20.json.gz", "2025-06-01.json.gz", "2025-12-07.json.gz", "2026-04-26.json.gz"


@pytest.fixture
def copies(registry_dir: Path) -> Path:
    folder = registry_dir
    for name in (OLD, MID, LATER, NEW):
        if not (folder / name).is_file():
            pytest.skip(f"shared registry copy {name} is absent")
    return folder


def refresh(db: Path, *args: str):
    return CliRunner().invoke(cli, ["registry", "refresh", *args, "--db", str(db)])


def snapshot(db: Path) -> tuple:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT count(*), max(valid_from), (SELECT max(observed_at) FROM runs) FROM prices_current"
        ).fetchone()
    finally:
        con.close()


def test_a_dated_copy_older_than_the_newest_loaded_is_refused(copies, db_path, tmp_path):
    loaded = refresh(db_path, "--file", str(copies / NEW))
    assert loaded.exit_code == 0, loaded.output
    before = snapshot(db_path)
    assert before[2].date().isoformat() == "2026-04-26"  # observed as of the date its name gives
    by_name = refresh(db_path, "--file", str(copies / OLD))
    assert by_name.exit_code == 2 and by_name.stderr.startswith("error: litellm: snapshot observed 2023-10-20")
    assert "not newer than the newest loaded one (2026-04-26" in by_name.stderr and by_name.stderr.count("\n") == 1
    undated = shutil.copy(copies / OLD, tmp_path / "prices.json.gz")
    by_flag = refresh(db_path, "--file", str(undated), "--observed", "2023-10-20")
    assert by_flag.exit_code == 2 and "snapshot observed 2023-10-20 00:00 is not newer" in by_flag.stderr
    assert snapshot(db_path) == before


def test_an_undated_file_holding_an_older_loaded_copy_is_refused(copies, db_path, tmp_path):
    for name in (MID, LATER):
        assert refresh(db_path, "--file", str(copies / name)).exit_code == 0
    before = snapshot(db_path)
    undated = shutil.copy(copies / MID, tmp_path / "prices.json.gz")
    refused = refresh(db_path, "--file", str(undated))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(
        "error: prices.json.gz: its content is the registry copy observed 2025-06-01, older than the newest loaded "
        "(2025-12-07); give --observed DATE"
    )
    assert snapshot(db_path) == before
    # The newest copy's own content under another name is today's copy again: loaded, nothing changes.
    same = shutil.copy(copies / LATER, tmp_path / "today.json.gz")
    again = refresh(db_path, "--file", str(same))
    assert again.exit_code == 0 and "+0 added, ~0 changed, -0 removed" in again.output


def test_an_unknown_old_copy_as_today_is_held_not_applied(copies, db_path, tmp_path):
    assert refresh(db_path, "--file", str(copies / NEW)).exit_code == 0
    before = snapshot(db_path)
    undated = shutil.copy(copies / OLD, tmp_path / "prices.json.gz")
    held = refresh(db_path, "--file", str(undated))
    assert held.exit_code == 1 and "1 held for review: aiprices review list" in held.stderr
    # 7,357 current prices (7,301 USD + 56 DBU). The copy is read against the stored entry digests, so it is an
    # incremental run: the keys it lacks are removed whole, whatever their currency (a registry key vanishing is
    # a withdrawal, not a page switching language)
    assert "would retire 7,277 of the source's 7,357 current prices (99%, half or more)" in held.stderr
    assert "held for review, nothing applied" in held.stderr
    listed = CliRunner().invoke(cli, ["review", "list", "--db", str(db_path)])
    assert "litellm registry" in listed.output and "retire 7,277 of 7,357 prices" in listed.output
    assert snapshot(db_path)[:2] == before[:2]  # nothing applied: the newest copy's prices, as they were


def test_observed_goes_with_file(db_path):
    out = refresh(db_path, "--observed", "2025-01-01")
    assert out.exit_code == 2 and "--observed goes with --file" in out.output
