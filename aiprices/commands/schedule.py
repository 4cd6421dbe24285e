"""``aiprices schedule start|run-now|status``: the daily crawl, registry refresh, stale-budget check and report."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from aiprices.cli_support import UsageProblem, db_option, echo_error
from aiprices.commands.calc import NUMBER
from aiprices.commands.crawl import lock_wait_option


def _job_options(func):
    """Options shared by ``start`` and ``run-now`` (each also read from an environment variable)."""
    options = [
        click.option("--at", "at", envvar="AIPRICES_SCHEDULE_AT", default="06:15", show_default=True,
                     help="daily run time, HH:MM UTC [env AIPRICES_SCHEDULE_AT]"),
        click.option("--jitter", type=int, envvar="AIPRICES_SCHEDULE_JITTER", default=300, show_default=True,
                     help="random delay up to this many seconds [env AIPRICES_SCHEDULE_JITTER]"),
        click.option("--budgets", type=click.Path(file_okay=False), envvar="AIPRICES_BUDGETS",
                     help="folder of budget files to check for staleness [env AIPRICES_BUDGETS]"),
        click.option("--report", "report", type=click.Path(file_okay=False), envvar="AIPRICES_REPORT_DIR",
                     help="after each run, write the static report (aiprices report) to this folder "
                          "[env AIPRICES_REPORT_DIR]"),
        click.option("--webhook", "webhook", envvar="AIPRICES_WEBHOOK_URL",
                     help="POST the run's JSON here when it fails or finds stale budgets or a cost spike "
                          "[env AIPRICES_WEBHOOK_URL]"),
        click.option("--spike-factor", type=NUMBER, envvar="AIPRICES_SPIKE_FACTOR",
                     help="check the newest day of imported usage for a cost spike (over this factor x the "
                          "mean of the 7 days before it; aiprices usage spikes) [env AIPRICES_SPIKE_FACTOR]"),
        click.option("--log-file", type=click.Path(dir_okay=False), envvar="AIPRICES_LOG_FILE",
                     help="log file (default: aiprices-schedule.log beside the warehouse)"),
        click.option("--source", "sources", multiple=True, help="crawl only this source (repeatable)"),
        click.option("--crawl-arg", "crawl_args", multiple=True,
                     help="extra argument for `aiprices crawl` (repeatable, e.g. --crawl-arg=--from-archive)"),
        click.option("--registry-file", type=click.Path(dir_okay=False),
                     help="refresh the registry from this file instead of fetching it"),
        click.option("--no-registry", is_flag=True, help="skip the registry refresh step"),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return lock_wait_option(db_option(func))


def _crawl_request(db, sources, crawl_args, lock_wait):
    """The crawl the job runs: `--crawl-arg`s read by `aiprices crawl`'s own option parser."""
    from aiprices.commands.crawl import crawl, crawl_request

    args = [*crawl_args, *sources, "--db", str(db), "--lock-wait", str(lock_wait)]
    try:
        ctx = crawl.make_context("crawl", args)
    except click.ClickException as exc:
        raise click.UsageError(f"--crawl-arg: {exc.format_message()}") from None
    p = ctx.params
    return crawl_request(p["db"], p["sources"], p["from_archive"], p["on"], p["archive_root"], p["processes"],
                         p["lock_wait"])  # fmt: skip


def _config(db, at, jitter, budgets, report, webhook, log_file, sources, crawl_args, registry_file, no_registry,
            lock_wait, spike_factor):  # fmt: skip
    from aiprices.schedules.config import ScheduleConfig, ScheduleConfigError

    try:
        return ScheduleConfig(
            db=Path(db), at=at, jitter=jitter, crawl=_crawl_request(db, sources, crawl_args, lock_wait),
            registry=not no_registry, registry_file=Path(registry_file) if registry_file else None,
            budgets=Path(budgets) if budgets else None, report=Path(report) if report else None,
            webhook_url=webhook or None, spike_factor=spike_factor,
            log_file=Path(log_file) if log_file else None, lock_wait=lock_wait,
        )  # fmt: skip
    except ScheduleConfigError as exc:  # a bad --at, --jitter or --budgets: a usage error
        raise UsageProblem(str(exc)) from None


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
    """Run the daily job once now (crawl, registry refresh, stale-budget check, report). This is the command for a
    cron job or a systemd timer. Exit 0 when it was ok, 1 when partial, 3 when nothing could be done
    (every step failed, or another crawl was running)."""
    from aiprices.schedules.jobs import run_now as run
    from aiprices.schedules.notify import setup_logging

    cfg = _config(**kwargs)
    setup_logging(cfg.log_path)
    result = run(cfg)
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps({**asdict(result), "exit_code": result.exit_code}, indent=2, default=str))
    else:
        click.echo(_line(vars(result), verbose=True))
        for run in result.runs:
            click.echo(f"  {run['source']:<11} {run['status']:<14} {run['run_id'] or '-'}")
    if result.exit_code:
        if not as_json:
            echo_error(result.reason)
        sys.exit(result.exit_code)


