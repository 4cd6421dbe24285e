"""Loading snapshots into the SCD2 history and the changelog.

A *ledger* holds the current prices of one source in memory, keyed by the source's own model key. Each
snapshot is diffed against it key by key (only the keys that changed need to be looked at, which keeps
multi-year backfills cheap), and the resulting intervals, retirements and changelog rows are written
set-based (Arrow -> ``INSERT ... SELECT``) in one transaction per batch of runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pyarrow as pa

from .connection import transaction
from .errors import LoadRefused
from .guards import page_guards, resolve_held
from .schema import IDENTITY_COLUMNS, PRICE_SCALE

SUSPECT_RATIO = Decimal(10)
# Sources whose suspect changes apply at once (flagged): the registry's history is a community file's
# history, and its corrections are real events. Every other source (a vendor page) is quarantined.
UNGUARDED_SOURCES = frozenset({"litellm"})
_DECIMAL = pa.decimal128(38, PRICE_SCALE)
_TS = pa.timestamp("us", tz="UTC")


@dataclass
class RunRecord:
    """One load of one source (a crawl, an archive replay, or a registry copy)."""

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
    page_kind: str | None = None  # the page format read ('' for a live fetch); see guards.previous_page_run
    rows_seen: int | None = None  # the page's completeness audit (None: no audit)
    rows_priced: int | None = None
    added: int = 0
    changed: int = 0
    removed: int = 0
    quarantined: int = 0  # not stored: reported in ``warnings``
    confirmed: int = 0


@dataclass
class LoadResult:
    run_id: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: bool = False
    message: str = ""
    status: str = "ok"
    quarantined: int = 0
    confirmed: int = 0


def price_id(ident: tuple) -> str:
    """Stable surrogate key of an identity tuple (one join column instead of ten)."""
    return hashlib.md5("\x1f".join(map(str, ident)).encode()).hexdigest()


def suspect_flag(old: Decimal | None, new: Decimal | None) -> str | None:
    """``suspect_magnitude`` for a move of 10x or more either way, or between zero and non-zero."""
    if old is None or new is None:
        return None
    if (old == 0) != (new == 0):
        return "suspect_magnitude"
    if old == 0:
        return None
    ratio = new / old
    if ratio >= SUSPECT_RATIO or ratio <= 1 / SUSPECT_RATIO:
        return "suspect_magnitude"
    return None


@dataclass
class _Current:
    """The open interval of one price, in memory."""

    pid: str
    row: dict
    valid_from: datetime
    in_db: bool  # opened by an earlier, committed batch
    interval: dict | None = None  # the pending interval row while not yet in the database


def _value(row: dict) -> tuple:
    return (row["currency"], row["price"], row.get("inferred_rule"))


@dataclass
class _Pending:
    """A quarantined change waiting for the next crawl (or a reviewer) to confirm it."""

    run_id: str
    price_id: str
    observed_at: datetime
    value: tuple


class Ledger:
    """Current prices of one source: ``{source_model_key: {identity: _Current}}``.

    ``quarantine``: suspect changes (10x or more, to/from zero) are held back instead of applied;
    ``pending`` holds those still waiting, by price id.
    """

    def __init__(self, source: str, quarantine: bool | None = None):
        self.source = source
        self.by_key: dict[str, dict[tuple, _Current]] = {}
        self.last_observed_at: datetime | None = None
        self.quarantine = source not in UNGUARDED_SOURCES if quarantine is None else quarantine
        self.pending: dict[str, _Pending] = {}

    @classmethod
    def from_db(cls, con, source: str) -> Ledger:
        ledger = cls(source)
        cols = ", ".join(IDENTITY_COLUMNS)
        rows = con.execute(
            f"SELECT price_id, {cols}, currency, price, source_url, source_field, inferred_rule, valid_from "
            "FROM price_intervals WHERE source = ? AND valid_to IS NULL",
            [source],
        ).fetchall()
        names = (
            "price_id",
            *IDENTITY_COLUMNS,
            "currency",
            "price",
            "source_url",
            "source_field",
            "inferred_rule",
            "valid_from",
        )
        for values in rows:
            rec = dict(zip(names, values, strict=True))
            ident = tuple(rec[c] for c in IDENTITY_COLUMNS)
            cur = _Current(rec.pop("price_id"), rec, rec.pop("valid_from"), in_db=True)
            ledger.by_key.setdefault(rec["source_model_key"], {})[ident] = cur
        (last,) = con.execute(
            "SELECT max(observed_at) FROM runs WHERE source = ? AND status IN ('ok', 'partial')", [source]
        ).fetchone()
        ledger.last_observed_at = last
        if ledger.quarantine:
            for run_id, pid, observed_at, currency, price, rule in con.execute(
                "SELECT run_id, price_id, observed_at, currency, price, inferred_rule FROM quarantine "
                "WHERE source = ? AND status = 'pending'",
                [source],
            ).fetchall():
                ledger.pending[pid] = _Pending(run_id, pid, observed_at, (currency, price, rule))
        return ledger

    def keys(self) -> set[str]:
        return set(self.by_key)


@dataclass
class Batch:
    """Writes pending for one transaction."""

    runs: list[RunRecord] = field(default_factory=list)
    new_intervals: list[dict] = field(default_factory=list)  # may get valid_to set within the batch
    retire_db: list[tuple[str, datetime, str]] = field(default_factory=list)  # (price_id, valid_to, run)
    changes: list[dict] = field(default_factory=list)
    opened: list[_Current] = field(default_factory=list)  # become in_db once flushed
    quarantined: list[dict] = field(default_factory=list)  # held-back values (rows of ``quarantine``)
    resolutions: list[dict] = field(default_factory=list)  # pending quarantines decided by a crawl

    def __bool__(self) -> bool:
        return bool(self.runs)


def _identity(row: dict) -> tuple:
    return tuple(row[c] for c in IDENTITY_COLUMNS)


def _change(run: RunRecord, pid: str, row: dict, old, new, kind: str, flag: str | None = None) -> dict:
    rec = {c: row[c] for c in IDENTITY_COLUMNS}
    rec.update(
        run_id=run.run_id,
        changed_at=run.observed_at,
        price_id=pid,
        currency=row["currency"],
        old_price=old,
        new_price=new,
        kind=kind,
        flag=flag or (suspect_flag(old, new) if kind == "changed" else None),
        source_field=row.get("source_field"),
        source_url=row.get("source_url"),
    )
    return rec


def _open(batch: Batch, run: RunRecord, row: dict, pid: str, at: _Pending | None = None) -> _Current:
    """Open an interval as of ``run`` (or, for a confirmed quarantine, as of its first sighting ``at``)."""
    when, by = (at.observed_at, at.run_id) if at else (run.observed_at, run.run_id)
    interval = dict(row)
    interval.update(price_id=pid, valid_from=when, valid_to=None, run_id=by, retired_run_id=None)
    batch.new_intervals.append(interval)
    cur = _Current(pid, row, when, in_db=False, interval=interval)
    batch.opened.append(cur)
    return cur


def _close(batch: Batch, run: RunRecord, cur: _Current, at: _Pending | None = None) -> None:
    when, by = (at.observed_at, at.run_id) if at else (run.observed_at, run.run_id)
    if cur.in_db:
        batch.retire_db.append((cur.pid, when, by))
    else:
        cur.interval["valid_to"] = when
        cur.interval["retired_run_id"] = by


def _resolve(ledger: Ledger, batch: Batch, run: RunRecord, pid: str, status: str) -> _Pending | None:
    """Decide the pending quarantine of ``pid`` (if any): ``confirmed`` or ``superseded``."""
    pending = ledger.pending.pop(pid, None)
    if pending is not None:
        batch.resolutions.append(
            {
                "run_id": pending.run_id,
                "price_id": pid,
                "status": status,
                "decided_at": run.observed_at,
                "decided_by": run.run_id,
            }
        )
    return pending


def _hold(ledger: Ledger, batch: Batch, run: RunRecord, cur: _Current, row: dict) -> None:
    """Quarantine a suspect change: record and flag it, keep the current interval as it is."""
    _resolve(ledger, batch, run, cur.pid, "superseded")
    held = dict(row)
    held.update(
        run_id=run.run_id,
        observed_at=run.observed_at,
        price_id=cur.pid,
        old_price=cur.row["price"],
        status="pending",
    )
    batch.quarantined.append(held)
    batch.changes.append(_change(run, cur.pid, row, cur.row["price"], row["price"], "changed", "quarantined"))
    ledger.pending[cur.pid] = _Pending(run.run_id, cur.pid, run.observed_at, _value(row))
    run.changed += 1
    run.quarantined += 1


def apply_key(
    ledger: Ledger,
    batch: Batch,
    run: RunRecord,
    key: str,
    rows: list[dict] | None,
    retire_missing: bool = True,
) -> None:
    """Diff the rows of one source model key (None = the key vanished) into ``batch``."""
    current = ledger.by_key.get(key, {})
    seen: dict[tuple, _Current] = {}
    for row in rows or ():
        ident = _identity(row)
        cur = current.get(ident)
        if cur is None:
            pid = price_id(ident)
            seen[ident] = _open(batch, run, row, pid)
            batch.changes.append(_change(run, pid, row, None, row["price"], "added"))
            run.added += 1
        elif _value(cur.row) != _value(row):
            suspect = ledger.quarantine and suspect_flag(cur.row["price"], row["price"]) is not None
            pending = ledger.pending.get(cur.pid)
            if suspect and pending and pending.value == _value(row) and pending.observed_at > cur.valid_from:
                # The next crawl shows the held-back value again: apply it as of its first sighting.
                _resolve(ledger, batch, run, cur.pid, "confirmed")
                _close(batch, run, cur, at=pending)
                seen[ident] = _open(batch, run, row, cur.pid, at=pending)
                run.confirmed += 1
            elif suspect:
                _hold(ledger, batch, run, cur, row)
                seen[ident] = cur
            else:
                _resolve(ledger, batch, run, cur.pid, "superseded")
                _close(batch, run, cur)
                seen[ident] = _open(batch, run, row, cur.pid)
                batch.changes.append(_change(run, cur.pid, row, cur.row["price"], row["price"], "changed"))
                run.changed += 1
        else:
            _resolve(ledger, batch, run, cur.pid, "superseded")  # the page shows the old value again
            seen[ident] = cur
    for ident, cur in current.items():
        if ident in seen:
            continue
        if retire_missing:
            _resolve(ledger, batch, run, cur.pid, "superseded")
            _close(batch, run, cur)
            batch.changes.append(_change(run, cur.pid, cur.row, cur.row["price"], None, "removed"))
            run.removed += 1
        else:
            seen[ident] = cur
    if seen:
        ledger.by_key[key] = seen
    else:
        ledger.by_key.pop(key, None)


def check_order(ledger: Ledger, run: RunRecord) -> None:
    """Refuse a load older than (or as old as) what this source already has: history only moves forward."""
    last = ledger.last_observed_at
    if last is not None and run.observed_at <= last:
        raise LoadRefused(
            f"{run.source}: snapshot observed {run.observed_at:%Y-%m-%d %H:%M} is not newer than the newest "
            f"loaded one ({last:%Y-%m-%d %H:%M}); out-of-order loads are refused "
            f"(load all copies, oldest first, into a fresh warehouse to rebuild its history)"
        )


def apply_snapshot(ledger: Ledger, batch: Batch, run: RunRecord, rows: Iterable[dict]) -> None:
    """Diff a whole snapshot of ``run.source``; only an ``ok`` run retires prices it no longer lists."""
    check_order(ledger, run)
    if run.status != "failed":
        by_key: dict[str, list[dict]] = {}
        for row in rows:
            by_key.setdefault(row["source_model_key"], []).append(_dedupe_guard(row))
        complete = run.status == "ok"
        keys = set(by_key) | (ledger.keys() if complete else set())
        for key in sorted(keys):
            apply_key(ledger, batch, run, key, by_key.get(key), retire_missing=complete)
        ledger.last_observed_at = run.observed_at
        notes = []
        if run.quarantined:
            notes.append(f"{run.quarantined} suspect change(s) quarantined (aiprices review list)")
        if run.confirmed:
            notes.append(f"{run.confirmed} quarantined change(s) confirmed and applied")
        if notes:
            run.warnings = "; ".join([*([run.warnings] if run.warnings else []), *notes])
    batch.runs.append(run)


def _dedupe_guard(row: dict) -> dict:
    if not isinstance(row["price"], Decimal):
        raise TypeError(f"price of {row['source_model_key']} {row['price_key']} is not a Decimal")
    return row


def already_loaded(con, run: RunRecord) -> bool:
    """The same source, observation time and content were loaded before (a replay is a no-op)."""
    if run.content_sha256 is None:
        (n,) = con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run.run_id]).fetchone()
        return n > 0
    (n,) = con.execute(
        "SELECT count(*) FROM runs WHERE run_id = ? OR (source = ? AND observed_at = ? AND content_sha256 = ?)",
        [run.run_id, run.source, run.observed_at, run.content_sha256],
    ).fetchone()
    return n > 0


def load_snapshot(con, run: RunRecord, rows: Iterable[dict]) -> LoadResult:
    """Load one source's snapshot in one transaction. Idempotent; refuses out-of-order snapshots."""
    if already_loaded(con, run):
        return LoadResult(run.run_id, skipped=True, message="already loaded", status=run.status)
    rows = list(rows)
    if not run.items:
        run.items = len(rows)
    page_guards(con, run)
    ledger = Ledger.from_db(con, run.source)
    batch = Batch()
    apply_snapshot(ledger, batch, run, rows)
    flush(con, batch)
    return LoadResult(
        run.run_id,
        run.added,
        run.changed,
        run.removed,
        status=run.status,
        quarantined=run.quarantined,
        confirmed=run.confirmed,
    )


