"""One error style for every command (issue 15 item 4): `error: …`, one line on stderr, no traceback; exit 2 for a
usage error (Click's own ones included), the command's documented code for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aiprices.cli import COMMANDS, cli

ENV_OPTIONS = ("AIPRICES_DEBUG", "AIPRICES_BUDGETS", "AIPRICES_LOCK_WAIT", "AIPRICES_LOG_FILE", "AIPRICES_REPORT_DIR",
               "AIPRICES_SCHEDULE_AT", "AIPRICES_SCHEDULE_JITTER", "AIPRICES_WEBHOOK_URL",
               "AIPRICES_SPIKE_FACTOR")  # fmt: skip
# groups: their usage errors name the subcommand
GROUPS = {"export", "registry", "backfill", "calc", "budget", "schedule", "review", "usage"}
# command -> its words before the options (a subcommand, the arguments it needs to parse)
USAGE = {
    "sql": ["sql", "select 1"],
    "price": ["price", "gpt-4o"],
    "history": ["history", "gpt-4o"],
    "changes": ["changes"],
    "export": ["export", "parquet", "out"],
    "registry": ["registry", "refresh"],
    "backfill": ["backfill", "litellm", "."],
    "crawl": ["crawl"],
    "reparse": ["reparse", "run-1"],
    "load": ["load"],
    "runs": ["runs"],
    "calc": ["calc", "token"],
    "budget": ["budget", "price", "."],
    "schedule": ["schedule", "run-now"],
    "review": ["review", "list"],
    "doctor": ["doctor"],
    "report": ["report", "site"],
    "usage": ["usage", "import", "u.csv"],
}


def bad_input(tmp: Path) -> dict[str, tuple[list[str], int]]:
    """Each command's typical bad input, with the exit code the README gives it."""
    missing = str(tmp / "none.duckdb")
    (tmp / "bad.json").write_text('{"gpt-4o":')
    (tmp / "bad.yaml").write_text("lines: [unclosed\n")
    (tmp / "bad.csv").write_text("date,model\n")
    return {
        "sql": (["sql", "DROP TABLE prices", "--db", str(tmp / "w.duckdb")], 1),
        "price": (["price", "gpt-4o", "--db", missing], 1),
        "history": (["history", "gpt-4o", "--db", missing], 1),
        "changes": (["changes", "--db", missing], 1),
        "export": (["export", "parquet", str(tmp / "out"), "--db", missing], 1),
        "registry": (["registry", "refresh", "--file", str(tmp / "bad.json"), "--db", str(tmp / "w.duckdb")], 1),
        "backfill": (["backfill", "litellm", str(tmp / "no-folder"), "--db", str(tmp / "w.duckdb")], 2),
        "crawl": (["crawl", "nosuch", "--from-archive", str(tmp), "--db", str(tmp / "w.duckdb")], 2),
        "reparse": (["reparse", "no-such-run", "--db", str(tmp / "w.duckdb")], 2),
        "load": (["load", "no-such-run", "--db", str(tmp / "w.duckdb")], 2),
        "runs": (["runs", "--db", missing], 1),
        "calc": (["calc", "token", "-p", "input=eight dollars", "--input-tokens", "1"], 1),
        "budget": (["budget", "price", str(tmp / "bad.yaml")], 1),
        "schedule": (["schedule", "run-now", "--at", "25:00", "--db", str(tmp / "w.duckdb")], 2),
        "review": (["review", "accept", "999999", "--db", str(tmp / "w.duckdb")], 1),
        "doctor": (["doctor", "--db", missing], 1),
        "report": (["report", str(tmp / "site"), "--db", missing], 1),
        "usage": (["usage", "import", str(tmp / "bad.csv"), "--db", str(tmp / "w.duckdb")], 1),
    }


def run(args: list[str], tmp: Path) -> Result:
    env = {name: None for name in ENV_OPTIONS} | {"AIPRICES_DB": str(tmp / "default.duckdb")}
    return CliRunner().invoke(cli, args, env=env)


def assert_one_error_line(result: Result) -> None:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and len(lines[0]) > len("error: "), lines[0]
    assert "Traceback" not in result.output and "Error:" not in result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception


def test_every_command_is_covered():
    assert set(USAGE) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(USAGE))
def test_usage_errors_are_one_line_and_exit_2(name, tmp_path):
    result = run([*USAGE[name], "--no-such-option"], tmp_path)
    assert result.exit_code == 2
    assert_one_error_line(result)
    assert "no such option '--no-such-option'" in result.stderr
    assert f"(see 'aiprices {' '.join(USAGE[name][: 2 if name in GROUPS else 1])} --help')" in result.stderr


@pytest.mark.parametrize("name", sorted(USAGE))
def test_bad_input_is_one_line(name, tmp_path):
    args, code = bad_input(tmp_path)[name]
    result = run(args, tmp_path)
    assert result.exit_code == code, result.stderr
    assert_one_error_line(result)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no-such-command"], "error: no such command 'no-such-command' (see 'aiprices --help')"),
        (["price"], "error: missing argument 'MODEL' (see 'aiprices price --help')"),
        (["runs", "--limit", "0"], "error: invalid value for '--limit': 0 is not in the range x>=1"),
    ],
)
def test_clicks_own_usage_errors_follow_the_style(args, says, tmp_path):
    result = run(args, tmp_path)
    assert result.exit_code == 2 and result.stderr.startswith(says)
    assert_one_error_line(result)


def test_help_and_version_still_exit_0(tmp_path):
    assert run(["--version"], tmp_path).exit_code == 0
    assert run(["price", "--help"], tmp_path).stdout.startswith("Usage: aiprices price")


def test_the_schedule_log_on_stderr_follows_the_style(tmp_path, capsys):
    """`schedule start|run-now` log to stderr as one line per record; the traceback stays in the log file."""
    from aiprices.schedules.notify import setup_logging

    log = setup_logging(tmp_path / "schedule.log")
    log.warning("stale budget: %s", "team.yaml")
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        log.exception("catch-up run crashed")
    assert capsys.readouterr().err.splitlines()[-2:] == ["warning: stale budget: team.yaml",
                                                         "error: catch-up run crashed"]  # fmt: skip
    kept = (tmp_path / "schedule.log").read_text()
    assert "ERROR aiprices.schedule: catch-up run crashed" in kept and "Traceback" in kept
