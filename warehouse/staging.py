"""A staged run: one load of one source, its metadata plus its price rows, the one shape every producer hands
``load.load_run`` (a crawled page, a replay, a reparse, a registry copy, each copy of a backfill).

A run is *complete* (a crawl: every price the source lists; an absent price is retired) or *incremental* (a
registry copy after the one before it: only the keys whose entries changed, with all their rows, and the keys
that vanished), so that a multi-year backfill diffs only what changed.

On disk (the crawler process writes it, the orchestration reads it after the process ends) a staged run is a
folder holding ``rows.jsonl`` (one contract row per line, Decimal as strings, so no float touches a price)
and ``run.json`` (the run's metadata). The folder is written under a temporary name and renamed into place,
so a half-written staged run is refused, never loaded as if whole.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from .contract import (
    IDENTITY,
    IDENTITY_COLUMNS,
    IDENTITY_DEFAULTS,
    PRICE_COLUMNS,
    SCHEDULE_COLUMNS,
    unstorable,
)
from .errors import BadInput

ROWS_FILE = "rows.jsonl"
# Keys per slice of a run too large to hold at once (``StagedRun.slices``): a registry copy of today (~5,000
# entries, 3 MB) and several times that load whole; a slice of this many registry entries takes ~200 MB.
SLICE_KEYS = 10_000
RUN_FILE = "run.json"
_TIMES = ("observed_at", "started_at", "finished_at")
# What a staged row must hold (identity columns added later get their default when absent).
_REQUIRED = ("price", *(c.name for c in IDENTITY if not c.nullable and c.name not in IDENTITY_DEFAULTS))


@dataclass
class RunRecord:
    """One load of one source (a crawl, an archive replay, or a registry copy): the ``runs`` row."""

    run_id: str
    source: str
    kind: str
    observed_at: datetime
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "ok"
    pages: int = 0
    items: int = 0
    rejected: int = 0
    error: str | None = None
    warnings: str | None = None
    source_url: str | None = None
    content_sha256: str | None = None
    page_kind: str | None = None  # the page format read ('' for a live fetch); None: no page (guards.page_of)
    rows_seen: int | None = None  # the page's completeness audit (None: no audit)
    rows_priced: int | None = None
    aggregator: bool | None = None  # the source lists other vendors' models (None: not said, e.g. a registry)
    added: int = 0
    changed: int = 0
    removed: int = 0
    quarantined: int = 0  # not stored: reported in ``warnings``
    confirmed: int = 0


@dataclass
class Slice:
    """Some keys of a run, its ``rows`` for them (in stored units) and its ``kept`` identities of them
    (``StagedRun.kept``); a key without rows holds nothing now."""

    keys: list[str]
    rows: list[dict]
    kept: frozenset[tuple] = frozenset()


@dataclass
class StagedRun:
    """A run and its rows (dicts with the contract's ``PRICE_COLUMNS``, prices in stored units).

    ``complete``: the rows are everything the source lists. Otherwise the run is incremental: each
    ``source_model_key`` in ``rows`` replaces that key's prices, each key in ``removed_keys`` loses all of its
    prices, and every other key keeps its prices. ``kept`` are identities (``IDENTITY_COLUMNS`` tuples) whose
    value the producer could not read (NaN, a word, null): a price already loaded under one keeps its last good
    value instead of being retired. ``details`` are the producer's diagnostics (not loaded).
    ``entry_digests``: for a producer that reads its source incrementally, the digest of the text each key it
    read came from (None: read that key again next time), kept with the warehouse (``digests.py``).
    ``slices``: a run too large to hold at once (a huge registry copy) leaves ``rows`` and ``kept`` empty and
    gives them slice by slice instead, its removed keys too (``removed_keys`` still lists them, for the digests),
    the same slices each time it is called (the loader reads them twice: to judge the run, then to apply it);
    every key's rows lie in one slice.
    """

    run: RunRecord
    rows: list[dict]
    complete: bool = True
    removed_keys: frozenset[str] = frozenset()
    details: dict = field(default_factory=dict)
    entry_digests: dict[str, str | None] | None = None
    kept: frozenset[tuple] = frozenset()
    slices: Callable[[], Iterable[Slice]] | None = None


def _encode(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot stage {type(value).__name__}")


def write_staged_run(
    folder: Path,
    run: RunRecord,
    rows: Iterable[dict],
    *,
    complete: bool = True,
    removed_keys: Iterable[str] = (),
    details: dict | None = None,
    kept: Iterable[tuple] = (),
) -> Path:
    """Write ``run`` and ``rows`` as the staged-run folder ``folder`` (replacing one already there)."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.partial-{secrets.token_hex(4)}"
    tmp.mkdir()
    count = 0
    with open(tmp / ROWS_FILE, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({c: row.get(c) for c in PRICE_COLUMNS}, default=_encode, sort_keys=True) + "\n")
            count += 1
    meta = {
        "run": asdict(run),
        "rows": count,
        "complete": complete,
        "removed_keys": sorted(removed_keys),
        "details": details or {},
        "kept": sorted(kept),
    }
    (tmp / RUN_FILE).write_text(json.dumps(meta, default=_encode, indent=2, sort_keys=True), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return folder


def is_staged(folder: Path) -> bool:
    """Whether ``folder`` holds a whole staged run (its files are renamed into place together), unread."""
    return (folder / RUN_FILE).is_file() and (folder / ROWS_FILE).is_file()


def read_staged_run(folder: Path) -> StagedRun:
    """The staged run in ``folder``; a missing, half-written or inconsistent one is refused (``BadInput``)."""
    folder = Path(folder)
    if not is_staged(folder):
        partial = sorted(folder.parent.glob(f".{folder.name}.partial-*"))
        if partial or folder.exists():
            where = partial[0] if partial else folder
            raise BadInput(f"{where}: half-written staged run (the writer stopped before finishing); refused")
        raise BadInput(f"{folder}: no staged run there")
    try:
        meta = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
        run = meta["run"]
        for name in _TIMES:
            run[name] = _instant(run[name], name, required=name != "finished_at")
        record = RunRecord(**run)
        rows = _read_rows(folder / ROWS_FILE)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"{folder}: unreadable staged run ({type(exc).__name__}: {exc}); refused") from None
    if len(rows) != meta["rows"]:
        raise BadInput(f"{folder}: {ROWS_FILE} holds {len(rows)} rows, {RUN_FILE} says {meta['rows']}; refused")
    kept = frozenset(map(_identity, meta.get("kept", ())))
    return StagedRun(record, rows, meta["complete"], frozenset(meta["removed_keys"]), meta["details"], kept=kept)


def _identity(ident: list) -> tuple:
    """A kept identity as stored; one staged before a later identity column existed gets that column's default."""
    return (*ident, *(IDENTITY_DEFAULTS[c] for c in IDENTITY_COLUMNS[len(ident) :]))


def _read_rows(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            row = json.loads(line)
            row["price"] = Decimal(row["price"])
            for name in SCHEDULE_COLUMNS:
                row[name] = _instant(row.get(name), name)
            problem = _unstorable(row)
            if problem:
                raise BadInput(f"{path.parent}: {ROWS_FILE} line {n}: {problem}; refused")
            rows.append(row)
    return rows


def _instant(text: str | None, name: str, required: bool = False) -> datetime | None:
    """A stored instant: ISO 8601 with its UTC offset (our writer always gives one; an instant without one would
    be compared with the warehouse's and fail the load of the whole batch)."""
    if not text:
        if required:
            raise ValueError(f"{name} is missing")
        return None
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"{name} {text!r} has no UTC offset")
    return instant


def _unstorable(row: dict) -> str | None:
    """Why the warehouse could not store this staged row as it is (None: it can). The crawl's pipeline checks
    every price before staging it; this guards the load against a staged file from elsewhere (edited, or
    written by another version), which would otherwise fail the load of every source staged with it."""
    missing = [name for name in _REQUIRED if row.get(name) is None]
    if missing:
        return f"{missing[0]} is missing"
    price, context = row["price"], row["context_min_tokens"]
    if not price.is_finite() or price < 0:
        return f"price {price} is not a valid price"
    problem = unstorable(price)
    if problem:
        return f"price {price} {problem[1]}"
    if isinstance(context, bool) or not isinstance(context, int) or not 0 <= context < 2**63:
        return f"context_min_tokens {context!r} is not a whole number of tokens"
    return None