def record_run(con, run: RunRecord) -> LoadResult:
    """Record a run without prices (a failed source): nothing is retired."""
    run.status = "failed" if run.status == "ok" else run.status
    if already_loaded(con, run):
        return LoadResult(run.run_id, skipped=True, message="already recorded", status=run.status)
    flush(con, Batch(runs=[run]))
    return LoadResult(run.run_id, status=run.status)


_INTERVAL_COLUMNS = (
    "price_id",
    *IDENTITY_COLUMNS,
    "currency",
    "price",
    "source_url",
    "source_field",
    "inferred_rule",
    "valid_from",
    "valid_to",
    "run_id",
    "retired_run_id",
)
_CHANGE_COLUMNS = (
    "run_id",
    "changed_at",
    "price_id",
    *IDENTITY_COLUMNS,
    "currency",
    "old_price",
    "new_price",
    "kind",
    "flag",
    "source_field",
    "source_url",
)
_QUARANTINE_COLUMNS = (
    "run_id",
    "observed_at",
    "price_id",
    *IDENTITY_COLUMNS,
    "currency",
    "old_price",
    "price",
    "source_url",
    "source_field",
    "inferred_rule",
    "status",
)
_RESOLUTION_COLUMNS = ("run_id", "price_id", "status", "decided_at", "decided_by")
_RUN_COLUMNS = (
    "run_id",
    "source",
    "kind",
    "observed_at",
    "started_at",
    "finished_at",
    "status",
    "pages",
    "items",
    "rejected",
    "added",
    "changed",
    "removed",
    "error",
    "warnings",
    "source_url",
    "content_sha256",
    "page_kind",
    "rows_seen",
    "rows_priced",
)
_TYPES = {
    "context_min_tokens": pa.int64(),
    "price": _DECIMAL,
    "old_price": _DECIMAL,
    "new_price": _DECIMAL,
    "valid_from": _TS,
    "valid_to": _TS,
    "changed_at": _TS,
    "observed_at": _TS,
    "started_at": _TS,
    "finished_at": _TS,
    "decided_at": _TS,
    "pages": pa.int32(),
    "items": pa.int32(),
    "rejected": pa.int32(),
    "added": pa.int32(),
    "changed": pa.int32(),
    "removed": pa.int32(),
    "rows_seen": pa.int32(),
    "rows_priced": pa.int32(),
}


