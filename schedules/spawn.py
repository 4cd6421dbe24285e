"""The crawler process of a crawl: one Scrapy process per shard of planned sources, started and stopped as a group.

The crawl starts ``python -P -m aiprices.crawler.run`` once (``-P``: the working folder is not put on ``sys.path``,
so a clone's source folders never shadow the installed package) in its own process group; it forks one process per
further shard (``crawler/run.py``), so stopping the group stops them all. It keeps the caller's crawl-lock
descriptor open (and so do its forks), so the lock is held until the last crawler is gone, and it exits by itself
when its parent dies. A stop request (SIGTERM of the scheduler) terminates the group, then kills it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic

from aiprices.crawler.sources import get_source
from aiprices.warehouse.errors import BadInput
from aiprices.warehouse.staging import RunRecord, StagedRun, is_staged, read_staged_run, write_staged_run

from .captures import Capture
from .errors import BadRequest, Interrupted
from .loopback import LoopbackServer

SUBPROCESS_TIMEOUT = 30 * 60
TERMINATE_GRACE = 3.0  # seconds between SIGTERM and SIGKILL of a crawler's group
POLL = 0.02  # seconds between looks for staged runs (each waits that long at most to be loaded)


@dataclass
class Control:
    """What a long run listens to and hands down: a stop request, and descriptors its children keep open."""

    stop: threading.Event = field(default_factory=threading.Event)
    keep_fds: tuple[int, ...] = ()


@dataclass
class PlannedSource:
    """One source to crawl in one run: where its pages are, and when the snapshot counts as observed."""

    source: str
    run_id: str
    observed_at: datetime
    start_urls: list[str] = field(default_factory=list)  # empty = production URLs
    kinds: list[str] = field(default_factory=list)
    capture: Capture | None = None


def run_spiders(
    planned: list[PlannedSource],
    staging_dir: Path,
    archive_root: Path,
    settings: dict | None = None,
    serve_root: Path | None = None,
    processes: int | None = None,
    control: Control | None = None,
    progress: Callable[[int], None] | None = None,
    on_staged: Callable[[list[str]], None] | None = None,
    on_started: Callable[[], None] | None = None,
) -> StagedOutcomes:
    """Run the planned sources in crawler processes (see ``crawl_processes``); each source's staged run (read
    when asked for).

    ``progress`` hears how many of them are done each time that number grows (for the CLI's progress display);
    ``on_staged`` hears the sources whose staged run is on disk as they are found (those found at one look
    together), while the other crawlers may still run;
    ``on_started`` is called once the crawler process runs, so the caller can prepare while the crawlers start.
    """
    staging_dir.mkdir(parents=True, exist_ok=True)
    entries = [_entry(p) for p in planned]
    shards = _shards(planned, crawl_processes(len(planned), processes))
    plan = {"staging_dir": str(staging_dir), "archive_root": str(archive_root), "settings": settings or {},
            "shards": [{"sources": [entries[i] for i in shard], "log": str(_log_path(staging_dir, n, len(shards)))}
                       for n, shard in enumerate(shards, start=1)]}  # fmt: skip
    control = control or Control()
    finished = _Finished(staging_dir, planned, progress, on_staged)
    if serve_root is not None:
        with LoopbackServer(serve_root) as server:
            for p, entry in zip(planned, entries, strict=True):
                if p.capture is not None:
                    entry["start_urls"] = [server.url_for(p.capture.path)]
            errors = _run_process(plan, staging_dir, control, finished, on_started)
    else:
        errors = _run_process(plan, staging_dir, control, finished, on_started)
    for p in planned:
        _stage_if_missing(p, staging_dir, errors)
    finished.check()  # sources whose crawler left no result are done too (as failed runs)
    return StagedOutcomes(staging_dir, planned)


class _Finished:
    """Watches for the sources whose staged run is written (a crawler renames each into place when it is done):
    tells ``listener`` how many are done and ``on_staged`` the sources newly found done, together."""

    def __init__(
        self,
        staging_dir: Path,
        planned: list[PlannedSource],
        listener: Callable[[int], None] | None,
        on_staged: Callable[[list[str]], None] | None = None,
    ):
        self.folders = {p.source: staging_dir / p.source for p in planned}
        self.listener, self.told = listener, -1  # the first check tells 0: the display learns the total
        self.on_staged, self.seen = on_staged, set()

    def check(self) -> None:
        if self.listener is None and self.on_staged is None:
            return
        while self._newly_done():  # hearing them takes a while (a load): look again before waiting for more
            pass
        if self.listener is not None and len(self.seen) > self.told:
            self.told = len(self.seen)
            self.listener(self.told)

    def _newly_done(self) -> bool:
        """Whether any source is found done that was not before; ``on_staged`` hears them in one call."""
        done = [source for source, folder in self.folders.items() if source not in self.seen and folder.is_dir()]
        self.seen.update(done)
        if done and self.on_staged is not None:
            self.on_staged(done)
        return bool(done)


def _entry(p: PlannedSource) -> dict:
    return {"source": p.source, "run_id": p.run_id, "start_urls": p.start_urls, "kinds": p.kinds,
            "observed_at": p.observed_at.isoformat()}  # fmt: skip


def _stage_if_missing(p: PlannedSource, staging_dir: Path, errors: dict[str, str]) -> None:
    """A source whose crawler left no staged run (or half of one) gets a failed run, staged beside the others so
    that the load records it too. A whole run that cannot be read is left for the load, which records it as a
    failed run that says why."""
    folder = staging_dir / p.source
    if not is_staged(folder):
        reason = "no staged run there" if not folder.exists() else "half-written staged run"
        error = errors.get(p.source) or f"crawler ended without a result for this source: {folder}: {reason}"
        write_staged_run(folder, failed_run(p, error).run, [])


class StagedOutcomes(Mapping[str, StagedRun]):
    """Each planned source's staged run, read when asked for: a replay's loads read the runs themselves, so the
    crawl never reads them a second time (14 sources' rows: ~30 ms on the path to the final load)."""

    def __init__(self, staging_dir: Path, planned: list[PlannedSource]):
        self.staging_dir, self.planned = staging_dir, {p.source: p for p in planned}
        self.read: dict[str, StagedRun] = {}

    def __getitem__(self, source: str) -> StagedRun:
        if source not in self.read:
            self.read[source] = staged_or_failed(self.staging_dir, self.planned[source])
        return self.read[source]

    def __iter__(self) -> Iterator[str]:
        return iter(self.planned)

    def __len__(self) -> int:
        return len(self.planned)


def staged_or_failed(staging_dir: Path, p: PlannedSource) -> StagedRun:
    """The source's staged run; one that can no longer be read is a failed run that says why."""
    try:
        return read_staged_run(staging_dir / p.source)
    except BadInput as exc:
        return failed_run(p, str(exc))


def failed_run(p: PlannedSource, error: str) -> StagedRun:
    """A run of ``p`` that loaded nothing, for ``error``."""
    now = datetime.now(UTC)
    kind = "replay" if p.start_urls or p.capture else "crawl"
    source = get_source(p.source)
    run = RunRecord(p.run_id, p.source, kind, p.observed_at, now, now, "failed", error=error,
                    source_url=source.start_urls[0], aggregator=source.aggregator)  # fmt: skip
    return StagedRun(run, [])


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
                raise BadRequest(f"AIPRICES_CRAWL_PROCESSES must be a whole number, not {env!r}") from None
    wanted = requested if requested is not None else min(os.cpu_count() or 1, 4)
    if wanted < 1:
        raise BadRequest(f"the number of crawler processes must be at least 1, not {wanted}")
    return max(1, min(wanted, n_sources))


# What a source costs a crawler process before its page, in bytes of page: its own crawler (engine, middlewares,
# spider, staged run) takes ~15-20 ms of CPU, about what parsing 150 KB of a page and its items takes.
SOURCE_BYTES = 150_000


def _shards(planned: list[PlannedSource], n: int) -> list[list[int]]:
    """Indexes of ``planned`` per process: heaviest source first onto the least loaded process.

    A replayed capture weighs its size in bytes (item work grows with it) plus its crawler's own cost
    (``SOURCE_BYTES``): by bytes alone, a process with the largest page and five small ones took half as long
    again as one with eight; a live source weighs 1.
    """
    weights = [p.capture.path.stat().st_size + SOURCE_BYTES if p.capture is not None else 1 for p in planned]
    loads = [0] * n
    shards: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(planned)), key=lambda i: -weights[i]):
        j = loads.index(min(loads))
        shards[j].append(i)
        loads[j] += weights[i]
    return [sorted(shard) for shard in shards if shard]


