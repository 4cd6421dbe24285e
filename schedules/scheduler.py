"""The APScheduler wiring: one BlockingScheduler, UTC, a daily cron job, and a catch-up run on start.

The job store is APScheduler's MemoryJobStore, never the DuckDB file: the schedule is rebuilt from the
configuration on every start, and what must survive a restart (when the last good crawl happened) is read
from ``crawl_runs``. A scheduler down for days therefore runs once at start, not once per missed day.
SIGTERM (or Ctrl-C) stops it within ``STOP_GRACE`` seconds: the running job's crawlers are terminated, then
killed, the run is recorded as interrupted and the state file removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from .config import MISFIRE_GRACE, ScheduleConfig
from .jobs import JobResult, finish, run_daily
from .notify import LOGGER
from .spawn import Control

DAILY_ID = "daily-crawl"
CATCH_UP_ID = "catch-up"
STALE_AFTER = timedelta(days=1)
# One crawl at a time; missed runs (machine asleep, scheduler down) collapse into one, within 6 hours.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE}
# SIGTERM: how long the running job gets to stop its crawlers and record itself (systemd waits 90 s; we
# promise 10).
STOP_GRACE = 8.0


def daily_trigger(cfg: ScheduleConfig) -> CronTrigger:
    hour, minute = cfg.hour_minute
    return CronTrigger(hour=hour, minute=minute, timezone=UTC, jitter=cfg.jitter or None)


def last_good_crawl(cfg: ScheduleConfig) -> datetime | None:
    """Newest live crawl that loaded prices (ok or partial), from ``crawl_runs``; None if there is none."""
    from aiprices.warehouse.connection import connect

    if not cfg.db.exists():
        return None
    con = connect(cfg.db, read_only=True)
    try:
        (last,) = con.execute(
            "SELECT max(observed_at) FROM crawl_runs WHERE kind = 'crawl' AND status IN ('ok', 'partial')"
        ).fetchone()
    finally:
        con.close()
    return last


def catch_up_due(cfg: ScheduleConfig, now: datetime | None = None) -> bool:
    """True when the last good crawl is older than a day (or there never was one)."""
    last = last_good_crawl(cfg)
    now = now or datetime.now(UTC)
    return last is None or now - last > STALE_AFTER


class JobRunner:
    """The scheduler's job: one run at a time, every run listening to one stop request (SIGTERM)."""

    def __init__(self, cfg: ScheduleConfig):
        self.cfg = cfg
        self.control = Control()
        self.current: JobResult | None = None
        self.idle = threading.Event()
        self.idle.set()

    def __call__(self, job: str) -> None:
        self.idle.clear()
        try:
            self.current = JobResult(job=job, started_at=datetime.now(UTC).isoformat())
            run_daily(self.cfg, job, self.control, self.current)
        finally:
            self.current = None
            self.idle.set()

    def stop(self, grace: float) -> bool:
        """Stop the running job (its crawlers are terminated, then killed; it records itself as interrupted).
        False when it did not stop within ``grace`` seconds: it is then recorded as interrupted here."""
        self.control.stop.set()
        if self.idle.wait(grace):
            return True
        current = self.current
        if current is not None:
            current.status = "interrupted"
            current.reason = f"stopped on request; the job did not stop within {grace:.0f}s and was abandoned"
            finish(self.cfg, current)
        return False


def build_scheduler(cfg: ScheduleConfig) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        executors={"default": {"type": "threadpool", "max_workers": 1}},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )
    scheduler.add_job(
        JobRunner(cfg),
        daily_trigger(cfg),
        args=["daily"],
        id=DAILY_ID,
        name="daily price crawl",
        replace_existing=True,
        **JOB_DEFAULTS,  # explicit as well: job_defaults only reach a job once the scheduler starts
    )
    scheduler.add_listener(_listener(scheduler, cfg), EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)
    return scheduler


