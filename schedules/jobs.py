"""The daily job: crawl, registry refresh, stale-budget check and the report, each a function call with a
typed result.

The crawl lock is held for the whole job (the crawler processes inherit it). Every run appends one JSON
line to the job history beside the warehouse and, when it was not ok or found something to act on, posts
the same JSON to the webhook. A stop request (SIGTERM) stops the crawler processes and records the run as
``interrupted``.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .config import ScheduleConfig
from .errors import CrawlError, Interrupted
from .lock import CrawlLock, CrawlLocked
from .notify import LOGGER, post_webhook
from .spawn import Control

EXIT_CODES = {"ok": 0, "partial": 1, "failed": 3, "skipped": 3, "interrupted": 3}


@dataclass
class StepResult:
    """One step of the job: ``ok``, ``partial`` or ``failed``, how long it took, and one line of detail."""

    name: str
    status: str
    seconds: float
    detail: str = ""


@dataclass
class JobResult:
    """One run of the daily job, as written to the history and posted to the webhook."""

    job: str
    started_at: str
    finished_at: str = ""
    status: str = "ok"  # ok | partial | failed | skipped | interrupted
    reason: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # source -> status of its newest run
    runs: list[dict] = field(default_factory=list)  # every source run: source, run_id, status
    notes: list[str] = field(default_factory=list)
    quarantined: int = 0
    stale_budgets: list[str] = field(default_factory=list)
    cost_spikes: list[str] = field(default_factory=list)  # "2026-11-08: $3.00 vs trailing mean $1.00 (3.00x)"
    steps: list[dict] = field(default_factory=list)
    webhook_error: str | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


def _timed(name: str, work: Callable[[], tuple[str, str]]) -> StepResult:
    """Run one step; an expected error fails the step with its one-line message."""
    from aiprices.calculators.errors import CalcError
    from aiprices.report import ReportError
    from aiprices.warehouse.errors import WarehouseError

    from .registry_fetch import FetchError

    start = time.monotonic()
    try:
        status, detail = work()
    except Interrupted:
        raise
    except (CrawlError, WarehouseError, FetchError, CalcError, ReportError, OSError) as exc:
        status, detail = "failed", str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StepResult(name, status, round(time.monotonic() - start, 2), detail)


def crawl_step(cfg: ScheduleConfig, result: JobResult, control: Control) -> StepResult:
    from .runs import crawl

    def work() -> tuple[str, str]:
        report = crawl(cfg.crawl, control=control)
        result.runs = [{"source": r.source, "run_id": r.run_id, "status": r.status} for r in report.results]
        result.sources = {r.source: r.status for r in report.results}
        result.notes += report.notes
        bad = sorted({r.source for r in report.results if r.status not in ("ok", "already loaded", "skipped")})
        return report.status, f"sources not ok: {', '.join(bad)}" if bad else ""

    return _timed("crawl", work)


def registry_step(cfg: ScheduleConfig) -> StepResult:
    from .registry import refresh_registry

    def work() -> tuple[str, str]:
        res = refresh_registry(cfg.db, file=cfg.registry_file)
        if res.unchanged:
            return "ok", f"unchanged since the last fetch ({res.origin})"
        counts = f"+{res.added} ~{res.changed} -{res.removed} ({res.loaded} loaded, {res.skipped} already loaded)"
        if res.held:
            return "partial", f"{counts}; held for review (aiprices review list)"
        return "ok", counts

    return _timed("registry", work)


def budgets_step(cfg: ScheduleConfig, result: JobResult) -> StepResult:
    from .budgets import check_budgets

    def work() -> tuple[str, str]:
        check = check_budgets(cfg.db, cfg.budgets)
        result.stale_budgets = check.stale
        summary = f"{check.checked} checked, {len(check.stale)} stale"
        if check.errors:  # the good budgets were checked; each unreadable file is named
            return "failed", f"{summary}; {len(check.errors)} unreadable: {'; '.join(check.errors)}"
        return "ok", summary

    return _timed("budgets", work)


def spikes_step(cfg: ScheduleConfig, result: JobResult) -> StepResult:
    """The newest day of imported usage against its trailing mean (``aiprices usage spikes``)."""
    from aiprices.calculators.errors import CalcError
    from aiprices.calculators.spikes import check_spikes
    from aiprices.warehouse.connection import connect

    def work() -> tuple[str, str]:
        con = connect(cfg.db, read_only=True)
        try:
            check = check_spikes(con, factor=cfg.spike_factor, window=cfg.spike_window)
        except CalcError as exc:  # e.g. no usage imported yet: nothing to check is no failure
            return "ok", str(exc)
        finally:
            con.close()
        result.cost_spikes = [str(day) for day in check.spikes]
        unpriced = f"; {len(check.unpriced)} usage rows unpriced" if check.unpriced else ""
        return "ok", f"{len(check.days)} day checked, {len(check.spikes)} spikes{unpriced}"

    return _timed("spikes", work)


def report_step(cfg: ScheduleConfig) -> StepResult:
    """The static report of the warehouse as it is after this run (built aside, then swapped in)."""
    from aiprices.report import build_report
    from aiprices.warehouse.connection import connect

    def work() -> tuple[str, str]:
        con = connect(cfg.db, read_only=True)
        try:
            done = build_report(con, cfg.report, budgets=cfg.budgets)
        finally:
            con.close()
        return "ok", f"{done.pages} pages ({done.models} models) in {done.out_dir}, {done.seconds:.1f} s"

    return _timed("report", work)


def run_steps(cfg: ScheduleConfig, result: JobResult, control: Control) -> None:
    log = logging.getLogger(LOGGER)
    steps = [crawl_step(cfg, result, control)]
    log.info("crawl: %s %s", steps[-1].status, json.dumps(result.sources))
    if cfg.registry:
        _check_stop(control)
        steps.append(registry_step(cfg))
        log.info("registry refresh: %s %s", steps[-1].status, steps[-1].detail)
    if cfg.budgets is not None:
        _check_stop(control)
        steps.append(budgets_step(cfg, result))
        log.info("stale budgets: %d", len(result.stale_budgets))
    if cfg.spike_factor is not None:
        _check_stop(control)
        steps.append(spikes_step(cfg, result))
        log.info("cost spikes: %s %s", steps[-1].status, steps[-1].detail)
    if cfg.report is not None:
        _check_stop(control)
        steps.append(report_step(cfg))
        log.info("report: %s %s", steps[-1].status, steps[-1].detail)
    result.steps = [asdict(s) for s in steps]
    result.status = job_status([s.status for s in steps])
    result.reason = "; ".join(f"{s.name} {s.status}: {s.detail}" for s in steps if s.status != "ok" and s.detail)
    result.quarantined = pending_quarantine(cfg.db)


def _check_stop(control: Control) -> None:
    if control.stop.is_set():
        raise Interrupted("stopped on request between steps")


def job_status(statuses: list[str]) -> str:
    """``ok`` when every step was, ``failed`` when none did anything, else ``partial``."""
    if all(s == "ok" for s in statuses):
        return "ok"
    return "failed" if all(s == "failed" for s in statuses) else "partial"


def pending_quarantine(db: Path) -> int:
    """Quarantined changes waiting for review (0 when the warehouse cannot be read)."""
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.errors import WarehouseError
    from aiprices.warehouse.guards import list_held

    try:
        con = connect(db, read_only=True)
    except WarehouseError:
        return 0
    try:
        return len(list_held(con))
    finally:
        con.close()


def append_history(path: Path, result: JobResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(result), default=str) + "\n")


def read_history(path: Path, last: int = 10) -> list[dict]:
    """The newest ``last`` job runs (a torn last line from a crash is skipped)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out[-last:]