def _line(run: dict, verbose: bool = False) -> str:
    srcs = run.get("sources") or {}
    extra = []
    if srcs:
        extra.append(f"{sum(v == 'ok' for v in srcs.values())} of {len(srcs)} sources ok")
    if run.get("quarantined"):
        extra.append(f"{run['quarantined']} quarantined")
    if run.get("stale_budgets"):
        extra.append(f"{len(run['stale_budgets'])} stale budgets")
    if run.get("cost_spikes"):
        extra.append(f"{len(run['cost_spikes'])} cost spikes")
    if run.get("reason"):
        extra.append(_reason(run["reason"], verbose))
    head = f"{run.get('started_at', '')[:19]}  {run.get('job', ''):<8} {run.get('status', ''):<11} "
    return _wrap(head + "; ".join(extra), len(head))


REASON_WIDTH = 160  # a reason longer than this is shortened at a word boundary (--verbose shows it whole)


def _reason(text: str, verbose: bool) -> str:
    return text if verbose else textwrap.shorten(text, REASON_WIDTH, placeholder=" ... (--verbose)")


def _wrap(text: str, indent: int, width: int = 110) -> str:
    """Wrapped at word boundaries, continuation lines indented; long words (paths, URLs) are never split."""
    return "\n".join(textwrap.wrap(text, width, subsequent_indent=" " * indent, break_long_words=False,
                                   break_on_hyphens=False))  # fmt: skip


@schedule.command()
@db_option
@click.option("--at", "at", envvar="AIPRICES_SCHEDULE_AT", default="06:15", show_default=True,
              help="the configured daily time, used when no scheduler is running")  # fmt: skip
@click.option("--last", default=10, show_default=True, help="how many recent job runs to show")
@click.option("--verbose", "-v", is_flag=True, help="full reasons instead of shortened ones")
@click.option("--fresh-days", type=click.IntRange(min=1), default=2, show_default=True,
              help="a vendor is verified when its last ok run is at most this many days old")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="machine-readable status")
def status(db: str, at: str, last: int, verbose: bool, fresh_days: int, as_json: bool) -> None:
    """Next run, the last good crawl, recent job runs and the latest status of each source."""
    from aiprices.schedules.config import ScheduleConfig, ScheduleConfigError
    from aiprices.schedules.status import schedule_status

    try:
        cfg = ScheduleConfig(db=Path(db), at=at, jitter=0)
    except ScheduleConfigError as exc:  # a bad --at, --jitter or --budgets: a usage error
        raise UsageProblem(str(exc)) from None
    data = schedule_status(cfg, last, fresh_days)
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    who = f"running (pid {data['pid']})" if data["scheduler_running"] else "not running"
    click.echo(f"scheduler: {who}; next run {data['next_run'] or '-'} UTC")
    click.echo(f"last good crawl: {data['last_good_crawl'] or 'never'}"
               + (" (overdue: `schedule start` runs at once)" if data["catch_up_due"] else ""))  # fmt: skip
    click.echo("recent runs:" if data["recent_runs"] else "recent runs: none recorded")
    for run in reversed(data["recent_runs"]):
        click.echo("  " + _line(run, verbose).replace("\n", "\n  "))
    if data["sources"]:
        click.echo("sources:" + (f" {data['verified']} (aggregators not counted)" if data["verified"] else ""))
    for src in data["sources"]:
        head = f"  {src['source']:<11} {src['status']:<8} {src['last_run'] or ''}  "
        click.echo(_wrap(head + _reason(src["error"], verbose), len(head)) if src["error"] else head.rstrip())
