"""Staged crawl output into the warehouse: the source runs staged at the same time loaded together in one
transaction (``load_runs``), then one cross-check of the batch's sources together (a load that stops in between
leaves its runs to the next load's check: ``record_pending_crosschecks``).

A crawl stages every source's run (``warehouse/staging.py``: rows and metadata in
``<db dir>/staging/<batch>/<source>/``) and marks
the batch pending before it opens the warehouse; the warehouse is opened for the load only, waiting up to
``lock_wait`` seconds for another writer or a long reader. A batch that could not be loaded stays pending
on disk: ``aiprices load`` or the next crawl loads it, oldest batch first, with the ``crawl_runs`` rows it
would have had.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiprices.warehouse.staging import RunRecord, StagedRun

from .errors import CrawlError
from .spawn import PlannedSource, staged_or_failed

if TYPE_CHECKING:
    from aiprices.warehouse.load import LoadResult

PENDING = "pending.json"


@dataclass
class SourceResult:
    """What happened to one source in one run, for the CLI and the scheduler.

    ``status``: ``ok``, ``partial``, ``failed`` (as in ``crawl_runs``), or ``already loaded``, ``skipped``
    (nothing newer than loaded), ``no capture`` (a replay had nothing for it), ``pending`` (staged, not
    loaded). ``crawler`` is the crawler's own diagnostics of the source (the staged run's details).
    """

    source: str
    run_id: str | None
    status: str
    observed_at: datetime | None = None
    items: int = 0
    rejected: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    error: str | None = None
    unmapped: list[str] = field(default_factory=list)
    crosschecks: dict[str, int] = field(default_factory=dict)
    crawler: dict = field(default_factory=dict)
    rows_seen: int | None = None  # the completeness audit: priced-looking rows, those read, the misses
    rows_priced: int | None = None
    unpriced: list[str] = field(default_factory=list)


@dataclass
class StagedBatch:
    """One batch of staged source runs on disk, loadable now or later."""

    folder: Path
    kind: str  # crawl_runs.kind of its runs: crawl | replay
    planned: list[PlannedSource]
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def batch_id(self) -> str:
        return self.folder.name

    def mark_pending(self) -> None:
        runs = [{"source": p.source, "run_id": p.run_id, "observed_at": p.observed_at.isoformat()}
                for p in self.planned]  # fmt: skip
        tmp = self.folder / f"{PENDING}.tmp"
        tmp.write_text(json.dumps({"kind": self.kind, "created": self.created, "runs": runs}))
        tmp.replace(self.folder / PENDING)  # whole or absent, even if the crawl is killed here

    def mark_loaded(self) -> None:
        (self.folder / PENDING).unlink(missing_ok=True)


def read_batch(folder: Path) -> StagedBatch:
    try:
        data = json.loads((folder / PENDING).read_text())
        runs = [PlannedSource(r["source"], r["run_id"], datetime.fromisoformat(r["observed_at"])) for r in data["runs"]]
        return StagedBatch(folder, data["kind"], runs, data["created"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CrawlError(f"unreadable staged batch {folder / PENDING} ({exc}); move the folder away") from None


def pending_batches(staging_root: Path) -> list[StagedBatch]:
    """Every batch still waiting to be loaded under ``staging_root``, oldest first."""
    if not staging_root.is_dir():
        return []
    batches = [read_batch(p.parent) for p in staging_root.glob(f"*/{PENDING}")]
    return sorted(batches, key=lambda b: b.created)


def load_batches(
    con, batches: list[StagedBatch], loaded: Mapping[tuple[str, str], SourceResult] | None = None
) -> dict[str, list[SourceResult]]:
    """Load each batch in order; results per batch id. ``loaded``: the results of source runs loaded already
    (by ``(batch id, source)``), kept as they are."""
    loaded = loaded or {}
    return {
        batch.batch_id: load_batch(con, batch, {s: r for (b, s), r in loaded.items() if b == batch.batch_id})
        for batch in batches
    }


def load_batch(con, batch: StagedBatch, loaded: Mapping[str, SourceResult] | None = None) -> list[SourceResult]:
    """Load the source runs of a batch (but those ``loaded`` already: source -> result) together, then cross-check
    them together (with any run an interrupted load left unchecked); the batch is then no longer pending."""
    from aiprices.warehouse.crosscheck import record_pending_crosschecks

    loaded = loaded or {}
    rest = iter(load_sources(con, batch, [p for p in batch.planned if p.source not in loaded]))
    results = [loaded.get(p.source) or next(rest) for p in batch.planned]
    checks = record_pending_crosschecks(con)
    for result in results:
        if result.run_id in checks:
            result.crosschecks = checks[result.run_id]
    batch.mark_loaded()
    return results


def load_sources(con, batch: StagedBatch, planned: list[PlannedSource]) -> list[SourceResult]:
    """Load several sources' staged runs of a batch in one transaction: each table is written once for all of them
    (a statement's planning, not its rows, is most of a small source's load). When the warehouse refuses one of
    the runs, each is loaded on its own instead, so that only the refused one is skipped. Their cross-check is
    left to ``load_batch``."""
    from aiprices.warehouse.errors import LoadRefused
    from aiprices.warehouse.load import load_runs

    if len(planned) < 2:
        return [load_source(con, batch, p) for p in planned]
    staged = [staged_or_failed(batch.folder, p) for p in planned]
    results = []
    for p, one in zip(planned, staged, strict=True):
        one.run.kind = batch.kind
        results.append(source_result(p, one, one.run.status))
    try:
        loads = load_runs(con, staged, check=False)
    except LoadRefused:  # (the transaction rolled back whole; each is read and loaded again on its own)
        return [load_source(con, batch, p) for p in planned]
    for result, one, res in zip(results, staged, loads, strict=True):
        _loaded(result, one.run, res)
    return results


def load_source(con, batch: StagedBatch, p: PlannedSource) -> SourceResult:
    """Load one source's staged run with the one loader (guards and changelog included; its cross-check is left to
    ``load_batch``, which checks the batch's sources together); a failed run records its failure."""
    from aiprices.warehouse.errors import LoadRefused
    from aiprices.warehouse.load import load_run

    staged = staged_or_failed(batch.folder, p)
    staged.run.kind = batch.kind
    result = source_result(p, staged, staged.run.status)
    try:
        res = load_run(con, staged, check=False)
    except LoadRefused as exc:
        result.status, result.error = "skipped", str(exc)
        return result
    return _loaded(result, staged.run, res)


