"""Crawl orchestration: plan sources, run them in one Scrapy subprocess, load each source in one transaction.

Live: every source's production URL, observed now. Replay (``--from-archive DIR --on DATE``): per source
the newest ``<source>/<YYYY-MM-DD>.<kind>.<ext>`` on or before DATE, served over a loopback HTTP server to
the same spiders and pipelines, observed at DATE 00:00 UTC (without DATE: at the capture's own date).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import monotonic

from aiprices.crawler.archive import Archive
from aiprices.crawler.sources import SOURCES, get_source
from aiprices.loopback import LoopbackServer

CAPTURE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(.+)$")
SUBPROCESS_TIMEOUT = 30 * 60
# Replays read loopback files: no politeness delay needed, and a slow start would only hide concurrency.
REPLAY_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.1,
    "LOG_LEVEL": "WARNING",
}


class CrawlError(Exception):
    """A crawl could not be planned or run (bad arguments, missing archive, crawler process crashed)."""


@dataclass
class Capture:
    source: str
    day: date
    kind: str
    path: Path


@dataclass
class PlannedSource:
    source: str
    run_id: str
    observed_at: datetime
    start_urls: list[str] = field(default_factory=list)  # empty = production URLs
    kinds: list[str] = field(default_factory=list)
    capture: Capture | None = None


def new_batch_id(prefix: str = "crawl", now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{prefix}-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def check_sources(names: list[str] | tuple[str, ...]) -> list[str]:
    """The requested sources (all when empty), each checked against the registry."""
    return [get_source(n).name for n in names] if names else sorted(SOURCES)


def list_captures(folder: Path) -> list[Capture]:
    """Every ``<source>/<YYYY-MM-DD>.<kind>.<ext>`` file under ``folder`` for a known source."""
    captures = []
    for src_dir in sorted(p for p in folder.iterdir() if p.is_dir() and p.name in SOURCES):
        for path in sorted(src_dir.iterdir()):
            m = CAPTURE_NAME.match(path.name)
            if not path.is_file() or not m:
                continue
            try:
                day = date.fromisoformat(m.group(1))
            except ValueError:
                continue
            captures.append(Capture(src_dir.name, day, m.group(2), path))
    return captures


def pick_captures(folder: Path, on: date | None, sources: list[str]) -> dict[str, Capture]:
    """Per source, the newest capture on or before ``on`` (the newest of all when ``on`` is None)."""
    if not folder.is_dir():
        raise CrawlError(f"archive folder {folder} does not exist")
    best: dict[str, Capture] = {}
    for cap in list_captures(folder):
        if cap.source not in sources or (on is not None and cap.day > on):
            continue
        cur = best.get(cap.source)
        if cur is None or (cap.day, cap.path.name) > (cur.day, cur.path.name):
            best[cap.source] = cap
    return best


def plan_live(sources: list[str], batch_id: str, now: datetime) -> list[PlannedSource]:
    return [PlannedSource(s, f"{batch_id}-{s}", now) for s in sources]


def plan_replay(captures: dict[str, Capture], batch_id: str, on: date | None) -> list[PlannedSource]:
    planned = []
    for source, cap in sorted(captures.items()):
        observed = datetime.combine(on or cap.day, time(0), tzinfo=UTC)
        planned.append(PlannedSource(source, f"{batch_id}-{source}", observed, kinds=[cap.kind], capture=cap))
    return planned


def run_spiders(
    planned: list[PlannedSource],
    staging_dir: Path,
    archive_root: Path,
    settings: dict | None = None,
    serve_root: Path | None = None,
    processes: int | None = None,
) -> dict[str, dict]:
    """Run the planned sources in crawler subprocesses (see ``crawl_processes``); each source's outcome."""
    staging_dir.mkdir(parents=True, exist_ok=True)
    entries = [
        {
            "source": p.source,
            "run_id": p.run_id,
            "start_urls": p.start_urls,
            "kinds": p.kinds,
            "observed_at": p.observed_at.isoformat(),
            "summary_path": str(staging_dir / f"{p.source}.summary.json"),
        }
        for p in planned
    ]
    shards = _shards(planned, crawl_processes(len(planned), processes))
    plans = [
        {
            "staging_dir": str(staging_dir),
            "archive_root": str(archive_root),
            "settings": settings or {},
            "sources": [entries[i] for i in shard],
        }
        for shard in shards
    ]
    if serve_root is not None:
        with LoopbackServer(serve_root) as server:
            for p, entry in zip(planned, entries, strict=True):
                if p.capture is not None:
                    entry["start_urls"] = [server.url_for(p.capture.path)]
            errors = _run_processes(plans, staging_dir)
    else:
        errors = _run_processes(plans, staging_dir)
    results = {}
    for p in planned:
        path = staging_dir / f"{p.source}.summary.json"
        if path.exists():
            results[p.source] = json.loads(path.read_text())
        else:
            error = errors.get(p.source) or f"crawler ended without a result for this source (see {staging_dir})"
            results[p.source] = {
                "source": p.source,
                "run_id": p.run_id,
                "status": "failed",
                "pages": 0,
                "items": 0,
                "rejected": 0,
                "error": error,
            }
    return results


