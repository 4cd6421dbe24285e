"""Staged crawl output into the warehouse: one transaction per source run, then its cross-check.

A crawl stages every source's rows and summary in a batch folder (``<db dir>/staging/<batch>/``) and marks
the batch pending before it opens the warehouse; the warehouse is opened for the load only, waiting up to
``lock_wait`` seconds for another writer or a long reader. A batch that could not be loaded stays pending
on disk: ``aiprices load`` or the next crawl loads it, oldest batch first, with the ``crawl_runs`` rows it
would have had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiprices.crawler.sources import get_source

from .spawn import PlannedSource, summary_path

PENDING = "pending.json"


@dataclass
class SourceResult:
    """What happened to one source in one run, for the CLI and the scheduler.

    ``status``: ``ok``, ``partial``, ``failed`` (as in ``crawl_runs``), or ``already loaded``, ``skipped``
    (nothing newer than loaded), ``no capture`` (a replay had nothing for it), ``pending`` (staged, not
    loaded). ``crawler`` is the crawler's own summary of the source, carried through as it is.
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
        (self.folder / PENDING).write_text(json.dumps({"kind": self.kind, "created": self.created, "runs": runs}))

    def mark_loaded(self) -> None:
        (self.folder / PENDING).unlink(missing_ok=True)


def read_batch(folder: Path) -> StagedBatch:
    data = json.loads((folder / PENDING).read_text())
    planned = [PlannedSource(r["source"], r["run_id"], datetime.fromisoformat(r["observed_at"])) for r in data["runs"]]
    return StagedBatch(folder, data["kind"], planned, data["created"])


def pending_batches(staging_root: Path) -> list[StagedBatch]:
    """Every batch still waiting to be loaded under ``staging_root``, oldest first."""
    if not staging_root.is_dir():
        return []
    batches = [read_batch(p.parent) for p in staging_root.glob(f"*/{PENDING}")]
    return sorted(batches, key=lambda b: b.created)


def load_batches(con, batches: list[StagedBatch]) -> dict[str, list[SourceResult]]:
    """Load each batch in order; results per batch id."""
    return {batch.batch_id: load_batch(con, batch) for batch in batches}


def load_batch(con, batch: StagedBatch) -> list[SourceResult]:
    """Load each source run of a batch in its own transaction; the batch is then no longer pending."""
    results = [load_source(con, batch, p) for p in batch.planned]
    batch.mark_loaded()
    return results


def load_source(con, batch: StagedBatch, p: PlannedSource) -> SourceResult:
    """Load one source's staged rows (or record its failure), then record its cross-check."""
    from aiprices.pipeline.stage import read_jsonl
    from aiprices.warehouse.crosscheck import record_crosschecks
    from aiprices.warehouse.errors import LoadRefused
    from aiprices.warehouse.load import load_snapshot, record_run

    out = json.loads(summary_path(batch.folder, p.source).read_text())
    run = run_record(batch.kind, p, out)
    staged = batch.folder / f"{p.source}.jsonl"
    result = source_result(p, out, run.status)
    try:
        if run.status == "failed" or not staged.exists():
            run.status = "failed"
            res = record_run(con, run)
        else:
            res = load_snapshot(con, run, read_jsonl(staged))
    except LoadRefused as exc:
        result.status, result.error = "skipped", str(exc)
        return result
    result.status = "already loaded" if res.skipped else run.status
    result.added, result.changed, result.removed = res.added, res.changed, res.removed
    result.error = run.error
    if not res.skipped and run.status != "failed":
        result.crosschecks = record_crosschecks(con, p.run_id)
    return result


def run_record(kind: str, p: PlannedSource, out: dict):
    """The ``crawl_runs`` row of a source run, from its plan and the crawler's summary."""
    from aiprices.warehouse.load import RunRecord

    warnings = list(out.get("warnings") or [])
    if out.get("unmapped_columns"):
        warnings.append("unmapped columns: " + ", ".join(out["unmapped_columns"]))
    now = datetime.now(UTC)
    return RunRecord(
        run_id=p.run_id,
        source=p.source,
        kind=kind,
        observed_at=p.observed_at,
        started_at=_ts(out.get("started_at")) or now,
        finished_at=_ts(out.get("finished_at")) or now,
        status=out.get("status", "failed"),
        pages=int(out.get("pages", 0)),
        items=int(out.get("items", 0)),
        rejected=int(out.get("rejected", 0)),
        error=out.get("error"),
        warnings="; ".join(warnings) or None,
        source_url=out.get("source_url") or get_source(p.source).start_urls[0],
        content_sha256=out.get("content_sha256"),
    )


def source_result(p: PlannedSource, out: dict, status: str) -> SourceResult:
    """A source's result before (or without) a load: the crawler's counts and reason."""
    return SourceResult(
        source=p.source,
        run_id=p.run_id,
        status=status,
        observed_at=p.observed_at,
        items=int(out.get("items", 0)),
        rejected=int(out.get("rejected", 0)),
        error=out.get("error"),
        unmapped=list(out.get("unmapped_columns") or []),
        crawler=out,
    )


def staged_results(batch: StagedBatch, status: str, reason: str) -> list[SourceResult]:
    """Results of a batch that stays staged (e.g. the warehouse was busy)."""
    results = []
    for p in batch.planned:
        out = json.loads(summary_path(batch.folder, p.source).read_text())
        result = source_result(p, out, status)
        result.error = "; ".join(filter(None, [out.get("error"), reason]))
        results.append(result)
    return results


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
