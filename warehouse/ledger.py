"""The SCD2 diff in memory: a source's current prices, and the intervals and changelog rows a run implies.

A *ledger* holds the current prices of one source, keyed by the source's own model key. A run is diffed
against it key by key (only the keys a run touches need to be looked at, which keeps multi-year backfills
cheap, and only those are read from the warehouse for an incremental run); the resulting writes collect in a
``Batch`` that ``load.flush`` writes in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter

from .contract import IDENTITY_COLUMNS, PRICE_COLUMNS
from .contract import price_id as row_price_id
from .digests import DigestUpdate
from .errors import LoadRefused
from .guards import Effect, PageRun, page_of
from .staging import RunRecord

SUSPECT_RATIO = Decimal(10)
# A live interval: open, or ending at a date the page stated that is still ahead of the source's newest run
# (never retired by a run). Parameter: that run's observation time.
_LIVE = "(valid_to IS NULL OR (retired_run_id IS NULL AND valid_to > valid_from AND valid_to > ?))"
# Sources whose suspect changes apply at once (flagged): the registry's history is a community file's
# history, and its corrections are real events. Every other source (a vendor page) is quarantined.
UNGUARDED_SOURCES = frozenset({"litellm"})


def price_id(ident: tuple) -> str:
    """Stable surrogate key of an identity tuple (``contract.price_id``)."""
    return row_price_id(dict(zip(IDENTITY_COLUMNS, ident, strict=True)))


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
    """A live interval of one price, in memory: in effect now, or scheduled by the page to start later."""

    pid: str
    row: dict
    valid_from: datetime
    in_db: bool  # opened by an earlier, committed batch
    interval: dict | None = None  # the pending interval row while not yet in the database
    valid_to: datetime | None = None  # a stated end (the page's "through ..."), else None while live


def _value(row: dict) -> tuple:
    return (row["price"], row.get("inferred_rule"))


@dataclass
class _Pending:
    """A quarantined change waiting for the next crawl (or a reviewer) to confirm it."""

    run_id: str
    price_id: str
    observed_at: datetime
    value: tuple


class Ledger:
    """Live prices of one source: ``{source_model_key: {identity: [_Current, ...]}}`` (by ``valid_from``: the one
    in effect, then those the page scheduled).

    ``quarantine``: suspect changes (10x or more, to/from zero) are held back instead of applied;
    ``pending`` holds those still waiting, by price id. ``last_ok`` holds the newest ``ok`` run per page (the
    page guards compare with it; key None: of any page); ``deferred`` is what a ``partial`` run said each key
    holds, for the next ``ok`` run to apply (a partial run retires nothing): a dict, or the slices of a run loaded
    in slices (``sliced.RunSlices``, read again when needed).
    """

    def __init__(self, source: str, quarantine: bool | None = None):
        self.source = source
        self.by_key: dict[str, dict[tuple, list[_Current]]] = {}
        self.last_observed_at: datetime | None = None
        self.last_ok: dict[tuple[str, str] | None, PageRun] = {}
        self.quarantine = source not in UNGUARDED_SOURCES if quarantine is None else quarantine
        self.pending: dict[str, _Pending] = {}
        self.deferred: dict[str, list[dict] | None] | Iterable = {}
        self.count = 0  # open intervals (current prices) of the source, in memory or not
        self._con = None  # where the keys not in memory are read from; None: every key is in memory
        self._db = None  # the warehouse this ledger was read from (None: a ledger of memory only)
        self._read: set[str] = set()  # keys read from (or first written by) this ledger: never read again

    @classmethod
    def from_db(cls, con, source: str) -> Ledger:
        """The source's ledger; its current prices are read per key when a run needs them (``load``)."""
        ledger = cls(source)
        ledger._con = ledger._db = con
        (ledger.last_observed_at,) = con.execute(
            "SELECT max(observed_at) FROM runs WHERE source = ? AND status IN ('ok', 'partial')", [source]
        ).fetchone()
        (ledger.count,) = con.execute(
            f"SELECT count(DISTINCT price_id) FROM price_intervals WHERE source = ? AND {_LIVE}",
            [source, ledger.last_observed_at],
        ).fetchone()
        for url, page_kind, *last in con.execute(  # the newest ok run of each page, not the source's history
            "SELECT source_url, page_kind, run_id, items, rows_seen, rows_priced FROM runs "
            "WHERE source = ? AND status = 'ok' "
            "QUALIFY row_number() OVER (PARTITION BY source_url, page_kind ORDER BY observed_at DESC) = 1 "
            "ORDER BY observed_at",
            [source],
        ).fetchall():
            ledger.remember_ok(page_of(url, page_kind), PageRun(*last))
        if ledger.quarantine:
            for run_id, pid, observed_at, price, rule in con.execute(
                "SELECT run_id, price_id, observed_at, price, inferred_rule FROM quarantine "
                "WHERE source = ? AND status = 'pending'",
                [source],
            ).fetchall():
                ledger.pending[pid] = _Pending(run_id, pid, observed_at, (price, rule))
        return ledger

    def plan(
        self,
        claims: dict[str, list[dict] | None],
        now: datetime,
        kept: frozenset[tuple] = frozenset(),
        retired_in: frozenset[str] | None = None,
    ) -> Plan:
        """What ``claims`` (key -> its rows, None = none) would do at ``now``, applied to nothing yet: the guards
        judge it, and a held run keeps it for review. A row is an upsert unless a live interval of its identity
        already says it (``_agrees``); a missing price is retired as ``apply_key`` would (``_retires``)."""
        live = {key: _live_by_identity(idents, now) for key, idents in self.by_key.items()}
        # Every key in memory: count what is live now; else the source's count kept since it was read.
        plan = Plan(sum(map(len, live.values())) if self._con is None else self.count)
        for key, rows in claims.items():
            current = live.get(key, {})
            listed: set[tuple] = set()
            for row in rows or ():
                if _expired(row, now):
                    continue
                ident = _identity(row)
                curs = current.get(ident, [])
                if not any(_agrees(cur, row, now) for cur in curs):
                    plan.upserts.append(row)
                    plan.added += not curs and ident not in listed
                listed.add(ident)
            plan.retired.extend(
                curs[0] for ident, curs in current.items() if ident not in listed and _retires(ident, kept, retired_in)
            )
        return plan

    def held_claim(self, key: str, rows: list[dict], retire: set[str], now: datetime) -> list[dict] | None:
        """What ``key`` holds once a held run's ``rows`` are set and its ``retire`` (price ids) retired: the live
        intervals of every other price (with their stated dates), the held rows in place of their identity's."""
        held = {
            ident: [cur.row for cur in curs]
            for ident, curs in _live_by_identity(self.by_key.get(key, {}), now).items()
            if curs[0].pid not in retire
        }
        for ident in {_identity(row) for row in rows}:
            held[ident] = [row for row in rows if _identity(row) == ident]
        return [row for planned in held.values() for row in planned] or None

    def remember_ok(self, page: tuple[str, str] | None, last: PageRun) -> None:
        """A run of ``page`` loaded ``ok``: later runs of that page (and of the source) are compared with it."""
        self.last_ok[None] = self.last_ok[page] = last

    def load(self, keys: Iterable[str] | None = None) -> None:
        """Read the live prices of ``keys`` (None: of every key) not in memory yet from the warehouse."""
        if self._con is None:
            return
        names = ("price_id", *PRICE_COLUMNS, "valid_from", "valid_to")
        query = f"SELECT {', '.join(names)} FROM price_intervals WHERE source = ? AND {_LIVE}"
        params: list = [self.source, self.last_observed_at]
        if keys is None:
            self._con, con = None, self._con
        else:
            wanted = [key for key in keys if key not in self._read]
            if not wanted:
                return
            self._read.update(wanted)
            query += " AND source_model_key IN (SELECT unnest(?))"
            params.append(wanted)
            con = self._con
        for values in con.execute(query + " ORDER BY valid_from", params).fetchall():
            rec = dict(zip(names, values, strict=True))
            if keys is None and rec["source_model_key"] in self._read:
                continue  # in memory already, maybe changed since
            ident = _identity(rec)
            cur = _Current(rec.pop("price_id"), rec, rec.pop("valid_from"), in_db=True, valid_to=rec.pop("valid_to"))
            self.by_key.setdefault(rec["source_model_key"], {}).setdefault(ident, []).append(cur)

    def forget(self, keys: Iterable[str] | None = None) -> None:
        """Drop the live prices of ``keys`` (None: of every key) from memory, to be read again when needed: a run
        too large to hold (``load_sliced``) reads its keys slice by slice, once the warehouse holds every write
        made to them (inside the load's transaction)."""
        if keys is None:
            self.by_key, self._read, self._con = {}, set(), self._db
            return
        for key in keys:
            self.by_key.pop(key, None)
            self._read.discard(key)

    def live_keys(self) -> set[str]:
        """The keys that hold a live price in the warehouse (what ``load()`` would read)."""
        query = f"SELECT DISTINCT source_model_key FROM price_intervals WHERE source = ? AND {_LIVE}"
        return {key for (key,) in self._db.execute(query, [self.source, self.last_observed_at]).fetchall()}

    def live_count(self, now: datetime) -> int:
        """The prices live at ``now`` in the warehouse (as ``plan`` counts them with every key in memory)."""
        query = (
            f"SELECT count(DISTINCT price_id) FROM price_intervals WHERE source = ? AND {_LIVE} "
            "AND (valid_to IS NULL OR valid_to > ?)"
        )
        (count,) = self._db.execute(query, [self.source, self.last_observed_at, now]).fetchone()
        return count

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
    # (price_id, valid_from) -> (valid_to, run that retired it or None for a stated end), for stored intervals
    retire_db: dict[tuple[str, datetime], tuple[datetime, str | None]] = field(default_factory=dict)
    replanned: dict[str, datetime] = field(default_factory=dict)  # price_id -> its future changes are redone
    changes: list[dict] = field(default_factory=list)
    opened: list[_Current] = field(default_factory=list)  # become in_db once flushed
    quarantined: list[dict] = field(default_factory=list)  # held-back values (rows of ``quarantine``)
    resolutions: list[dict] = field(default_factory=list)  # pending quarantines decided by a crawl
    digests: dict[str, DigestUpdate] = field(default_factory=dict)  # per source: its entry digests
    holds: list[dict] = field(default_factory=list)  # runs held for review (rows of ``run_holds``)
    hold_prices: list[dict] = field(default_factory=list)  # what they would set or retire

    def __bool__(self) -> bool:
        return bool(self.runs)