def crawl_processes(n_sources: int, requested: int | None = None) -> int:
    """How many crawler processes a crawl uses: ``requested`` (``--processes``), else the
    ``AIPRICES_CRAWL_PROCESSES`` variable, else one per CPU up to 4; never more than there are sources.

    One Scrapy process runs its spiders concurrently, but parsing and the item pipelines share its one
    reactor thread; a second process lets a second CPU work. Sites are never shared between processes,
    so per-site politeness is unchanged.
    """
    if requested is None:
        env = os.environ.get("AIPRICES_CRAWL_PROCESSES", "").strip()
        if env:
            try:
                requested = int(env)
            except ValueError:
                raise CrawlError(f"AIPRICES_CRAWL_PROCESSES must be a whole number, not {env!r}") from None
    wanted = requested if requested is not None else min(os.cpu_count() or 1, 4)
    if wanted < 1:
        raise CrawlError(f"the number of crawler processes must be at least 1, not {wanted}")
    return max(1, min(wanted, n_sources))


def _shards(planned: list[PlannedSource], n: int) -> list[list[int]]:
    """Indexes of ``planned`` per process: heaviest source first onto the least loaded process.

    A replayed capture weighs its size in bytes (item work grows with it); a live source weighs 1.
    """
    weights = [p.capture.path.stat().st_size if p.capture is not None else 1 for p in planned]
    loads = [0] * n
    shards: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(planned)), key=lambda i: -weights[i]):
        j = loads.index(min(loads))
        shards[j].append(i)
        loads[j] += weights[i]
    return [sorted(shard) for shard in shards if shard]