def runner(scheduler: BlockingScheduler) -> JobRunner:
    return scheduler.get_job(DAILY_ID).func


def add_catch_up(scheduler: BlockingScheduler, cfg: ScheduleConfig) -> None:
    scheduler.add_job(
        runner(scheduler), "date", run_date=datetime.now(UTC), args=["catch-up"], id=CATCH_UP_ID,
        name="catch-up crawl (last good crawl older than a day)", replace_existing=True,
    )  # fmt: skip


def _listener(scheduler: BlockingScheduler, cfg: ScheduleConfig):
    log = logging.getLogger(LOGGER)

    def on_event(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
        elif event.code == EVENT_JOB_ERROR:
            log.error("job %s raised %r", event.job_id, event.exception)
        if scheduler.running:  # a job ending after a stop must not write back the state file the stop removes
            write_state(scheduler, cfg)

    return on_event


def next_run(scheduler: BlockingScheduler) -> datetime | None:
    job = scheduler.get_job(DAILY_ID)
    return getattr(job, "next_run_time", None) if job else None


def write_state(scheduler: BlockingScheduler, cfg: ScheduleConfig) -> None:
    """pid and next run time for ``schedule status`` (best effort)."""
    nxt = next_run(scheduler)
    state = {"pid": os.getpid(), "at": cfg.at, "jitter": cfg.jitter, "db": str(cfg.db),
             "next_run": nxt.isoformat() if nxt else None, "updated": datetime.now(UTC).isoformat()}  # fmt: skip
    try:
        cfg.state_path.write_text(json.dumps(state))
    except OSError:
        pass


def start(cfg: ScheduleConfig) -> None:
    """Run until interrupted: the daily job at ``cfg.at`` UTC (plus jitter), and at once when overdue."""
    log = logging.getLogger(LOGGER)
    scheduler = build_scheduler(cfg)
    if catch_up_due(cfg):
        log.info("last good crawl is older than a day: running now")
        add_catch_up(scheduler, cfg)
    hour, minute = cfg.hour_minute
    log.info(
        "scheduler started: daily at %02d:%02d UTC (jitter %ss), warehouse %s",
        hour,
        minute,
        cfg.jitter,
        cfg.db,
    )
    signal.signal(signal.SIGTERM, lambda _signum, _frame: _shut_down(scheduler))  # systemd stop / kill
    job_runner, stopped = runner(scheduler), True  # (a shut-down scheduler no longer lists its jobs)
    try:
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            _start_and_record(scheduler, cfg)  # returns once SIGTERM has shut the scheduler down
        log.info("scheduler stopping")
        stopped = job_runner.stop(STOP_GRACE)
        if scheduler.running:  # Ctrl-C: the scheduler is still up
            scheduler.shutdown(wait=stopped)  # a stopped job's thread only has its events left to dispatch
        log.info("scheduler stopped" if stopped else "scheduler stopped; a job that did not stop was abandoned")
    finally:
        try:
            cfg.state_path.unlink()
        except OSError:
            pass
    if not stopped:
        os._exit(1)  # the abandoned job's thread would otherwise hold the exit until it ends


def _shut_down(scheduler: BlockingScheduler) -> None:
    """SIGTERM: end the scheduler's main loop (``start`` returns) without raising. An exception raised in a signal
    handler lands wherever the main thread is, and APScheduler swallows BaseException while it submits a job or
    notifies listeners: a SIGTERM arriving then was lost and the scheduler ran on."""
    if scheduler.running:
        scheduler.shutdown(wait=False)  # the running job goes on until ``JobRunner.stop`` stops it


def _start_and_record(scheduler: BlockingScheduler, cfg: ScheduleConfig) -> None:
    from apscheduler.events import EVENT_SCHEDULER_STARTED

    scheduler.add_listener(lambda _e: write_state(scheduler, cfg), EVENT_SCHEDULER_STARTED)
    scheduler.start()
