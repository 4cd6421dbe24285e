"""The daily job through `aiprices schedule run-now` (in process; the crawl's real Scrapy processes over
loopback, a real DuckDB file), the cross-process lock, the webhook, the history and `schedule status`."""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiprices.schedules.lock import CrawlLock
from aiprices.warehouse.connection import connect
from click.testing import CliRunner, Result
from helpers.built_once import build_once, copy_warehouse
from helpers.http_server import STOP_POLL

from aiprices.cli import cli

ENV = {"AIPRICES_DEBUG": None, "AIPRICES_WEBHOOK_URL": None, "AIPRICES_BUDGETS": None, "AIPRICES_SCHEDULE_AT": None,
       "AIPRICES_LOCK_WAIT": None}  # fmt: skip


def aiprices(*args: str, db: Path) -> Result:
    """``aiprices schedule ...`` in process (args start with "schedule"), as the user sees it."""
    assert args[0] == "schedule"
    return CliRunner().invoke(cli, list(args), env={**ENV, "AIPRICES_DB": str(db)})


def openrouter_page(folder: Path, day: str, prompt: str) -> None:
    """Our own OpenRouter-style fixture: one model, USD per token as strings."""
    (folder / "openrouter").mkdir(parents=True, exist_ok=True)
    body = {"data": [{"id": "acme/model-1", "pricing": {"prompt": prompt, "completion": "0.000004"}}]}
    (folder / "openrouter" / f"{day}.json").write_text(json.dumps(body))


BUDGET = """name: acme-bot
priced_on: 2026-01-01
lines:
  - name: chat
    kind: token
    model: acme/model-1
    source: openrouter
    input_tokens: 10000000
    output_tokens: 0
"""


