"""Crawl runs: plan sources, run them in crawler processes, load each source; one typed report per run.

Live: every source's production URL, observed now. Replay (``from_archive``): captures chosen by
``captures.choose_replays`` are served over a loopback HTTP server to the same spiders and pipelines, in
rounds (the k-th capture of every source together). Reparse: a run's archived bodies, read again by
today's extractors and observed now. In every case the crawler processes stage their output on disk and
the warehouse is opened only for the load (``loading``), which also picks up batches an earlier crawl left
pending. The CLI and the scheduler both call ``crawl``/``reparse``/``load_pending`` and read the report.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from aiprices.crawler.archive import Archive
from aiprices.crawler.sources import SOURCES, UnknownSource, get_source
from aiprices.warehouse.staging import StagedRun

from .captures import Capture, choose_replays, midnight
from .errors import BadRequest
from .load_as_staged import LoadAsStaged
from .loading import SourceResult, StagedBatch, load_batches, pending_batches, staged_results
from .lock import CrawlLock
from .loopback import LoopbackServer
from .spawn import Control, PlannedSource, run_spiders

DEFAULT_LOCK_WAIT = 60.0
# Replays read loopback files: no politeness delay needed, and a slow start would only hide concurrency.
REPLAY_SETTINGS = {
    # A replay fetches nothing but its own loopback server (the spiders allow no other host), which has no
    # robots.txt to obey: asking for it cost a request per source.
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.1,
    "LOG_LEVEL": "WARNING",
}
# Per-source statuses that leave nothing to do; ``partial`` and ``failed`` are results too, but not good ones.
SETTLED = frozenset({"ok", "already loaded", "skipped"})
DONE = SETTLED | {"partial"}
EXIT_CODES = {"ok": 0, "partial": 1, "failed": 3}
# Fetch errors that say the connection itself failed (Scrapy's and Twisted's names), not the site's answer.
_NETWORK = re.compile(r"fetch failed: (CannotResolveHostError|DNSLookupError|DownloadConnectionRefusedError|"
                      r"ConnectionRefusedError|ConnectError|DownloadTimeoutError|TCPTimedOutError|TimeoutError|"
                      r"NoRouteError|TunnelError)")  # fmt: skip


@dataclass
class CrawlRequest:
    """What to crawl into which warehouse; every field but ``db`` has the CLI's default."""

    db: Path
    sources: list[str] = field(default_factory=list)  # empty = every source
    from_archive: Path | None = None
    on: date | None = None
    archive_root: Path | None = None  # default: <db dir>/archive
    processes: int | None = None
    settings: dict = field(default_factory=dict)  # extra Scrapy settings
    lock_wait: float = DEFAULT_LOCK_WAIT  # seconds to wait for another crawl, then for the warehouse file
    # hears (sources done, sources planned) as crawlers finish: the CLI's progress display
    progress: Callable[[int, int], None] | None = field(default=None, compare=False, repr=False)


