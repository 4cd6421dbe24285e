"""LiteLLM's registry into the warehouse: today's copy (fetched with a conditional GET, or a local file), a
folder of dated copies, or a git clone's history.

Each copy becomes a staged run of source ``litellm``: the registry extractor (``crawler/extract/litellm.py``)
reads it, the pipeline's checks and unit normalisation (``pipeline/rows.py``) prepare its rows, and
``warehouse.load.load_runs`` loads every copy in one transaction, with the guards and changelog of any other
source. Each copy hands over only the entries that changed and the keys that vanished, relative to the copy
before it, or (for the first copy a process reads) to the digests the warehouse keeps of the newest loaded
copy; without them the first copy is a complete run.

A truncated file, invalid JSON or an undated name anywhere leaves the warehouse exactly as it was. Copies
already loaded (same date and content) are skipped, so a backfill can be rerun; a copy older than the newest
loaded one is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from aiprices.crawler import extract
from aiprices.crawler.extract import litellm, litellm_fields, litellm_keys, litellm_pieces
from aiprices.crawler.extract.litellm import SOURCE, EntryReport, RegistryUnreadable
from aiprices.crawler.extract.litellm_reader import RegistryRead, RegistryReader
from aiprices.pipeline import rows as pipeline_rows
from aiprices.pipeline.rows import stage_rows
from aiprices.warehouse import contract
from aiprices.warehouse.digests import stored_digests
from aiprices.warehouse.errors import BadInput, LoadRefused
from aiprices.warehouse.load import load_runs, loaded_snapshots
from aiprices.warehouse.staging import SLICE_KEYS, RunRecord, Slice, StagedRun

from .registry_copies import DEFAULT_URL, RegistryCopy, copies_at, copy_from_bytes, file_copy, name_date


@dataclass
class BackfillResult:
    loaded: int = 0
    skipped: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    held: int = 0  # copies loaded partial: held for review (``aiprices review list``)
    warnings: list[str] = field(default_factory=list)


def _stamp(when: datetime) -> str:
    micro = f".{when.microsecond:06d}" if when.microsecond else ""
    return f"{when:%Y%m%dT%H%M%S}{micro}Z"


def _run_for(copy: RegistryCopy, sha: str, started: datetime) -> RunRecord:
    return RunRecord(
        run_id=f"litellm-{_stamp(copy.observed_at)}-{sha[:10]}", source=SOURCE, kind="registry",
        observed_at=copy.observed_at, started_at=started, finished_at=datetime.now(UTC), status="ok",
        pages=1, source_url=copy.url, content_sha256=sha,
    )  # fmt: skip


def rules_salt() -> bytes:
    """A digest of the code that turns an entry's text into rows. It salts the entry digests the warehouse
    keeps, so that after an upgrade that changes those rules every entry is read again once."""
    h = hashlib.sha256()
    for module in (extract, litellm, litellm_fields, litellm_keys, litellm_pieces, pipeline_rows, contract):
        h.update(Path(module.__file__).read_bytes())
    return h.digest()


def staged_copies(
    copies: Iterable[RegistryCopy],
    skip: set[tuple],
    labels: list[str],
    digests: dict[str, str | None],
    slice_keys: int = SLICE_KEYS,
) -> Iterator[StagedRun]:
    """Each copy not in ``skip`` (``(observed_at, sha256)``) as a staged run, read one at a time.

    The first copy read is incremental against ``digests`` (the newest loaded copy's), or complete without
    them; each later one is incremental against the copy before it. The label of each run yielded is appended
    to ``labels``. A copy that changes more than ``slice_keys`` entries is handed over in slices of that many
    (``StagedRun.slices``), never turned into rows all at once.
    """
    reader = RegistryReader(digests, salt=rules_salt(), parsed_limit=slice_keys)
    first = not digests
    for copy in copies:
        started = datetime.now(UTC)
        raw = copy.read()
        sha = hashlib.sha256(raw).hexdigest()
        if (copy.observed_at, sha) in skip:
            continue
        report = EntryReport()
        try:
            read = reader.read(raw, copy.label, report)
        except RegistryUnreadable as exc:
            raise BadInput(str(exc)) from None
        del raw  # the reader keeps the pieces it needs
        run = _run_for(copy, sha, started)
        labels.append(copy.label)
        if len(read.changed) > slice_keys:
            slices = _slices(read, copy.url, report, run, slice_keys)
            gone = frozenset(read.vanished)
            yield StagedRun(run, [], first, gone, entry_digests=read.digests, slices=slices)
        else:
            whole = _staged(read, copy.url, report, read.changed)
            run.warnings = report.summary() or None
            yield StagedRun(
                run,
                whole.rows,
                first,
                frozenset(read.vanished.union(whole.keys)),
                entry_digests=read.digests,
                kept=whole.kept,
            )
        first = False


def _staged(read: RegistryRead, url: str, report: EntryReport, keys: Iterable[str]) -> Slice:
    """The rows of ``keys`` (changed keys of ``read``) as staged rows, and as its keys those that now hold
    nothing (every value rejected, or no model's entry)."""
    kept: set[tuple] = set()
    pairs = [pair for key in keys for pair in read.changed[key]]  # (the entries' own notes come first)
    rows = stage_rows(pairs, source=SOURCE, source_url=url, rejected=report.skipped, kept=kept)
    emptied = set(keys) - {row["source_model_key"] for row in rows}
    return Slice(sorted(emptied), rows, frozenset(kept))


def _slices(
    read: RegistryRead, url: str, report: EntryReport, run: RunRecord, size: int
) -> Callable[[], Iterator[Slice]]:
    """A large copy's changed and vanished keys ``size`` at a time, the same each time; the first time through
    notes what it found in ``report`` and the run's warnings."""
    first = [True]

    def slices() -> Iterator[Slice]:
        notes = report if first[0] else EntryReport()
        vanished = iter(sorted(read.vanished))
        while chunk := list(islice(vanished, size)):
            yield Slice(chunk, [])
        keys = iter(read.changed)
        while chunk := list(islice(keys, size)):
            yield _staged(read, url, notes, chunk)
        if first[0]:
            run.warnings, first[0] = report.summary() or None, False

    return slices


def load_copies(
    con,
    copies: list[RegistryCopy],
    progress: Callable[[int, int], None] | None = None,
    slice_keys: int = SLICE_KEYS,
) -> BackfillResult:
    """Stage every copy not loaded yet and load them all in one transaction; ``progress`` hears (copies done,
    copies) as the loader takes each one (the CLI's progress display). A copy changing more than ``slice_keys``
    entries is staged and loaded that many entries at a time (same result, bounded memory)."""
    skip = loaded_snapshots(con, SOURCE, since=min((c.observed_at for c in copies), default=None))
    labels: list[str] = []
    staged = staged_copies(_counted(copies, progress), skip, labels, stored_digests(con, SOURCE), slice_keys)
    results = load_runs(con, staged, slice_keys)
    result = BackfillResult(skipped=len(copies) - len(results))
    for label, res in zip(labels, results, strict=True):
        if res.skipped:
            result.skipped += 1
            continue
        result.loaded += 1
        result.held += res.status == "partial"
        result.added += res.added
        result.changed += res.changed
        result.removed += res.removed
        if res.warnings:
            result.warnings.append(f"{label}: {res.warnings}")
    return result


def _counted(copies: list[RegistryCopy], progress: Callable[[int, int], None] | None) -> Iterator[RegistryCopy]:
    """``copies`` one by one; each is counted done when the next one is asked for (the loader has taken it)."""
    for n, copy in enumerate(copies):
        if progress is not None:
            progress(n, len(copies))
        yield copy
    if progress is not None:
        progress(len(copies), len(copies))


def backfill(
    con, path: Path, progress: Callable[[int, int], None] | None = None, slice_keys: int = SLICE_KEYS
) -> BackfillResult:
    """Load every dated copy under ``path`` (folder or git clone); already-loaded copies are skipped."""
    return load_copies(con, copies_at(Path(path)), progress, slice_keys)


@dataclass
class RegistryRefresh:
    """One refresh: ``unchanged`` when the server said 304, else the load's counts and warnings."""

    origin: str  # the URL or file read
    unchanged: bool = False
    loaded: int = 0
    skipped: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    held: int = 0
    warnings: list[str] = field(default_factory=list)


def refresh_registry(
    db: Path, *, file: Path | None = None, url: str | None = None, observed_at: datetime | None = None
) -> RegistryRefresh:
    """Load today's copy (observed now, UTC) from ``url`` (default: GitHub), or a local ``file`` observed at
    ``observed_at``, else at the date its name gives (``YYYY-MM-DD.json[.gz]``), else now.

    A copy older than the newest loaded is refused (``LoadRefused``); so is an undated file whose content is an
    older loaded copy's. Raises ``FetchError`` when offline or refused, ``WarehouseError`` when the copy or the
    warehouse is bad.
    """
    from aiprices.warehouse.connection import connect

    from .registry_fetch import fetch_registry

    if file is not None:
        con = connect(db)
        try:
            copy = file_copy(file, observed_at)
            if observed_at is None and name_date(Path(file)) is None:
                copy = _dated_by_content(copy, loaded_snapshots(con, SOURCE))
            return _refresh(str(file), load_copies(con, [copy]))
        finally:
            con.close()
    url = url or DEFAULT_URL
    body = fetch_registry(url, db)
    if body is None:
        return RegistryRefresh(url, unchanged=True)
    con = connect(db)
    try:
        return _refresh(url, load_copies(con, [copy_from_bytes(body, url, datetime.now(UTC))]))
    finally:
        con.close()


def _refresh(origin: str, result) -> RegistryRefresh:
    return RegistryRefresh(origin, False, result.loaded, result.skipped, result.added, result.changed,
                           result.removed, result.held, list(result.warnings))  # fmt: skip


def _dated_by_content(copy: RegistryCopy, loaded: set[tuple]) -> RegistryCopy:
    """``copy`` (observed now), refused on reading when its content is a loaded copy older than the newest: an
    old copy under a new name must not replace today's prices."""
    newest = max((at for at, _ in loaded), default=None)
    seen = {sha: at for at, sha in sorted(loaded) if sha}  # a content loaded twice keeps its newest date
    read = copy.read

    def checked() -> bytes:
        raw = read()
        at = seen.get(hashlib.sha256(raw).hexdigest())
        if at is not None and at < newest:
            raise LoadRefused(
                f"{copy.label}: its content is the registry copy observed {at:%Y-%m-%d}, older than the newest "
                f"loaded ({newest:%Y-%m-%d}); give --observed DATE to load it as of another date"
            )
        return raw

    return RegistryCopy(copy.observed_at, copy.label, copy.url, checked)
