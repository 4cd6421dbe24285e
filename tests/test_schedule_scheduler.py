"""The APScheduler wiring: UTC, jitter, coalesce, one instance, a generous misfire grace, and the
catch-up run on start when the last good crawl (read from crawl_runs) is older than a day."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from aiprices.schedules.config import MISFIRE_GRACE, ScheduleConfig
from aiprices.schedules.runs import CrawlRequest
from aiprices.schedules.scheduler import (
    CATCH_UP_ID,
    DAILY_ID,
    add_catch_up,
    build_scheduler,
    catch_up_due,
    daily_trigger,
)
from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from apscheduler.events import EVENT_JOB_EXECUTED


def test_daily_job_is_utc_with_jitter_and_generous_defaults(db_path):
    cfg = ScheduleConfig(db=db_path, at="05:40", jitter=120)
    scheduler = build_scheduler(cfg)
    job = scheduler.get_job(DAILY_ID)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, MISFIRE_GRACE)
    assert MISFIRE_GRACE >= 3600
    assert str(job.trigger.timezone) == "UTC" and job.trigger.jitter == 120
    assert str(scheduler.timezone) == "UTC"
    nxt = daily_trigger(ScheduleConfig(db=db_path, at="05:40", jitter=0)).get_next_fire_time(
        None, datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    )
    assert nxt == datetime(2026, 3, 2, 5, 40, tzinfo=UTC)


def _crawl_run(db_path, hours_ago: float, status: str = "ok", kind: str = "crawl") -> None:
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    con = connect(db_path)
    run = RunRecord(f"c-{hours_ago}-{status}-{kind}", f"src-{hours_ago}", kind, at, at, at, status=status)
    load_run(con, StagedRun(run, []))
    con.close()


def test_catch_up_is_due_only_when_the_last_good_crawl_is_older_than_a_day(db_path):
    cfg = ScheduleConfig(db=db_path)
    assert catch_up_due(cfg)  # no warehouse yet
    _crawl_run(db_path, 30)
    assert catch_up_due(cfg)
    _crawl_run(db_path, 2, status="failed")  # a failed crawl is not a good one
    _crawl_run(db_path, 1, kind="replay")  # nor is a replay of old pages
    assert catch_up_due(cfg)
    _crawl_run(db_path, 3, status="partial")
    assert not catch_up_due(cfg)


def test_catch_up_job_runs_once_on_start(tmp_path, db_path):
    pages = tmp_path / "pages" / "openrouter"
    pages.mkdir(parents=True)
    body = {"data": [{"id": "acme/model-2", "pricing": {"prompt": "0.000003", "completion": "0.000006"}}]}
    (pages / "2026-02-01.json").write_text(json.dumps(body))
    crawl = CrawlRequest(db_path, ["openrouter"], from_archive=pages.parent)
    cfg = ScheduleConfig(db=db_path, at="06:15", jitter=0, crawl=crawl, registry=False)
    scheduler = build_scheduler(cfg)
    add_catch_up(scheduler, cfg)
    done: list[str] = []

    def on_done(event):
        done.append(event.job_id)
        if event.job_id == CATCH_UP_ID:
            scheduler.shutdown(wait=False)

    scheduler.add_listener(on_done, EVENT_JOB_EXECUTED)
    guard = threading.Timer(120, lambda: scheduler.shutdown(wait=False))  # never hang the suite
    guard.start()
    try:
        scheduler.start()
    finally:
        guard.cancel()
    assert done == [CATCH_UP_ID]
    history = [json.loads(x) for x in cfg.history_path.read_text().splitlines()]
    assert [(h["job"], h["status"], h["sources"]) for h in history] == [("catch-up", "ok", {"openrouter": "ok"})]
    state = json.loads(cfg.state_path.read_text())
    assert state["next_run"].endswith("06:15:00+00:00")
    con = connect(db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM prices_current WHERE model LIKE '%model-2%'").fetchone() == (2,)
    con.close()