_identity = itemgetter(*IDENTITY_COLUMNS)  # row -> its identity tuple


def _change(
    run: RunRecord, pid: str, row: dict, old, new, kind: str, flag: str | None = None, at: datetime | None = None
) -> dict:
    """A changelog row; ``at``: when the change takes effect (a date the page stated), else the run."""
    rec = dict(zip(IDENTITY_COLUMNS, _identity(row), strict=True))
    rec.update(
        run_id=run.run_id,
        changed_at=at or run.observed_at,
        price_id=pid,
        old_price=old,
        new_price=new,
        kind=kind,
        flag=flag or (suspect_flag(old, new) if kind == "changed" else None),
        source_field=row.get("source_field"),
        source_url=row.get("source_url"),
    )
    return rec


def _open(
    batch: Batch, run: RunRecord, row: dict, pid: str, at: _Pending | None = None, starts: datetime | None = None
) -> _Current:
    """Open an interval as of ``run`` (or, for a confirmed quarantine, as of its first sighting ``at``; or at
    the later start the page states, ``starts``). A stated end closes it in advance."""
    when, by = (at.observed_at, at.run_id) if at else (starts or run.observed_at, run.run_id)
    ends = row.get("effective_to")
    interval = dict(row)
    interval.update(price_id=pid, valid_from=when, valid_to=ends, run_id=by, retired_run_id=None)
    batch.new_intervals.append(interval)
    cur = _Current(pid, row, when, in_db=False, interval=interval, valid_to=ends)
    batch.opened.append(cur)
    return cur


