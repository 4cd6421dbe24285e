"""The daily job: crawl, registry refresh, stale-budget check; each step a subprocess of ``aiprices``.

Subprocesses because Scrapy's reactor cannot restart inside one process and because a crashed step must
not take the scheduler down. The crawl lock is held for the whole job. Every run appends one JSON line to
the job history beside the warehouse and, when it failed or found something to act on, posts the same
JSON to the webhook.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .config import ScheduleConfig
from .lock import CrawlLock, CrawlLocked
from .notify import LOGGER, post_webhook

OUTPUT_TAIL = 2000


@dataclass
class StepResult:
    name: str
    command: list[str]
    exit_code: int | None
    seconds: float
    output: str = ""  # stdout (JSON for crawl/budgets)
    error: str = ""  # last lines of stderr, or why the step did not run


@dataclass
class JobResult:
    """One run of the daily job, as written to the history and posted to the webhook."""

    job: str
    started_at: str
    finished_at: str = ""
    status: str = "ok"  # ok | partial | failed | skipped
    reason: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # source -> ok | partial | failed
    quarantined: int = 0
    stale_budgets: list[str] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    webhook_error: str | None = None


def _step(cfg: ScheduleConfig, name: str, args: list[str], env: dict) -> StepResult:
    cmd = [cfg.python, "-m", "aiprices", *args]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=cfg.step_timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return StepResult(
            name, cmd, None, time.monotonic() - start, error=f"timed out after {cfg.step_timeout}s"
        )
    except OSError as exc:
        return StepResult(name, cmd, None, time.monotonic() - start, error=f"could not start: {exc}")
    tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
    return StepResult(name, cmd, proc.returncode, time.monotonic() - start, proc.stdout, tail)


def _crawl_args(cfg: ScheduleConfig) -> list[str]:
    return ["crawl", "--db", str(cfg.db), "--json", *cfg.crawl_args, *cfg.sources]


def _registry_args(cfg: ScheduleConfig) -> list[str]:
    args = ["registry", "refresh", "--db", str(cfg.db)]
    return [*args, "--file", str(cfg.registry_file)] if cfg.registry_file else args


def _budget_args(cfg: ScheduleConfig) -> list[str]:
    return ["budget", "reprice", str(cfg.budgets), "--json", "--db", str(cfg.db)]


def _read_crawl(result: JobResult, step: StepResult) -> None:
    try:
        rows = json.loads(step.output)
    except ValueError:
        result.status, result.reason = "failed", "crawl printed no JSON result"
        return
    result.sources = {r["source"]: r["status"] for r in rows}
    statuses = set(result.sources.values())
    if not rows or statuses == {"failed"}:
        result.status, result.reason = "failed", "every source failed"
    elif statuses != {"ok"}:
        bad = sorted(s for s, st in result.sources.items() if st != "ok")
        result.status, result.reason = "partial", f"sources not ok: {', '.join(bad)}"


def _read_budgets(result: JobResult, step: StepResult) -> None:
    try:
        report = json.loads(step.output)
    except ValueError:
        return
    for data in report if isinstance(report, list) else [report]:
        if data.get("stale"):
            result.stale_budgets.append(f"{data.get('budget')} ({data.get('file')})")


def _fail(result: JobResult, step: StepResult) -> None:
    why = step.error.splitlines()[-1] if step.error else f"exit {step.exit_code}"
    result.status = "failed"
    result.reason = "; ".join(filter(None, [result.reason, f"{step.name} failed: {why}"]))


def _quarantined(cfg: ScheduleConfig) -> int:
    """Pending quarantined changes after the run (a reader; 0 when the warehouse cannot be read)."""
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.errors import WarehouseError

    try:
        con = connect(cfg.db, read_only=True)
    except WarehouseError:
        return 0
    try:
        (n,) = con.execute("SELECT count(*) FROM quarantine WHERE status = 'pending'").fetchone()
        return int(n)
    except Exception:  # noqa: BLE001 - a warehouse from before the quarantine migration
        return 0
    finally:
        con.close()


def run_steps(cfg: ScheduleConfig, result: JobResult, env: dict) -> None:
    log = logging.getLogger(LOGGER)
    crawl = _step(cfg, "crawl", _crawl_args(cfg), env)
    result.steps.append(_summary(crawl))
    if crawl.exit_code != 0:
        _fail(result, crawl)
    else:
        _read_crawl(result, crawl)
    log.info("crawl: %s %s", result.status, json.dumps(result.sources))
    if cfg.registry:
        reg = _step(cfg, "registry", _registry_args(cfg), env)
        result.steps.append(_summary(reg))
        if reg.exit_code != 0:
            _fail(result, reg)
        log.info("registry refresh: exit %s %s", reg.exit_code, reg.output.strip()[-200:])
    if cfg.budgets is not None:
        bud = _step(cfg, "budgets", _budget_args(cfg), env)
        result.steps.append(_summary(bud))
        if bud.exit_code != 0:
            _fail(result, bud)
        else:
            _read_budgets(result, bud)
        log.info("stale budgets: %d", len(result.stale_budgets))
    result.quarantined = _quarantined(cfg)


def _summary(step: StepResult) -> dict:
    d = asdict(step)
    d["output"] = d["output"][-OUTPUT_TAIL:]
    d["seconds"] = round(step.seconds, 2)
    return d


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
    return result.status != "ok" or bool(result.stale_budgets)


def run_daily(cfg: ScheduleConfig, job: str = "daily") -> JobResult:
    """One run of the daily job; never raises for a failed step (the result says what happened)."""
    log = logging.getLogger(LOGGER)
    result = JobResult(job=job, started_at=datetime.now(UTC).isoformat())
    lock = CrawlLock(cfg.db, wait=cfg.lock_wait)
    try:
        with lock:
            log.info("%s run started (warehouse %s)", job, cfg.db)
            run_steps(cfg, result, lock.child_env())
    except CrawlLocked as exc:
        result.status, result.reason = "skipped", str(exc)
    except Exception as exc:  # noqa: BLE001 - the scheduler must survive anything a run throws
        log.exception("%s run crashed", job)
        result.status, result.reason = "failed", f"{type(exc).__name__}: {exc}"
    result.finished_at = datetime.now(UTC).isoformat()
    level = logging.INFO if result.status == "ok" else logging.WARNING
    log.log(level, "%s run %s%s", job, result.status, f": {result.reason}" if result.reason else "")
    if result.quarantined:
        log.warning(
            "%d quarantined price change(s) wait for review: aiprices review list", result.quarantined
        )
    for b in result.stale_budgets:
        log.warning("stale budget: %s", b)
    if cfg.webhook_url and needs_attention(result):
        result.webhook_error = post_webhook(cfg.webhook_url, asdict(result))
        if result.webhook_error:
            log.error(result.webhook_error)
    try:
        append_history(cfg.history_path, result)
    except OSError as exc:
        log.error("cannot write job history %s: %s", cfg.history_path, exc)
    return result