def needs_attention(result: JobResult) -> bool:
    return result.status != "ok" or bool(result.stale_budgets) or bool(result.cost_spikes)


def run_daily(
    cfg: ScheduleConfig, job: str = "daily", control: Control | None = None, result: JobResult | None = None
) -> JobResult:
    """One run of the daily job; never raises for a failed step (the result says what happened).

    ``control.stop`` interrupts it; ``result`` (optional) lets the caller watch the run as it goes.
    """
    log = logging.getLogger(LOGGER)
    control = control or Control()
    result = result or JobResult(job=job, started_at=datetime.now(UTC).isoformat())
    try:
        with CrawlLock(cfg.db, wait=cfg.lock_wait) as lock:
            log.info("%s run started (warehouse %s)", job, cfg.db)
            run_steps(cfg, result, replace(control, keep_fds=(*control.keep_fds, lock.fd)))
    except CrawlLocked as exc:
        result.status, result.reason = "skipped", str(exc)
    except Interrupted as exc:
        result.status, result.reason = "interrupted", str(exc)
    except Exception as exc:  # noqa: BLE001 - the scheduler must survive anything a run throws
        log.exception("%s run crashed", job)
        result.status, result.reason = "failed", f"{type(exc).__name__}: {exc}"
    finish(cfg, result)
    return result


_FINISHING = threading.Lock()


def finish(cfg: ScheduleConfig, result: JobResult) -> None:
    """Log the outcome, alert when needed, and append the run to the history (once, whoever calls first)."""
    log = logging.getLogger(LOGGER)
    with _FINISHING:
        if result.finished_at:
            return
        result.finished_at = datetime.now(UTC).isoformat()
    level = logging.INFO if result.status == "ok" else logging.WARNING
    log.log(level, "%s run %s%s", result.job, result.status, f": {result.reason}" if result.reason else "")
    for note in result.notes:
        log.warning(note)
    if result.quarantined:
        log.warning("%d quarantined price change(s) wait for review: aiprices review list", result.quarantined)
    for b in result.stale_budgets:
        log.warning("stale budget: %s", b)
    for spike in result.cost_spikes:
        log.warning("cost spike: %s", spike)
    if cfg.webhook_url and needs_attention(result) and result.status != "interrupted":  # a stop is no alert
        result.webhook_error = post_webhook(cfg.webhook_url, asdict(result))
        if result.webhook_error:
            log.error(result.webhook_error)
    try:
        append_history(cfg.history_path, result)
    except OSError as exc:
        log.error("cannot write job history %s: %s", cfg.history_path, exc)


def run_now(cfg: ScheduleConfig) -> JobResult:
    """``schedule run-now``: the job once, in the foreground; SIGTERM (systemd stop) interrupts it cleanly."""
    with stop_on_sigterm(Control()) as control:
        return run_daily(cfg, "run-now", control)


@contextmanager
def stop_on_sigterm(control: Control) -> Iterator[Control]:
    """While inside, SIGTERM asks the run to stop (it then records itself as interrupted) instead of killing
    the process outright; call from the main thread."""
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: control.stop.set())
    try:
        yield control
    finally:
        signal.signal(signal.SIGTERM, previous)