def _end(batch: Batch, cur: _Current, when: datetime, by: str | None) -> None:
    """Set the end of a live interval: retired by run ``by``, or (``by`` None) the end the page now states."""
    cur.valid_to = when
    if cur.in_db:
        batch.retire_db[(cur.pid, cur.valid_from)] = (when, by)
    else:
        cur.interval["valid_to"] = when
        cur.interval["retired_run_id"] = by


def _close(batch: Batch, run: RunRecord, cur: _Current, at: _Pending | None = None) -> None:
    when, by = (at.observed_at, at.run_id) if at else (run.observed_at, run.run_id)
    _end(batch, cur, when, by)


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
    retired_in: frozenset[str] | None = None,
    kept: frozenset[tuple] = frozenset(),
) -> None:
    """Diff the rows of one source model key (None = the key vanished) into ``batch``.

    A price the page does not date is diffed as before (one interval in effect, quarantine for suspect
    moves); one whose page states dates, or whose stored intervals carry them, is re-planned (``_replan``).
    A missing price is retired only when ``_retires`` says so: not when its identity is in ``kept`` (its new
    value was unreadable: it keeps its current value), nor, with ``retired_in``, in a currency outside it (a run
    retires only in the currencies it publishes: a page switching language is not a withdrawal).
    """
    now = run.observed_at
    current = _live_by_identity(ledger.by_key.get(key, {}), now)
    plans: dict[tuple, list[dict]] = {}
    for row in rows or ():
        if not _expired(row, now):
            plans.setdefault(_identity(row), []).append(row)
    seen: dict[tuple, list[_Current]] = {}
    for ident, planned in plans.items():
        stored = current.get(ident, [])
        if len(planned) == 1 and not _dated(planned[0], now) and not any(_scheduled(c, now) for c in stored):
            seen[ident] = _apply_undated(ledger, batch, run, ident, stored[0] if stored else None, planned[0])
        else:
            seen[ident] = _replan(ledger, batch, run, ident, stored, planned)
    for ident, curs in current.items():
        if ident in seen:
            continue
        if retire_missing and _retires(ident, kept, retired_in):
            for cur in curs:
                _resolve(ledger, batch, run, cur.pid, "superseded")
            _replan(ledger, batch, run, ident, curs, [])
        else:
            seen[ident] = curs
    ledger.count += len(seen) - len(current)
    if seen:
        ledger.by_key[key] = seen
    else:
        ledger.by_key.pop(key, None)


