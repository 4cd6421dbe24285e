"""Progress of long work (issue 15 item 5): rich's display on stderr for a backfill (copies loaded), a crawl or
replay (sources done) and a report (pages written); nothing when not a terminal or with ``--quiet``.

CliRunner's streams are not terminals; ``AIPRICES_PROGRESS=1`` forces rich's terminal mode, as on a terminal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.small_warehouse import copies

from aiprices.cli import cli


def run(args: list[str], forced: bool) -> Result:
    env = {"AIPRICES_DEBUG": None, "AIPRICES_PROGRESS": "1" if forced else None}
    return CliRunner().invoke(cli, args, env=env)


def copies_folder(tmp: Path) -> Path:
    folder = tmp / "copies"
    folder.mkdir()
    for day, data in copies().items():
        (folder / f"{day}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_backfill_shows_copies_loaded_on_a_terminal(tmp_path):
    result = run(["backfill", "litellm", str(copies_folder(tmp_path)), "--db", str(tmp_path / "w.duckdb")], True)
    assert result.exit_code == 0, result.output
    assert "copies loaded" in result.stderr and "3/3" in result.stderr
    assert result.stdout.startswith("backfill: 3 copies loaded")  # stdout keeps only the summary


@pytest.mark.parametrize("quiet", [True, False])
def test_backfill_is_quiet_when_not_a_terminal_or_asked(tmp_path, quiet):
    args = ["backfill", "litellm", str(copies_folder(tmp_path)), "--db", str(tmp_path / "w.duckdb")]
    result = run([*args, "--quiet"] if quiet else args, forced=False)
    assert result.exit_code == 0 and result.stderr == ""


def test_quiet_wins_over_the_forced_terminal(tmp_path):
    args = ["backfill", "litellm", str(copies_folder(tmp_path)), "--db", str(tmp_path / "w.duckdb"), "-q"]
    assert run(args, forced=True).stderr == ""


def test_report_shows_pages_written(tmp_path, small_db):
    db = small_db
    shown = run(["report", str(tmp_path / "site"), "--db", str(db)], True)
    assert shown.exit_code == 0, shown.output
    pages = int(shown.stdout.split(" pages")[0].rsplit(" ", 1)[1])
    assert "pages written" in shown.stderr and f"{pages}/?" in shown.stderr
    quiet = run(["report", str(tmp_path / "site"), "--db", str(db), "--quiet"], True)
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_replay_shows_sources_done(vendor_pages, tmp_path):
    args = ["crawl", "groq", "deepseek", "--from-archive", str(vendor_pages), "--on", "2026-10-05",
            "--db", str(tmp_path / "w.duckdb")]  # fmt: skip
    shown = run(args, forced=True)
    assert shown.exit_code == 0, shown.output
    assert "sources done" in shown.stderr and "2/2" in shown.stderr


def test_rich_loads_only_when_the_display_is_shown():
    """`price` and the other quick commands never import rich (start-up time)."""
    import subprocess

    code = "import sys, aiprices.cli, aiprices.progress, aiprices.commands.crawl; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