@dataclass
class CrawlReport:
    """A crawl, replay, reparse or load: each source's result, runs loaded from earlier crawls, notes."""

    kind: str
    results: list[SourceResult] = field(default_factory=list)
    earlier: list[SourceResult] = field(default_factory=list)  # pending batches of earlier crawls
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``ok``: every source settled; ``failed``: nothing could be done; else ``partial``."""
        statuses = {r.status for r in self.results}
        if statuses <= SETTLED:
            return "ok"
        return "partial" if statuses & DONE else "failed"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_json(self) -> dict:
        return {"kind": self.kind, "status": self.status, "exit_code": self.exit_code, "notes": self.notes,
                "sources": [asdict(r) for r in self.results], "earlier": [asdict(r) for r in self.earlier]}  # fmt: skip


def new_batch_id(prefix: str = "crawl", now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{prefix}-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def check_sources(names: list[str] | tuple[str, ...]) -> list[str]:
    """The requested sources (all when empty), each checked against the registry."""
    try:
        return [get_source(n).name for n in names] if names else sorted(SOURCES)
    except UnknownSource as exc:
        raise BadRequest(str(exc)) from None


def default_paths(db_path: Path) -> tuple[Path, Path]:
    """``(staging root, archive root)`` next to the DuckDB file."""
    base = Path(db_path).resolve().parent
    return base / "staging", base / "archive"


def plan_live(sources: list[str], batch_id: str, now: datetime) -> list[PlannedSource]:
    return [PlannedSource(s, f"{batch_id}-{s}", now) for s in sources]


def plan_replay(captures: dict[str, Capture], batch_id: str, on: date | None) -> list[PlannedSource]:
    return [
        PlannedSource(s, f"{batch_id}-{s}", midnight(on or cap.day), kinds=[cap.kind], capture=cap)
        for s, cap in sorted(captures.items())
    ]


@contextmanager
def _locked(db: Path, wait: float, control: Control | None) -> Iterator[Control]:
    """The crawl lock for the run; a caller that holds it already passes a Control that keeps it."""
    if control is not None:
        yield control
        return
    with CrawlLock(db, wait=wait) as lock:
        yield Control(keep_fds=(lock.fd,))


def crawl(req: CrawlRequest, con=None, control: Control | None = None) -> CrawlReport:
    """The whole crawl: plan, run the spiders in crawler processes, load each source; the report.

    ``con`` may be None: the warehouse is then opened after the spiders finish, for the load only.
    """
    names = check_sources(req.sources)
    if req.from_archive is None and req.on is not None:
        raise BadRequest("--on needs --from-archive (a live crawl is always observed now)")
    staging_root, default_archive = default_paths(req.db)
    archive_root = req.archive_root or default_archive
    with _locked(req.db, req.lock_wait, control) as control:
        report = CrawlReport("crawl" if req.from_archive is None else "replay")
        _load_earlier(req.db, con, report)
        # A replay loads each source as it is staged, unless earlier batches wait to load first (history in order).
        early = req.from_archive is not None and not pending_batches(staging_root)
        with LoadAsStaged(req.db, con, enabled=early) as loads:
            if req.from_archive is None:
                batch = new_batch_id("crawl")
                planned = plan_live(names, batch, datetime.now(UTC))
                outcomes = run_spiders(planned, staging_root / batch, archive_root, req.settings, None,
                                       req.processes, control, _told(req.progress, 0, len(planned)))  # fmt: skip
                batches = [_staged(StagedBatch(staging_root / batch, "crawl", planned))]
                _note_network(report, outcomes)
            else:
                batches = _replay(req, names, staging_root, archive_root, loads, control, report)
            _load_or_keep(req.db, loads.con, req.lock_wait, batches, report, loaded=loads.results)
    report.results.sort(key=lambda r: (r.source, r.observed_at is not None, r.observed_at or 0))
    return report


def _replay(req, names, staging_root, archive_root, loads: LoadAsStaged, control, report) -> list[StagedBatch]:
    from aiprices.warehouse.runlog import newest_loaded

    con = loads.con
    loaded = newest_loaded(con) if con is not None else _newest_loaded(req.db, req.lock_wait)
    choice = choose_replays(req.from_archive, names, req.on, loaded)
    report.results += [SourceResult(n.source, None, n.status, error=n.reason) for n in choice.left_out]
    batches = []
    done, total = 0, sum(len(captures) for captures in choice.rounds)
    for captures in choice.rounds:
        batch = new_batch_id("replay")
        planned = plan_replay(captures, batch, req.on)
        settings = {**REPLAY_SETTINGS, **req.settings}
        staged = StagedBatch(staging_root / batch, "replay", planned)
        run_spiders(planned, staging_root / batch, archive_root, settings, req.from_archive, req.processes, control,
                    _told(req.progress, done, total), loads.listener(staged), loads.open)  # fmt: skip
        batches.append(_staged(staged))
        done += len(planned)
    return batches


def _told(listener: Callable[[int, int], None] | None, before: int, total: int) -> Callable[[int], None] | None:
    """A round's count of finished sources, told to ``listener`` as part of the whole run's ``total``."""
    return None if listener is None else lambda done: listener(before + done, total)


def _newest_loaded(db: Path, lock_wait: float) -> dict[str, datetime]:
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.runlog import newest_loaded

    if not Path(db).exists():
        return {}
    con = connect(db, read_only=True, wait_seconds=lock_wait)
    try:
        return newest_loaded(con)
    finally:
        con.close()


def _staged(batch: StagedBatch) -> StagedBatch:
    batch.mark_pending()
    return batch


def _note_network(report: CrawlReport, outcomes: Mapping[str, StagedRun]) -> None:
    """One line when every live fetch failed to connect: the network, not the sites, is the likely cause."""
    errors = [o.run.error or "" for o in outcomes.values()]
    if errors and all(o.run.status == "failed" for o in outcomes.values()) and all(map(_NETWORK.search, errors)):
        report.notes.append("the network looks unreachable: every source failed with a DNS or connection error")


def _load_earlier(db: Path, con, report: CrawlReport) -> None:
    """Batches earlier crawls left pending load first, so that a replay plans after them; if the warehouse
    is busy right now they stay pending and load (or are noted) after this crawl."""
    from aiprices.warehouse.errors import WarehouseLocked

    earlier = pending_batches(default_paths(db)[0])
    if earlier:
        try:
            _load(db, con, 0.0, earlier, report)
        except WarehouseLocked:
            pass


def _load_or_keep(
    db: Path, con, lock_wait: float, ours: list[StagedBatch], report: CrawlReport, others=True, loaded=None
):  # fmt: skip
    """Load ``ours`` (and, with ``others``, every batch earlier crawls left pending, those first), but the runs
    ``loaded`` already (``LoadAsStaged.results``); when the warehouse stays busy, everything stays staged and a
    note says how to load it later."""
    from aiprices.warehouse.errors import WarehouseLocked

    batches = pending_batches(default_paths(db)[0]) if others else ours
    try:
        _load(db, con, lock_wait, batches, report, ours={b.batch_id for b in ours}, loaded=loaded)
    except WarehouseLocked as exc:
        for b in ours:
            report.results += staged_results(b, "pending", "staged, not loaded")
        report.notes.append(_kept(exc, batches))


def _load(
    db: Path, con, lock_wait: float, batches: list[StagedBatch], report, ours: Collection[str] = (), loaded=None
) -> None:
    """Load ``batches`` in order with ``con`` (else a connection opened for this only), keeping the results of
    the runs ``loaded`` already; results of ``ours`` go to the report's results, the others to ``earlier``.
    Raises ``WarehouseLocked`` when the file stays busy."""
    from aiprices.warehouse.connection import connect

    if not batches:
        return
    own = connect(db, wait_seconds=lock_wait) if con is None else None
    try:
        by_batch = load_batches(con or own, batches, loaded)
    finally:
        if own is not None:
            own.close()
    for batch_id, results in by_batch.items():
        (report.results if batch_id in ours else report.earlier).extend(results)


def _kept(exc: Exception, pending: list[StagedBatch]) -> str:
    runs = sum(len(b.planned) for b in pending)
    where = pending[-1].folder.parent if pending else "the staging folder"
    return (f"{exc}; {runs} staged run(s) kept in {where}: load them with `aiprices load` "
            f"(the next crawl also loads them first)")  # fmt: skip


def load_pending(db: Path, batch: str | None = None, lock_wait: float = DEFAULT_LOCK_WAIT) -> CrawlReport:
    """``aiprices load [RUN]``: load the staged batches earlier crawls left pending (or only RUN's batch)."""
    report = CrawlReport("load")
    with _locked(db, lock_wait, None):
        batches = pending_batches(default_paths(db)[0])
        if batch is not None:
            batches = [b for b in batches if batch in (b.batch_id, *(p.run_id for p in b.planned))]
            if not batches:
                raise BadRequest(f"no pending staged run {batch!r} (see `aiprices runs`)")
        _load_or_keep(db, None, lock_wait, batches, report, others=False)
        if not batches:  # (a load checks them itself)
            _check_left_unchecked(db, lock_wait, report)
    return report


def _check_left_unchecked(db: Path, lock_wait: float, report: CrawlReport) -> None:
    """Cross-check the loaded runs a load stopped before checking (the next crawl's load checks them too); a note
    names them."""
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.crosscheck import record_pending_crosschecks
    from aiprices.warehouse.errors import WarehouseLocked

    if not Path(db).exists():
        return
    try:
        con = connect(db, wait_seconds=lock_wait)
    except WarehouseLocked as exc:
        report.notes.append(f"{exc}; runs left unchecked by an interrupted load are checked by the next load")
        return
    try:
        checked = record_pending_crosschecks(con)
    finally:
        con.close()
    if checked:
        report.notes.append(f"cross-checked {len(checked)} run(s) an interrupted load left unchecked: "
                            + ", ".join(sorted(checked)))  # fmt: skip


def reparse(
    db: Path, run_id: str, *, archive_root: Path | None = None, settings: dict | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT, con=None, control: Control | None = None,
) -> CrawlReport:  # fmt: skip
    """Re-parse a run's archived bodies with today's extractors; the result is a new run observed now."""
    staging_root, default_archive = default_paths(db)
    archive = Archive(archive_root or default_archive)
    entries = archive.for_run(run_id)
    if not entries:
        raise BadRequest(f"no archived page for run {run_id!r} under {archive.root}")
    batch = new_batch_id("reparse")
    staging = staging_root / batch
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
    report = CrawlReport("reparse")
    with _locked(db, lock_wait, control) as control:
        with LoopbackServer(serve) as server:
            for p in planned.values():
                p.start_urls = [server.url_for(Path(u)) for u in p.start_urls]
            settings = {**REPLAY_SETTINGS, **(settings or {})}
            run_spiders(list(planned.values()), staging, archive.root, settings, control=control)
        _load_or_keep(db, con, lock_wait, [_staged(StagedBatch(staging, "replay", list(planned.values())))], report)
    return report
