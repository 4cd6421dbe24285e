"""A crawl's shards after the first run in processes forked from the first crawler process (Scrapy and our code
imported once): each stages its sources and writes its own log, a failing shard fails the crawl naming its
sources, a stop request ends every shard, and a shard whose first process is killed exits by itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiprices.schedules.captures import pick_captures
from aiprices.schedules.errors import Interrupted
from aiprices.schedules.loopback import LoopbackServer
from aiprices.schedules.runs import REPLAY_SETTINGS, plan_replay
from aiprices.schedules.spawn import Control, PlannedSource, crawler_command, run_spiders
from aiprices.warehouse.staging import read_staged_run
from helpers.processes import SilentProxy, alive, crawler_pids, parents, wait_until

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")

OBSERVED = "2026-10-05T00:00:00+00:00"


def entry(source: str, url: str | None) -> dict:
    return {"source": source, "run_id": f"shards-{source}", "start_urls": [url] if url else None, "kinds": [],
            "observed_at": OBSERVED}  # fmt: skip


def write_plan(tmp_path: Path, shards: list[list[dict]], settings: dict) -> Path:
    logs = [str(tmp_path / f"crawl-{n}.log") for n in range(1, len(shards) + 1)]
    plan = {"staging_dir": str(tmp_path / "stage"), "archive_root": str(tmp_path / "archive"), "settings": settings,
            "shards": [{"sources": s, "log": log} for s, log in zip(shards, logs, strict=True)]}  # fmt: skip
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def replay_entries(vendor_pages: Path, server: LoopbackServer, sources: list[str]) -> list[dict]:
    captures = pick_captures(vendor_pages, None, sources)
    return [entry(s, server.url_for(captures[s].path)) for s in sources]


def run_crawler(plan: Path) -> subprocess.CompletedProcess:
    return subprocess.run(crawler_command(plan), capture_output=True, text=True, timeout=120)


def first_and_forked(under: Path) -> tuple[int, int] | None:
    """The crawler process whose plan lies under ``under`` and the one it forked, once both run."""
    tree = parents(crawler_pids(under))
    forked = [pid for pid, parent in tree.items() if parent in tree]
    return (tree[forked[0]], forked[0]) if len(tree) == 2 and len(forked) == 1 else None


def test_two_shards_stage_every_source_and_each_writes_its_own_log(vendor_pages, tmp_path):
    with LoopbackServer(vendor_pages) as server:
        first, second = replay_entries(vendor_pages, server, ["xai", "groq"])
        done = run_crawler(write_plan(tmp_path, [[first], [second]], dict(REPLAY_SETTINGS)))
    assert done.returncode == 0, done.stdout + done.stderr
    for source in ("xai", "groq"):
        staged = read_staged_run(tmp_path / "stage" / source)
        assert staged.run.status == "ok" and staged.run.items > 0
    assert (tmp_path / "crawl-2.log").exists()  # the first shard's output is the process's own


def test_a_failing_forked_shard_fails_the_crawl_naming_its_sources_and_log(vendor_pages, tmp_path):
    with LoopbackServer(vendor_pages) as server:
        (good,) = replay_entries(vendor_pages, server, ["xai"])
        done = run_crawler(write_plan(tmp_path, [[good], [entry("no-such-source", None)]], dict(REPLAY_SETTINGS)))
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: crawler could not run: crawler process of no-such-source failed (exit 1; log: ")
    assert str(tmp_path / "crawl-2.log") in last
    assert "KeyError" in (tmp_path / "crawl-2.log").read_text()  # the shard's own traceback, in its own log
    assert read_staged_run(tmp_path / "stage" / "xai").run.status == "ok"


@pytest.fixture
def silent_proxy(monkeypatch):
    """Live fetches go through a proxy that never answers: every crawler stays busy until stopped."""
    proxy = SilentProxy()
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", proxy.url)
    monkeypatch.setenv("https_proxy", proxy.url)
    yield proxy
    proxy.close()


def test_a_stop_request_ends_every_shard(silent_proxy, tmp_path):
    now = datetime.now(UTC)
    planned = [PlannedSource("xai", "stop-xai", now), PlannedSource("groq", "stop-groq", now)]
    control, raised = Control(), []

    def crawl() -> None:
        try:
            run_spiders(planned, tmp_path / "stage", tmp_path / "archive", processes=2, control=control)
        except Interrupted as exc:
            raised.append(exc)

    worker = threading.Thread(target=crawl)
    worker.start()
    try:
        first, forked = wait_until(lambda: first_and_forked(tmp_path), 60, "the crawler process and its fork")
    finally:
        control.stop.set()
        worker.join(timeout=60)
    assert raised and not worker.is_alive()
    assert not alive(first)
    wait_until(lambda: not alive(forked), 5, "the forked shard to end")


def test_a_forked_shard_exits_when_the_first_crawler_process_is_killed(silent_proxy, tmp_path):
    proc = subprocess.Popen(crawler_command(write_plan(tmp_path, [[entry("xai", None)], [entry("groq", None)]], {})),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        first, forked = wait_until(lambda: first_and_forked(tmp_path), 60, "the crawler process and its fork")
        assert first == proc.pid
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        wait_until(lambda: not alive(forked), 10, "the orphaned shard to exit")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_the_caller_hears_once_that_the_crawler_process_runs(vendor_pages, tmp_path):
    """``on_started``: a replay opens the warehouse then, while the crawlers start."""
    planned = plan_replay(pick_captures(vendor_pages, None, ["xai"]), "started", None)
    heard = []
    outcomes = run_spiders(planned, tmp_path / "stage", tmp_path / "archive", dict(REPLAY_SETTINGS), vendor_pages,
                           on_started=lambda: heard.append("started"))  # fmt: skip
    assert heard == ["started"]
    assert outcomes["xai"].run.status == "ok"


@pytest.mark.parametrize("pidfd", [True, False])
def test_the_crawl_hears_a_crawler_process_exit_and_its_code(pidfd):
    from aiprices.schedules.spawn import _ExitWatch

    for code, seconds in ((3, 0), (0, 30)):
        proc = subprocess.Popen([sys.executable, "-c", f"import sys, time; time.sleep({seconds}); sys.exit({code})"])
        with _ExitWatch(proc) as watch:
            if pidfd and watch.fd is None:
                proc.kill()
                pytest.skip("this system has no pidfd_open (Linux >= 5.3)")
            if not pidfd and watch.fd is not None:
                os.close(watch.fd)
                watch.fd = None  # as where pidfd_open is missing: Popen.wait's polling
            if seconds:
                with pytest.raises(subprocess.TimeoutExpired):
                    watch.wait(0.05)
                proc.terminate()
                assert watch.wait(30) == -signal.SIGTERM
            else:
                assert watch.wait(30) == code