class Hook:
    """A loopback webhook receiver that keeps every JSON body posted to it."""

    def __init__(self):
        self.posts: list[dict] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(STOP_POLL,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def job_args(pages: Path, *extra: str) -> list[str]:
    return ["schedule", "run-now", "--json", "--no-registry", "--jitter", "0",
            "--crawl-arg=--from-archive", f"--crawl-arg={pages}", "--source", "openrouter", *extra]  # fmt: skip


def test_run_now_crawls_checks_budgets_and_alerts_on_drift(tmp_path, db_path, hook):
    pages, budgets = tmp_path / "pages", tmp_path / "budgets"
    budgets.mkdir()
    (budgets / "acme.yaml").write_text(BUDGET)
    openrouter_page(pages, "2026-01-01", "0.000001")
    first = aiprices(*job_args(pages, "--budgets", str(budgets), "--webhook", hook.url), db=db_path)
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    assert result["status"] == "ok" and result["sources"] == {"openrouter": "ok"}
    assert result["stale_budgets"] == [] and hook.posts == []
    openrouter_page(pages, "2026-01-02", "0.0000015")  # +50%: a real change, not suspect
    second = json.loads(aiprices(*job_args(pages, "--budgets", str(budgets), "--webhook", hook.url), db=db_path).stdout)
    assert second["stale_budgets"] == [f"acme-bot ({budgets / 'acme.yaml'})"], second
    assert [p["job"] for p in hook.posts] == ["run-now"] and hook.posts[0]["stale_budgets"]
    con = connect(db_path, read_only=True)
    prices = con.execute(
        "SELECT price FROM prices_current WHERE source_model_key = 'acme/model-1' AND price_key = 'input'"
    ).fetchall()
    con.close()
    assert prices == [(Decimal("1.5"),)]
    history = [json.loads(line) for line in (tmp_path / "prices.duckdb.schedule.jsonl").read_text().splitlines()]
    assert [h["status"] for h in history] == ["ok", "ok"]
    log = (tmp_path / "aiprices-schedule.log").read_text()
    assert "run-now run ok" in log and "stale budget: acme-bot" in log


def test_failed_run_is_recorded_posted_and_exits_nonzero(tmp_path, db_path, hook):
    empty = tmp_path / "empty-archive"
    empty.mkdir()
    out = aiprices(*job_args(empty, "--webhook", hook.url), db=db_path)
    assert out.exit_code == 3
    result = json.loads(out.stdout)
    assert result["status"] == "failed" and result["exit_code"] == 3
    assert result["reason"].startswith("crawl failed: sources not ok: openrouter")
    assert result["runs"] == [{"source": "openrouter", "run_id": None, "status": "no capture"}]
    assert "Traceback" not in out.output
    assert len(hook.posts) == 1 and hook.posts[0]["status"] == "failed"
    status = json.loads(aiprices("schedule", "status", "--json", "--at", "07:30", db=db_path).stdout)
    assert status["recent_runs"][-1]["status"] == "failed"
    assert status["next_run"][11:16] == "07:30" and status["scheduler_running"] is False
    assert status["catch_up_due"] is True


def test_second_crawl_exits_clearly_while_the_lock_is_held(tmp_path, db_path):
    pages = tmp_path / "pages"
    openrouter_page(pages, "2026-01-01", "0.000001")
    with CrawlLock(db_path, wait=0):
        out = aiprices(*job_args(pages, "--lock-wait", "0.2"), db=db_path)
    assert out.exit_code == 3
    assert "another crawl is running (pid" in out.stderr
    assert json.loads(out.stdout)["status"] == "skipped"
    assert not db_path.exists()  # nothing was crawled or loaded
    # The lock is free again: the same job now runs (with groq, which has nothing: partial, each run id printed).
    args = [a for a in job_args(pages, "--lock-wait", "0") if a != "--json"]
    again = aiprices(*args, "--source", "groq", db=db_path)
    assert again.exit_code == 1, again.output
    head, *runs = again.stdout.splitlines()
    assert " partial " in head and "crawl partial: sources not ok: groq" in head
    assert re.fullmatch(r"  groq +no capture +-", runs[0])
    assert re.fullmatch(r"  openrouter +ok +replay-\d{8}T\d{6}Z-[0-9a-f]{4}-openrouter", runs[1])
    assert again.stderr.strip().endswith("error: crawl partial: sources not ok: groq")


def test_bad_time_is_one_line(db_path):
    out = aiprices("schedule", "run-now", "--at", "25:00", db=db_path)
    assert out.exit_code == 2 and out.stderr.strip() == "error: bad time '25:00': write HH:MM in UTC, e.g. 06:15"


def test_status_never_cuts_a_reason_mid_word(tmp_path, db_path):
    from datetime import UTC, datetime

    from aiprices.warehouse.load import load_run
    from aiprices.warehouse.staging import RunRecord, StagedRun

    reason = "crawl partial: sources not ok: " + ", ".join(f"source{n} (prices.azure.com/{n}x)" for n in range(30))
    history = {"job": "daily", "started_at": "2026-01-01T06:15:00+00:00", "status": "partial", "reason": reason}
    (tmp_path / "prices.duckdb.schedule.jsonl").write_text(json.dumps(history) + "\n")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    con = connect(db_path)
    load_run(con, StagedRun(RunRecord("r1-azure", "azure", "crawl", at, at, at, status="failed", error=reason), []))
    con.close()
    words = set(reason.split())
    short = aiprices("schedule", "status", db=db_path)
    assert short.exit_code == 0, short.output
    tokens = short.stdout.split()
    shown = [w for w in tokens if "prices.az" in w or re.match(r"source\d", w)]  # pieces of the reason
    assert shown and set(shown) <= words  # shortened at word boundaries only
    assert "(--verbose)" in short.stdout
    full = aiprices("schedule", "status", "--verbose", db=db_path)
    text = " ".join(full.stdout.split())
    assert text.count(reason) == 2  # the job's reason and the source's error, whole (wrapped over lines)


def test_run_now_writes_the_report_and_a_report_failure_fails_only_its_step(tmp_path, db_path):
    pages, budgets, site = tmp_path / "pages", tmp_path / "budgets", tmp_path / "site"
    budgets.mkdir()
    (budgets / "acme.yaml").write_text(BUDGET)
    openrouter_page(pages, "2026-01-01", "0.000001")
    out = aiprices(*job_args(pages, "--budgets", str(budgets), "--report", str(site)), db=db_path)
    assert out.exit_code == 0, out.output
    steps = {s["name"]: s for s in json.loads(out.stdout)["steps"]}
    assert steps["report"]["status"] == "ok" and "pages (1 models)" in steps["report"]["detail"]
    assert (site / "index.html").is_file() and len(list((site / "models").glob("acme-model-1-*.html"))) == 1
    assert len(list((site / "budgets").glob("acme-yaml-*.html"))) == 1
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a report")
    failed = aiprices(*job_args(pages, "--report", str(foreign)), db=db_path)
    result = json.loads(failed.stdout)
    assert failed.exit_code == 1 and result["status"] == "partial"  # the crawl step did its work
    assert [s["status"] for s in result["steps"]] == ["ok", "failed"] and "not a report folder" in result["reason"]
    assert (foreign / "notes.txt").read_text() == "not a report"


def _first_run(folder: Path) -> None:
    openrouter_page(folder / "pages", "2026-01-01", "0.000001")  # acme/model-1 input: $1 per 1M tokens
    assert aiprices(*job_args(folder / "pages"), db=folder / "prices.duckdb").exit_code == 0


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """One plain run-now of the 2026-01-01 page, run once for the session; tests that go on take a copy."""
    return build_once(tmp_path_factory, "schedule-jobs-first-run", _first_run)


def test_run_now_checks_usage_for_a_cost_spike_and_posts_it(tmp_path, db_path, hook, first_run):
    from aiprices.commands.usage import usage

    pages = first_run / "pages"  # only read by the replays
    copy_warehouse(first_run / "prices.duckdb", db_path)
    days = [f"2026-01-0{d},acme/model-1,1000000,0,0,0" for d in range(2, 9)]  # seven days at $1.00
    days.append("2026-01-09,acme/model-1,3000000,0,0,0")  # $3.00 > 2 x the trailing mean of $1.00
    usage_csv = tmp_path / "usage.csv"
    usage_csv.write_text("date,model,input_tokens,output_tokens,cached_tokens,requests\n" + "\n".join(days) + "\n")
    assert CliRunner().invoke(usage, ["import", str(usage_csv), "--db", str(db_path)]).exit_code == 0
    out = aiprices(*job_args(pages, "--spike-factor", "2", "--webhook", hook.url), db=db_path)
    result = json.loads(out.stdout)
    assert result["cost_spikes"] == ["2026-01-09: $3.00 vs trailing mean $1.00 (3.00x)"], result
    assert [p["cost_spikes"] for p in hook.posts] == [result["cost_spikes"]]
    calm = json.loads(aiprices(*job_args(pages, "--spike-factor", "3"), db=db_path).stdout)
    assert calm["cost_spikes"] == [] and any(s["name"] == "spikes" for s in calm["steps"])