def _arrow(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    schema = pa.schema([(c, _TYPES.get(c, pa.string())) for c in columns])
    return pa.table({c: pa.array([r.get(c) for r in rows], type=schema.field(c).type) for c in columns}, schema=schema)


def flush(con, batch: Batch, before_commit: Callable[[], None] | None = None) -> None:
    """Write a batch in one transaction; a crash before COMMIT leaves the warehouse as it was.

    ``before_commit`` runs inside the transaction after every write (the fault-injection tests kill the
    process there to prove the point).
    """
    runs = _arrow([vars(r) for r in batch.runs], _RUN_COLUMNS)
    intervals = _arrow(batch.new_intervals, _INTERVAL_COLUMNS)
    changes = _arrow(batch.changes, _CHANGE_COLUMNS)
    retire = pa.table(
        {
            "price_id": pa.array([p for p, _, _ in batch.retire_db], pa.string()),
            "valid_to": pa.array([t for _, t, _ in batch.retire_db], _TS),
            "retired_run_id": pa.array([r for _, _, r in batch.retire_db], pa.string()),
        }
    )
    held = _arrow(batch.quarantined, _QUARANTINE_COLUMNS)
    decided = _arrow(batch.resolutions, _RESOLUTION_COLUMNS)
    temps = ("_runs_in", "_intervals_in", "_changes_in", "_retire_in", "_held_in", "_decided_in")
    with transaction(con):
        for name, table in zip(temps, (runs, intervals, changes, retire, held, decided), strict=True):
            con.register(name, table)
        try:
            con.execute("INSERT INTO runs BY NAME SELECT * FROM _runs_in")
            if batch.retire_db:
                con.execute(
                    "UPDATE price_intervals AS h SET valid_to = r.valid_to, retired_run_id = r.retired_run_id "
                    "FROM _retire_in AS r WHERE h.price_id = r.price_id AND h.valid_to IS NULL"
                )
            if batch.new_intervals:
                con.execute("INSERT INTO price_intervals BY NAME SELECT * FROM _intervals_in")
            if batch.changes:
                con.execute("INSERT INTO changes BY NAME SELECT * FROM _changes_in")
            if batch.quarantined:
                con.execute(
                    "INSERT INTO quarantine BY NAME SELECT c.change_id, q.* FROM _held_in AS q "
                    "JOIN changes AS c ON c.run_id = q.run_id AND c.price_id = q.price_id AND c.kind = 'changed'"
                )
            if batch.resolutions:
                resolve_held(con, "_decided_in")
            if before_commit is not None:
                before_commit()
        finally:
            for name in temps:
                con.unregister(name)
    for cur in batch.opened:
        cur.in_db, cur.interval = True, None
    batch.opened.clear()
    batch.runs.clear()
    batch.new_intervals.clear()
    batch.retire_db.clear()
    batch.changes.clear()
    batch.quarantined.clear()
    batch.resolutions.clear()
