"""``schedule status``: is a scheduler running, when is the next run, how did recent runs and sources go."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .config import ScheduleConfig
from .jobs import read_history
from .lock import pid_alive
from .scheduler import STALE_AFTER, daily_trigger, last_good_crawl


def schedule_status(cfg: ScheduleConfig, last: int = 10, fresh_days: int = 2) -> dict:
    """The status as plain data (the JSON of ``schedule status --json``); never raises for a bad warehouse."""
    from aiprices.warehouse.errors import WarehouseError

    state = _state(cfg)
    running = bool(state and pid_alive(state.get("pid")))
    now = datetime.now(UTC)
    next_run = state.get("next_run") if running else None
    if next_run is None:
        nxt = daily_trigger(cfg).get_next_fire_time(None, now)
        next_run = nxt.isoformat() if nxt else None
    try:
        last_crawl = last_good_crawl(cfg)
        sources, verified = _sources(cfg, fresh_days)
    except WarehouseError as exc:
        last_crawl, sources, verified = None, [("?", "?", None, str(exc))], None
    return {
        "scheduler_running": running,
        "pid": state.get("pid") if running else None,
        "next_run": next_run,
        "last_good_crawl": last_crawl.isoformat() if last_crawl else None,
        "catch_up_due": last_crawl is None or now - last_crawl > STALE_AFTER,
        "recent_runs": read_history(cfg.history_path, last),
        "sources": [dict(zip(("source", "status", "last_run", "error"), s, strict=True)) for s in sources],
        "verified": verified,
    }


def _state(cfg: ScheduleConfig) -> dict | None:
    try:
        return json.loads(cfg.state_path.read_text())
    except (OSError, ValueError):
        return None


def _sources(cfg: ScheduleConfig, fresh_days: int) -> tuple[list[tuple], str | None]:
    """Each source's latest run, and how many vendors are verified within ``fresh_days``."""
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.runlog import latest_run_per_source, verified_summary

    if not cfg.db.exists():
        return [], None
    con = connect(cfg.db, read_only=True)
    try:
        return latest_run_per_source(con), verified_summary(con, fresh_days)
    finally:
        con.close()