def _loaded(result: SourceResult, run: RunRecord, res: LoadResult) -> SourceResult:
    """A source's ``result`` once its ``run`` is loaded (``res``): the guards may have changed its status."""
    result.status = "already loaded" if res.skipped else run.status
    result.added, result.changed, result.removed = res.added, res.changed, res.removed
    result.error = run.error
    return result


def source_result(p: PlannedSource, staged: StagedRun, status: str) -> SourceResult:
    """A source's result before (or without) a load: the crawler's counts and reason."""
    return SourceResult(
        source=p.source,
        run_id=p.run_id,
        status=status,
        observed_at=p.observed_at,
        items=staged.run.items,
        rejected=staged.run.rejected,
        error=staged.run.error,
        unmapped=list(staged.details.get("unmapped_columns") or []),
        crawler=staged.details,
        rows_seen=staged.run.rows_seen,
        rows_priced=staged.run.rows_priced,
        unpriced=list(staged.details.get("unpriced") or []),
    )


def staged_results(batch: StagedBatch, status: str, reason: str) -> list[SourceResult]:
    """Results of a batch that stays staged (e.g. the warehouse was busy)."""
    results = []
    for p in batch.planned:
        staged = staged_or_failed(batch.folder, p)
        result = source_result(p, staged, status)
        result.error = "; ".join(filter(None, [staged.run.error, reason]))
        results.append(result)
    return results