_CURRENCY = IDENTITY_COLUMNS.index("currency")


def _live(curs: list[_Current], now: datetime) -> list[_Current]:
    return [c for c in curs if c.valid_to is None or c.valid_to > now]


def _live_by_identity(idents: dict[tuple, list[_Current]], now: datetime) -> dict[tuple, list[_Current]]:
    """The identities of one key that still have a live interval at ``now``, with those intervals."""
    return {ident: live for ident, curs in idents.items() if (live := _live(curs, now))}


def _expired(row: dict, now: datetime) -> bool:
    """The page states an end already past: an expired price is no offer."""
    return row.get("effective_to") is not None and row["effective_to"] <= now


def _retires(ident: tuple, kept: frozenset[tuple], retired_in: frozenset[str] | None) -> bool:
    """Whether a complete run that does not list price ``ident`` retires it (see ``apply_key``)."""
    return ident not in kept and (retired_in is None or ident[_CURRENCY] in retired_in)


def _dated(row: dict, now: datetime) -> bool:
    """The page dates this price: it ends at a stated time, or starts later than ``now``."""
    starts = row.get("effective_from")
    return row.get("effective_to") is not None or (starts is not None and starts > now)


def _scheduled(cur: _Current, now: datetime) -> bool:
    """A stored interval with dates: a stated end, or a start still ahead."""
    return cur.valid_to is not None or cur.valid_from > now


def _apply_undated(
    ledger: Ledger, batch: Batch, run: RunRecord, ident: tuple, cur: _Current | None, row: dict
) -> list[_Current]:
    """One undated price against its interval in effect (None: a new price)."""
    if cur is None:
        pid = price_id(ident)
        batch.changes.append(_change(run, pid, row, None, row["price"], "added"))
        run.added += 1
        return [_open(batch, run, row, pid)]
    if _value(cur.row) == _value(row):
        _resolve(ledger, batch, run, cur.pid, "superseded")  # the page shows the old value again
        return [cur]
    suspect = ledger.quarantine and suspect_flag(cur.row["price"], row["price"]) is not None
    pending = ledger.pending.get(cur.pid)
    if suspect and pending and pending.value == _value(row) and pending.observed_at > cur.valid_from:
        # The next crawl shows the held-back value again: apply it as of its first sighting.
        _resolve(ledger, batch, run, cur.pid, "confirmed")
        _close(batch, run, cur, at=pending)
        run.confirmed += 1
        return [_open(batch, run, row, cur.pid, at=pending)]
    if suspect:
        _hold(ledger, batch, run, cur, row)
        return [cur]
    _resolve(ledger, batch, run, cur.pid, "superseded")
    _close(batch, run, cur)
    batch.changes.append(_change(run, cur.pid, row, cur.row["price"], row["price"], "changed"))
    run.changed += 1
    return [_open(batch, run, row, cur.pid)]


