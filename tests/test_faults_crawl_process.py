"""Crawls and the scheduler across process boundaries: a busy warehouse keeps the crawl's work on disk,
kill -9 of the scheduler takes its crawler with it (and the crawl lock stays held until the crawler is
gone), SIGTERM stops `schedule start` within 10 s and records the run as interrupted.

Live crawls here go through a proxy on 127.0.0.1 that accepts connections and never answers, so a crawler
is reliably busy and nothing ever leaves the machine.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiprices.schedules.lock import CrawlLock, CrawlLocked
from aiprices.warehouse.connection import connect
from click.testing import CliRunner
from helpers.processes import SilentProxy, alive, crawler_pids, wait_until

from aiprices.commands.crawl import crawl, load

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds processes through /proc")


@pytest.fixture
def proxy_env(monkeypatch):
    proxy = SilentProxy()
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "aiprices_webhook_url")}
    env.update(http_proxy=proxy.url, https_proxy=proxy.url)
    yield env
    proxy.close()


def aiprices(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "aiprices", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip


def test_kill_9_of_the_scheduler_takes_its_crawler_along_and_the_lock_is_held_until_it_is_gone(
    tmp_path, db_path, proxy_env
):
    job = aiprices(["schedule", "run-now", "--db", str(db_path), "--no-registry", "--jitter", "0",
                    "--source", "openrouter", "--lock-wait", "0"], proxy_env)  # fmt: skip
    try:
        (child,) = wait_until(lambda: crawler_pids(tmp_path), 60, "the crawler process")
        job.send_signal(signal.SIGKILL)
        job.communicate(timeout=30)
        locked_while_alive = 0
        while True:
            before = alive(child)
            try:
                with CrawlLock(db_path, wait=0):
                    assert not before, "the crawl lock was free while the crawler still ran"
                    break
            except CrawlLocked:
                locked_while_alive += before
            time.sleep(0.05)
        assert locked_while_alive > 0
        wait_until(lambda: not alive(child), 5, "the orphaned crawler to exit")
    finally:
        if job.poll() is None:
            job.kill()
        for pid in crawler_pids(tmp_path):
            os.kill(pid, signal.SIGKILL)


def test_sigterm_stops_the_scheduler_within_10s_and_records_the_run_as_interrupted(tmp_path, db_path, proxy_env):
    # No good crawl yet: `schedule start` runs its catch-up job at once.
    job = aiprices(["schedule", "start", "--db", str(db_path), "--no-registry", "--jitter", "0",
                    "--source", "openrouter"], proxy_env)  # fmt: skip
    state = db_path.with_name(db_path.name + ".schedule-state.json")
    try:
        (child,) = wait_until(lambda: crawler_pids(tmp_path), 60, "the crawler process")
        assert state.exists()
        sent = time.monotonic()
        job.send_signal(signal.SIGTERM)
        job.communicate(timeout=30)
        assert time.monotonic() - sent < 10  # the promise in the README (systemd allows 90 s)
        assert job.returncode == 0
        assert not alive(child)
        assert not state.exists()
        lines = db_path.with_name(db_path.name + ".schedule.jsonl").read_text().splitlines()
        history = [json.loads(line) for line in lines]
        assert [(h["job"], h["status"]) for h in history] == [("catch-up", "interrupted")]
        assert "stopped on request" in history[0]["reason"]
    finally:
        if job.poll() is None:
            job.kill()
        for pid in crawler_pids(tmp_path):
            os.kill(pid, signal.SIGKILL)


HOLDER = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("HOLDING", flush=True)
time.sleep(60)
"""


def openrouter_page(folder: Path, day: str, prompt: str) -> None:
    (folder / "openrouter").mkdir(parents=True, exist_ok=True)
    body = {"data": [{"id": "acme/model-1", "pricing": {"prompt": prompt, "completion": "0.000004"}}]}
    (folder / "openrouter" / f"{day}.json").write_text(json.dumps(body))


def replay_while_held(pages: Path, db: Path, day: str, kept: int) -> dict:
    """A replay of ``day`` while another process reads the warehouse the whole time."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        out = CliRunner().invoke(crawl, ["openrouter", "--from-archive", str(pages), "--on", day, "--lock-wait", "0.3",
                                         "--db", str(db), "--json"])  # fmt: skip
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert out.exit_code == 3, out.output  # nothing could be loaded
    assert re.search(rf"note: .* is locked by .*; {kept} staged run\(s\) kept in .*: load them with `aiprices load`",
                     out.stderr)  # fmt: skip
    return json.loads(out.stdout)


def test_a_busy_warehouse_keeps_the_staged_runs_until_load_or_the_next_crawl(tmp_path, db_path):
    pages = tmp_path / "pages"
    for day, prompt in (("2026-01-01", "0.000001"), ("2026-01-02", "0.0000011"), ("2026-01-03", "0.0000012")):
        openrouter_page(pages, day, prompt)
    connect(db_path).close()
    first = replay_while_held(pages, db_path, "2026-01-01", kept=1)
    second = replay_while_held(pages, db_path, "2026-01-02", kept=2)
    assert [r["status"] for r in first["sources"] + second["sources"]] == ["pending", "pending"]
    first_id, second_id = first["sources"][0]["run_id"], second["sources"][0]["run_id"]

    missing = CliRunner().invoke(load, ["no-such-run", "--db", str(db_path)])
    assert missing.exit_code == 2 and "no pending staged run 'no-such-run'" in missing.output
    loaded = CliRunner().invoke(load, [first_id, "--db", str(db_path)])  # only that run's batch
    assert loaded.exit_code == 0, loaded.output
    assert re.match(rf"openrouter +ok +{first_id}  2 items", loaded.stdout)

    later = CliRunner().invoke(crawl, ["openrouter", "--from-archive", str(pages), "--db", str(db_path)])
    assert later.exit_code == 0, later.output
    lines = later.stdout.splitlines()
    assert lines[0] == "loaded 1 staged run(s) of earlier crawls:"  # the next crawl loads what was kept first,
    assert re.match(rf"  openrouter +ok +{second_id}  2 items", lines[1])
    assert re.match(r"openrouter +skipped +- +2 captures \(2026-01-01 \.\. 2026-01-02\)", lines[2])  # then plans
    assert re.match(r"openrouter +ok +replay-", lines[3]) and len(lines) == 5
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute("SELECT CAST(observed_at AS DATE)::VARCHAR, run_id, status FROM crawl_runs ORDER BY 1")
        runs = rows.fetchall()
    finally:
        con.close()
    assert [(d, r == rid, s) for (d, r, s), rid in zip(runs, (first_id, second_id, None), strict=True)] == [
        ("2026-01-01", True, "ok"),
        ("2026-01-02", True, "ok"),
        ("2026-01-03", False, "ok"),
    ]


def test_load_with_nothing_pending_and_with_an_unreadable_batch(tmp_path, db_path):
    nothing = CliRunner().invoke(load, ["--db", str(db_path)])
    assert nothing.exit_code == 0 and nothing.stdout.strip() == "load: ok (nothing to do)"
    torn = tmp_path / "staging" / "crawl-20260101T000000Z-abcd"
    torn.mkdir(parents=True)
    (torn / "pending.json").write_text('{"kind": "crawl", "runs": [')
    bad = CliRunner().invoke(load, ["--db", str(db_path)])
    assert bad.exit_code == 3 and "unreadable staged batch" in bad.output and "Traceback" not in bad.output