def crawler_command(plan_path: Path) -> list[str]:
    """The crawler process's command line: the installed package, never the working folder (``-P``)."""
    return [sys.executable, "-P", "-m", "aiprices.crawler.run", "--plan", str(plan_path), "--parent-pid",
            str(os.getpid())]  # fmt: skip


def _log_path(staging_dir: Path, n: int, shards: int) -> Path:
    """The output of the crawler process running shard ``n`` of ``shards``."""
    return staging_dir / ("crawl.log" if shards == 1 else f"crawl-{n}.log")


def _run_process(
    plan: dict, staging_dir: Path, control: Control, finished: _Finished, on_started: Callable[[], None] | None
) -> dict[str, str]:
    """Start the crawler process for ``plan`` and wait for it; the error of each source, if it failed."""
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    plan_path, log_path = staging_dir / "plan.json", Path(plan["shards"][0]["log"])
    plan_path.write_text(json.dumps(plan, indent=2))
    proc = None
    try:
        with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                crawler_command(plan_path), stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True, pass_fds=control.keep_fds,
            )  # fmt: skip
        if on_started is not None:
            on_started()
        error = _wait(proc, log_path, monotonic() + SUBPROCESS_TIMEOUT, control, finished)
        return {entry["source"]: error for shard in plan["shards"] for entry in shard["sources"]} if error else {}
    finally:
        if proc is not None:
            stop_group(proc)  # interrupted or timed out: leave no crawler behind