def _run_processes(plans: list[dict], staging_dir: Path) -> dict[str, str]:
    """Start one crawler subprocess per plan and wait for all; the error of each source whose process failed."""
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    started: list[tuple[subprocess.Popen, Path, dict]] = []
    try:
        for n, plan in enumerate(plans, start=1):
            suffix = "" if len(plans) == 1 else f"-{n}"
            plan_path, log_path = staging_dir / f"plan{suffix}.json", staging_dir / f"crawl{suffix}.log"
            plan_path.write_text(json.dumps(plan, indent=2))
            with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
                proc = subprocess.Popen(
                    [sys.executable, "-m", "aiprices.crawler.run", "--plan", str(plan_path)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            started.append((proc, log_path, plan))
        deadline = monotonic() + SUBPROCESS_TIMEOUT
        errors: dict[str, str] = {}
        for proc, log_path, plan in started:
            error = _wait(proc, log_path, deadline)
            if error:
                errors.update((entry["source"], error) for entry in plan["sources"])
        return errors
    finally:
        for proc, _, _ in started:
            if proc.poll() is None:  # interrupted: leave no crawler behind
                proc.kill()
                proc.wait()


def _wait(proc: subprocess.Popen, log_path: Path, deadline: float) -> str | None:
    """None when the crawler process exited cleanly, else a one-line reason naming its log."""
    try:
        code = proc.wait(timeout=max(0.0, deadline - monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return f"crawler did not finish within {SUBPROCESS_TIMEOUT}s (log: {log_path})"
    if code == 0:
        return None
    tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
    return f"crawler process failed (exit {code}): {tail[0]} (log: {log_path})"


@dataclass
class SourceResult:
    source: str
    run_id: str
    status: str
    items: int
    rejected: int
    error: str | None
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: bool = False
    unmapped: list[str] = field(default_factory=list)
    crosschecks: dict[str, int] = field(default_factory=dict)
    rows_seen: int | None = None  # the completeness audit: priced-looking rows, those read, the misses
    rows_priced: int | None = None
    unpriced: list[str] = field(default_factory=list)


def load_results(
    con, planned: list[PlannedSource], outcomes: dict[str, dict], staging_dir: Path, kind: str
) -> list[SourceResult]:
    """Load each source's staged rows in its own transaction, then record its cross-check."""
    from aiprices.pipeline.stage import read_jsonl
    from aiprices.warehouse.crosscheck import record_crosschecks
    from aiprices.warehouse.load import RunRecord, load_snapshot, record_run

    results = []
    for p in planned:
        out = outcomes[p.source]
        status = out.get("status", "failed")
        warnings = list(out.get("warnings") or [])
        if out.get("unmapped_columns"):
            warnings.append("unmapped columns: " + ", ".join(out["unmapped_columns"]))
        run = RunRecord(
            run_id=p.run_id,
            source=p.source,
            kind=kind,
            observed_at=p.observed_at,
            started_at=_ts(out.get("started_at")) or datetime.now(UTC),
            finished_at=_ts(out.get("finished_at")) or datetime.now(UTC),
            status=status,
            pages=int(out.get("pages", 0)),
            items=int(out.get("items", 0)),
            rejected=int(out.get("rejected", 0)),
            error=out.get("error"),
            warnings="; ".join(warnings) or None,
            source_url=out.get("source_url") or get_source(p.source).start_urls[0],
            content_sha256=out.get("content_sha256"),
            page_kind=",".join(dict.fromkeys(out["kinds"])) if "kinds" in out else None,
            rows_seen=out.get("rows_seen"),
            rows_priced=out.get("rows_priced"),
        )
        staged = staging_dir / f"{p.source}.jsonl"
        if status == "failed" or not staged.exists():
            run.status = "failed"
            res = record_run(con, run)
            checks: dict[str, int] = {}
        else:
            res = load_snapshot(con, run, read_jsonl(staged))
            checks = {} if res.skipped else record_crosschecks(con, p.run_id)
        results.append(
            SourceResult(
                source=p.source,
                run_id=p.run_id,
                status=run.status,
                items=run.items,
                rejected=run.rejected,
                error=run.error,
                added=res.added,
                changed=res.changed,
                removed=res.removed,
                skipped=res.skipped,
                unmapped=list(out.get("unmapped_columns") or []),
                crosschecks=checks,
                rows_seen=run.rows_seen,
                rows_priced=run.rows_priced,
                unpriced=list(out.get("unpriced") or []),
            )
        )
    return results


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def default_paths(db_path: Path) -> tuple[Path, Path]:
    """``(staging root, archive root)`` next to the DuckDB file."""
    base = Path(db_path).resolve().parent
    return base / "staging", base / "archive"


def _load(con, db_path: Path, planned, outcomes, staging, kind) -> list[SourceResult]:
    """Load with ``con`` or, when None, open the warehouse only now: the crawl itself never holds its lock."""
    if con is not None:
        return load_results(con, planned, outcomes, staging, kind)
    from aiprices.warehouse.connection import connect

    own = connect(db_path)
    try:
        return load_results(own, planned, outcomes, staging, kind)
    finally:
        own.close()


def crawl(
    con,
    db_path: Path,
    sources: list[str],
    *,
    from_archive: Path | None = None,
    on: date | None = None,
    archive_root: Path | None = None,
    settings: dict | None = None,
    processes: int | None = None,
) -> list[SourceResult]:
    """The whole crawl: plan, run the spiders in crawler subprocesses, load each source; per-source results.

    ``con`` may be None: the warehouse is then opened after the spiders finish, for the load only.
    """
    names = check_sources(sources)
    staging_root, default_archive = default_paths(db_path)
    archive_root = archive_root or default_archive
    if from_archive is None:
        if on is not None:
            raise CrawlError("--on needs --from-archive (a live crawl is always observed now)")
        batch = new_batch_id("crawl")
        planned = plan_live(names, batch, datetime.now(UTC))
        kind, serve_root, extra = "crawl", None, dict(settings or {})
    else:
        captures = pick_captures(from_archive, on, names)
        if not captures:
            when = f" on or before {on}" if on else ""
            raise CrawlError(f"no capture{when} in {from_archive} for {', '.join(names)}")
        batch = new_batch_id("replay")
        planned = plan_replay(captures, batch, on)
        kind, serve_root, extra = "replay", from_archive, {**REPLAY_SETTINGS, **(settings or {})}
    staging = staging_root / batch
    outcomes = run_spiders(planned, staging, archive_root, extra, serve_root, processes)
    return _load(con, db_path, planned, outcomes, staging, kind)


def reparse(
    con, db_path: Path, run_id: str, *, archive_root: Path | None = None, settings: dict | None = None
) -> list[SourceResult]:
    """Re-parse a run's archived bodies with today's extractors; the result is a new run observed now."""
    _, default_archive = default_paths(db_path)
    archive = Archive(archive_root or default_archive)
    entries = archive.for_run(run_id)
    if not entries:
        raise CrawlError(f"no archived page for run {run_id!r} under {archive.root}")
    batch = new_batch_id("reparse")
    staging = default_paths(db_path)[0] / batch
    serve = staging / "bodies"
    planned: dict[str, PlannedSource] = {}
    now = datetime.now(UTC)
    for n, e in enumerate(entries):
        target = serve / e.source / f"{n}-{e.sha256}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.get(e.sha256))
        p = planned.setdefault(e.source, PlannedSource(e.source, f"{batch}-{e.source}", now))
        p.kinds.append(e.kind)
        p.start_urls.append(str(target))
    with LoopbackServer(serve) as server:
        for p in planned.values():
            p.start_urls = [server.url_for(Path(u)) for u in p.start_urls]
        outcomes = run_spiders(list(planned.values()), staging, archive.root, {**REPLAY_SETTINGS, **(settings or {})})
    return _load(con, db_path, list(planned.values()), outcomes, staging, "replay")