def _plan_start(row: dict, now: datetime) -> datetime | None:
    """When a planned price starts: a stated future start, else None (now, or already)."""
    starts = row.get("effective_from")
    return starts if starts is not None and starts > now else None


def _replan(
    ledger: Ledger, batch: Batch, run: RunRecord, ident: tuple, stored: list[_Current], planned: list[dict]
) -> list[_Current]:
    """Make a price's live intervals follow the page's plan (``planned`` rows, each with its stated dates;
    empty: the price is gone). Intervals that agree with the plan are kept (a changed stated end is moved in
    place); from the first disagreement on, the one in effect ends when its replacement starts (now if none
    is scheduled) and scheduled ones that never started are withdrawn (they end where they begin). The
    price's changes still ahead are written again from the new plan, dated when they take effect."""
    now = run.observed_at
    planned = _handed_over(sorted(planned, key=lambda r: _plan_start(r, now) or now), now)
    kept: list[_Current] = []
    moved = False
    for cur, row in zip(stored, planned, strict=False):
        if not _agrees(cur, row, now):
            break
        if cur.valid_to != row.get("effective_to"):
            _end(batch, cur, row.get("effective_to"), None)
            moved = True
        kept.append(cur)
    k = len(kept)
    pid = stored[0].pid if stored else price_id(ident)
    if k == len(stored) == len(planned):
        if moved:
            _rechange(batch, run, pid, kept)
        return kept
    _resolve(ledger, batch, run, pid, "superseded")
    handover = _plan_start(planned[k], now) if k < len(planned) else None
    ended: list[_Current] = []
    for cur in stored[k:]:
        if cur.valid_from <= now:
            ends = handover or now
            _end(batch, cur, min(ends, cur.valid_to) if cur.valid_to else ends, run.run_id)
            ended.append(cur)
        else:
            _end(batch, cur, cur.valid_from, run.run_id)  # withdrawn before it began
    opened = []
    for row in planned[k:]:
        if opened and _plan_start(row, now) is None:
            continue  # a second undated price of one identity: the first one stands
        opened.append(_open(batch, run, row, pid, starts=_plan_start(row, now)))
    _rechange(batch, run, pid, ended + kept + opened)
    return kept + opened


def _handed_over(planned: list[dict], now: datetime) -> list[dict]:
    """Planned prices in start order, each ending no later than the next one starts: a page listing today's
    price and one "starting March 10" means today's ends on March 10, so one price is in effect at any time."""
    out = list(planned)
    for i in range(len(out) - 1):
        nxt = _plan_start(out[i + 1], now)
        end = out[i].get("effective_to")
        if nxt is not None and (end is None or end > nxt):
            out[i] = {**out[i], "effective_to": nxt}
    return out


def _agrees(cur: _Current, row: dict, now: datetime) -> bool:
    """A live interval is what the planned row says: same value, and the same start still ahead (or both in
    effect already). Its end may differ: that is moved in place."""
    started = cur.valid_from if cur.valid_from > now else None
    return _value(cur.row) == _value(row) and started == _plan_start(row, now)


def _rechange(batch: Batch, run: RunRecord, pid: str, curs: list[_Current]) -> None:
    """The changelog rows of one re-planned price from now on: at every instant its price starts or ends,
    ``added`` / ``changed`` / ``removed``; rows it had further ahead are dropped first (``Batch.replanned``)."""
    now = run.observed_at
    batch.replanned.setdefault(pid, now)  # the earliest run of the batch that re-planned it
    batch.changes[:] = [c for c in batch.changes if c["price_id"] != pid or c["changed_at"] <= now]
    spans = [c for c in curs if c.valid_to is None or c.valid_to > c.valid_from]
    instants = sorted(
        {c.valid_from for c in spans if c.valid_from >= now}
        | {c.valid_to for c in spans if c.valid_to is not None and c.valid_to >= now}
    )
    for at in instants:
        before = next((c for c in spans if c.valid_to == at), None)
        after = next((c for c in spans if c.valid_from == at), None)
        if before is not None and after is not None and _value(before.row) == _value(after.row):
            continue
        old, new = (before.row["price"] if before else None), (after.row["price"] if after else None)
        kind = "changed" if before and after else "added" if after else "removed"
        batch.changes.append(_change(run, pid, (after or before).row, old, new, kind, at=at))
        if at == now:
            setattr(run, kind, getattr(run, kind) + 1)
