"""``aiprices schedule start|run-now|status``: the daily crawl, registry refresh and stale-budget check."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from aiprices.cli_support import db_option


def _job_options(func):
    """Options shared by ``start`` and ``run-now`` (each also read from an environment variable)."""
    options = [
        click.option("--at", "at", envvar="AIPRICES_SCHEDULE_AT", default="06:15", show_default=True,
                     help="daily run time, HH:MM UTC [env AIPRICES_SCHEDULE_AT]"),
        click.option("--jitter", type=int, envvar="AIPRICES_SCHEDULE_JITTER", default=300, show_default=True,
                     help="random delay up to this many seconds [env AIPRICES_SCHEDULE_JITTER]"),
        click.option("--budgets", type=click.Path(file_okay=False), envvar="AIPRICES_BUDGETS",
                     help="folder of budget files to check for staleness [env AIPRICES_BUDGETS]"),
        click.option("--webhook", "webhook", envvar="AIPRICES_WEBHOOK_URL",
                     help="POST the run's JSON here when it fails or finds stale budgets "
                          "[env AIPRICES_WEBHOOK_URL]"),
        click.option("--log-file", type=click.Path(dir_okay=False), envvar="AIPRICES_LOG_FILE",
                     help="log file (default: aiprices-schedule.log beside the warehouse)"),
        click.option("--source", "sources", multiple=True, help="crawl only this source (repeatable)"),
        click.option("--crawl-arg", "crawl_args", multiple=True,
                     help="extra argument for `aiprices crawl` (repeatable, e.g. --crawl-arg=--from-archive)"),
        click.option("--registry-file", type=click.Path(dir_okay=False),
                     help="refresh the registry from this file instead of fetching it"),
        click.option("--no-registry", is_flag=True, help="skip the registry refresh step"),
        click.option("--lock-wait", type=float, default=60.0, show_default=True,
                     help="seconds to wait for another crawl to finish before giving up"),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return db_option(func)


def _config(db, at, jitter, budgets, webhook, log_file, sources, crawl_args, registry_file, no_registry,
            lock_wait):  # fmt: skip
    from aiprices.schedules.config import ScheduleConfig, ScheduleConfigError

    try:
        return ScheduleConfig(
            db=Path(db), at=at, jitter=jitter, sources=list(sources), crawl_args=list(crawl_args),
            registry=not no_registry, registry_file=Path(registry_file) if registry_file else None,
            budgets=Path(budgets) if budgets else None, webhook_url=webhook or None,
            log_file=Path(log_file) if log_file else None, lock_wait=lock_wait,
        )  # fmt: skip
    except ScheduleConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def schedule() -> None:
    """Run the daily crawl unattended (or see how it went). For cron or systemd, call `run-now` instead."""


@schedule.command()
@_job_options
def start(**kwargs) -> None:
    """Run the scheduler in the foreground: daily at --at UTC, and at once if the last good crawl is older
    than a day. Stop with Ctrl-C (or SIGTERM)."""
    from aiprices.schedules.notify import setup_logging
    from aiprices.schedules.scheduler import start as run

    cfg = _config(**kwargs)
    setup_logging(cfg.log_path)
    run(cfg)


@schedule.command("run-now")
@_job_options
@click.option("--json", "as_json", is_flag=True, help="print the run's result as JSON")
def run_now(as_json: bool, **kwargs) -> None:
    """Run the daily job once now (crawl, registry refresh, stale-budget check); exit 1 unless it was ok
    or partial. This is the command for a cron job or a systemd timer."""
    from aiprices.schedules.jobs import run_daily
    from aiprices.schedules.notify import setup_logging

    cfg = _config(**kwargs)
    setup_logging(cfg.log_path)
    result = run_daily(cfg, job="run-now")
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps(asdict(result), indent=2, default=str))
    else:
        click.echo(_line(vars(result)))
    if result.status in ("failed", "skipped"):
        if not as_json:
            click.echo(f"error: {result.reason}", err=True)
        sys.exit(1)


def _line(run: dict) -> str:
    srcs = run.get("sources") or {}
    ok = sum(v == "ok" for v in srcs.values())
    extra = []
    if srcs:
        extra.append(f"{ok} of {len(srcs)} sources ok")
    if run.get("quarantined"):
        extra.append(f"{run['quarantined']} quarantined")
    if run.get("stale_budgets"):
        extra.append(f"{len(run['stale_budgets'])} stale budgets")
    if run.get("reason"):
        extra.append(run["reason"])
    return (
        f"{run.get('started_at', '')[:19]}  {run.get('job', ''):<8} {run.get('status', ''):<8} "
        + "; ".join(extra)
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@schedule.command()
@db_option
@click.option("--at", "at", envvar="AIPRICES_SCHEDULE_AT", default="06:15", show_default=True,
              help="the configured daily time, used when no scheduler is running")  # fmt: skip
@click.option("--last", default=10, show_default=True, help="how many recent job runs to show")
@click.option("--json", "as_json", is_flag=True, help="machine-readable status")
def status(db: str, at: str, last: int, as_json: bool) -> None:
    """Next run, the last good crawl, recent job runs and the latest status of each source."""
    from aiprices.schedules.config import ScheduleConfig, ScheduleConfigError
    from aiprices.schedules.jobs import read_history
    from aiprices.schedules.scheduler import daily_trigger, last_good_crawl
    from aiprices.warehouse.errors import WarehouseError

    try:
        cfg = ScheduleConfig(db=Path(db), at=at, jitter=0)
    except ScheduleConfigError as exc:
        raise click.ClickException(str(exc)) from None
    state = None
    if cfg.state_path.exists():
        try:
            state = json.loads(cfg.state_path.read_text())
        except ValueError:
            state = None
    running = bool(state and _alive(int(state.get("pid", 0))))
    now = datetime.now(UTC)
    next_run = state.get("next_run") if running else None
    if next_run is None:
        nxt = daily_trigger(cfg).get_next_fire_time(None, now)
        next_run = nxt.isoformat() if nxt else None
    try:
        last_crawl = last_good_crawl(cfg)
        sources = _sources(cfg)
    except WarehouseError as exc:
        last_crawl, sources = None, [("?", "?", None, str(exc))]
    history = read_history(cfg.history_path, last)
    data = {
        "scheduler_running": running,
        "pid": state.get("pid") if running else None,
        "next_run": next_run,
        "last_good_crawl": last_crawl.isoformat() if last_crawl else None,
        "catch_up_due": last_crawl is None or (now - last_crawl).total_seconds() > 86400,
        "recent_runs": history,
        "sources": [dict(zip(("source", "status", "last_run", "error"), s, strict=True)) for s in sources],
    }
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    who = f"running (pid {data['pid']})" if running else "not running"
    click.echo(f"scheduler: {who}; next run {next_run or '-'} UTC")
    click.echo(f"last good crawl: {data['last_good_crawl'] or 'never'}"
               + (" (overdue: `schedule start` runs at once)" if data["catch_up_due"] else ""))  # fmt: skip
    click.echo("recent runs:" if history else "recent runs: none recorded")
    for run in reversed(history):
        click.echo("  " + _line(run))
    if sources:
        click.echo("sources:")
        for src, st, when, err in sources:
            click.echo(f"  {src:<11} {st:<8} {when or ''}{'  ' + err[:100] if err else ''}")


def _sources(cfg) -> list[tuple]:
    from aiprices.warehouse.connection import connect

    if not cfg.db.exists():
        return []
    con = connect(cfg.db, read_only=True)
    try:
        return con.execute(
            "SELECT source, arg_max(status, observed_at), CAST(max(observed_at) AS VARCHAR), "
            "arg_max(error, observed_at) FROM crawl_runs GROUP BY source ORDER BY source"
        ).fetchall()
    finally:
        con.close()
