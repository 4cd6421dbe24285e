"""The SCD2 diff in memory: a source's current prices, and the intervals and changelog rows a run implies.

A *ledger* holds the current prices of one source, keyed by the source's own model key. A run is diffed
against it key by key (only the keys a run touches need to be looked at, which keeps multi-year backfills
cheap); the resulting writes collect in a ``Batch`` that ``load.flush`` writes in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter

from .contract import IDENTITY_COLUMNS, PRICE_COLUMNS
from .errors import LoadRefused
from .guards import Effect, PageRun, page_of
from .staging import RunRecord

SUSPECT_RATIO = Decimal(10)
# Sources whose suspect changes apply at once (flagged): the registry's history is a community file's
# history, and its corrections are real events. Every other source (a vendor page) is quarantined.
UNGUARDED_SOURCES = frozenset({"litellm"})


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
    ``pending`` holds those still waiting, by price id. ``last_ok`` holds the newest ``ok`` run per page (the
    page guards compare with it; key None: of any page); ``deferred`` is what a ``partial`` run said each key
    holds, for the next ``ok`` run to apply (a partial run retires nothing).
    """

    def __init__(self, source: str, quarantine: bool | None = None):
        self.source = source
        self.by_key: dict[str, dict[tuple, _Current]] = {}
        self.last_observed_at: datetime | None = None
        self.last_ok: dict[tuple[str, str] | None, PageRun] = {}
        self.quarantine = source not in UNGUARDED_SOURCES if quarantine is None else quarantine
        self.pending: dict[str, _Pending] = {}
        self.deferred: dict[str, list[dict] | None] = {}

    @classmethod
    def from_db(cls, con, source: str) -> Ledger:
        ledger = cls(source)
        names = ("price_id", *PRICE_COLUMNS, "valid_from")
        rows = con.execute(
            f"SELECT {', '.join(names)} FROM price_intervals WHERE source = ? AND valid_to IS NULL", [source]
        ).fetchall()
        for values in rows:
            rec = dict(zip(names, values, strict=True))
            ident = _identity(rec)
            cur = _Current(rec.pop("price_id"), rec, rec.pop("valid_from"), in_db=True)
            ledger.by_key.setdefault(rec["source_model_key"], {})[ident] = cur
        (ledger.last_observed_at,) = con.execute(
            "SELECT max(observed_at) FROM runs WHERE source = ? AND status IN ('ok', 'partial')", [source]
        ).fetchone()
        for url, page_kind, *last in con.execute(
            "SELECT source_url, page_kind, run_id, items, rows_seen, rows_priced FROM runs "
            "WHERE source = ? AND status = 'ok' ORDER BY observed_at",
            [source],
        ).fetchall():
            ledger.remember_ok(page_of(url, page_kind), PageRun(*last))
        if ledger.quarantine:
            for run_id, pid, observed_at, currency, price, rule in con.execute(
                "SELECT run_id, price_id, observed_at, currency, price, inferred_rule FROM quarantine "
                "WHERE source = ? AND status = 'pending'",
                [source],
            ).fetchall():
                ledger.pending[pid] = _Pending(run_id, pid, observed_at, (currency, price, rule))
        return ledger

    def plan(self, claims: dict[str, list[dict] | None], kept: frozenset[tuple] = frozenset()) -> Plan:
        """What ``claims`` (key -> its rows, None = none) would do, applied to nothing yet: the guards judge it,
        and a held run keeps it for review. A price whose identity is in ``kept`` is never retired."""
        plan = Plan(sum(map(len, self.by_key.values())))
        for key, rows in claims.items():
            current = self.by_key.get(key, {})
            listed = set()
            for row in rows or ():
                ident = _identity(row)
                listed.add(ident)
                cur = current.get(ident)
                if cur is None or _value(cur.row) != _value(row):
                    plan.upserts.append(row)
                    plan.added += cur is None
            plan.retired.extend(cur for ident, cur in current.items() if ident not in listed and ident not in kept)
        return plan

    def held_claim(self, key: str, rows: list[dict], retire: set[str]) -> list[dict] | None:
        """What ``key`` holds once a held run's ``rows`` are set and its ``retire`` (price ids) retired."""
        held = {ident: cur.row for ident, cur in self.by_key.get(key, {}).items() if cur.pid not in retire}
        held.update((_identity(row), row) for row in rows)
        return list(held.values()) or None

    def remember_ok(self, page: tuple[str, str] | None, last: PageRun) -> None:
        """A run of ``page`` loaded ``ok``: later runs of that page (and of the source) are compared with it."""
        self.last_ok[None] = self.last_ok[page] = last

    def check_order(self, run: RunRecord) -> None:
        """Refuse a run older than (or as old as) what this source already has: history only moves forward."""
        last = self.last_observed_at
        if last is not None and run.observed_at <= last:
            raise LoadRefused(
                f"{run.source}: snapshot observed {run.observed_at:%Y-%m-%d %H:%M} is not newer than the newest "
                f"loaded one ({last:%Y-%m-%d %H:%M}); out-of-order loads are refused "
                f"(load all copies, oldest first, into a fresh warehouse to rebuild its history)"
            )


@dataclass
class Plan:
    """A run's effect on its source's current prices before it is applied."""

    current: int  # prices the source holds now
    upserts: list[dict] = field(default_factory=list)  # rows that add a price or change its value
    added: int = 0  # of those, new prices
    retired: list[_Current] = field(default_factory=list)  # current prices the run would retire

    @property
    def items(self) -> int:
        """Prices the source would hold after the run."""
        return self.current + self.added - len(self.retired)

    @property
    def effect(self) -> Effect:
        return Effect(self.current, self.added, len(self.upserts) - self.added, len(self.retired))


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
    holds: list[dict] = field(default_factory=list)  # runs held for review (rows of ``run_holds``)
    hold_prices: list[dict] = field(default_factory=list)  # what they would set or retire

    def __bool__(self) -> bool:
        return bool(self.runs)


_identity = itemgetter(*IDENTITY_COLUMNS)  # row -> its identity tuple


def _change(run: RunRecord, pid: str, row: dict, old, new, kind: str, flag: str | None = None) -> dict:
    rec = dict(zip(IDENTITY_COLUMNS, _identity(row), strict=True))
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
    kept: frozenset[tuple] = frozenset(),
) -> None:
    """Diff the rows of one source model key (None = the key vanished) into ``batch``; a price whose identity
    is in ``kept`` (its new value was unreadable) keeps its current value."""
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
        if retire_missing and ident not in kept:
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