def _wait(proc: subprocess.Popen, log_path: Path, deadline: float, control: Control, finished: _Finished) -> str | None:
    """None when the crawler process exited cleanly, else a one-line reason naming its log."""
    with _ExitWatch(proc) as exit_of:
        while True:
            finished.check()
            try:
                code = exit_of.wait(POLL)
                finished.check()
                break
            except subprocess.TimeoutExpired:
                if control.stop.is_set():
                    raise Interrupted("stopped on request; crawler processes terminated") from None
                if monotonic() >= deadline:
                    stop_group(proc)
                    return f"crawler did not finish within {SUBPROCESS_TIMEOUT}s (log: {log_path})"
    if code == 0:
        return None
    tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
    return f"crawler process failed (exit {code}): {tail[0]} (log: {log_path})"


class _ExitWatch:
    """Waits for a process to exit and wakes the moment it does (a Linux pidfd), where ``Popen.wait`` polls with
    sleeps of up to 50 ms: the crawl's final load starts as soon as the crawler is gone. Elsewhere it is
    ``Popen.wait``."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        try:
            self.fd: int | None = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):  # not Linux >= 5.3, or the process is already reaped
            self.fd = None

    def wait(self, timeout: float) -> int:
        """The exit code, else ``TimeoutExpired`` after ``timeout`` seconds."""
        if self.fd is None:
            return self.proc.wait(timeout=timeout)
        select.select([self.fd], [], [], timeout)
        code = self.proc.poll()
        if code is None:
            raise subprocess.TimeoutExpired(self.proc.args, timeout)
        return code

    def __enter__(self) -> _ExitWatch:
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)


def stop_group(proc: subprocess.Popen, grace: float = TERMINATE_GRACE) -> None:
    """SIGTERM the process's group, then SIGKILL it after ``grace`` seconds; returns once the process is gone. A
    crawler process that did not end cleanly may have left the shards it forked behind: they are killed."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
            _signal_group(proc, sig)
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    if proc.returncode != 0:
        _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # nothing of the group is left
        pass
