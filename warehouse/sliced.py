"""A run too large to hold at once (a huge registry copy), diffed slice by slice inside the load's one transaction.

The guards judge a run by counts (the prices it would add, change and retire), so a sliced run is read twice.
First each slice is planned against the live prices of its keys, read from the warehouse and dropped again: only
the counts are kept. Then, unless a guard holds the run, each slice is applied, written and dropped. Memory holds
one slice's rows and prices at a time whatever the size of the run, and what is written is what the run loaded
whole writes (the same diff, key by key; only the order of the changelog's ids follows the slices).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice

from .guards import Effect
from .ledger import Batch, Ledger
from .run_steps import apply_claims, claims_of, count_items, hold_prices, hold_record, judge
from .staging import Slice, StagedRun

Claims = dict[str, list[dict] | None]  # key -> its rows, None: it holds nothing now
_Part = tuple[Claims, frozenset[tuple]]  # a slice's claims and its kept identities


class RunSlices:
    """Every key a run speaks for, slice by slice: its own slices, then the keys it speaks for without listing
    them (for a complete run every other key its source holds, now holding nothing; for an incremental run what
    an earlier partial run said of the keys it does not list). The same each time it is iterated."""

    def __init__(self, own: Callable[[], Iterable[Slice]], unlisted: Callable[[set[str]], Iterable[_Part]]):
        self._own, self._unlisted = own, unlisted

    def __iter__(self) -> Iterator[_Part]:
        listed: set[str] = set()
        for piece in self._own():
            claims = claims_of(piece.keys, piece.rows)
            listed.update(claims)
            yield claims, piece.kept
            del piece, claims  # (not held while the next slice is made: one slice in memory at a time)
        yield from self._unlisted(listed)


def apply_sliced(ledger: Ledger, batch: Batch, staged: StagedRun, write: Callable[..., None], size: int) -> RunSlices:
    """Diff ``staged`` slice by slice: judged on its counts first, then applied (or, held, kept for review) and
    written slice by slice (``write(batch, buffered=True)``: its new rows may wait for the next slices', never
    read back). Returns its slices: what it says each key holds, for a run that is not ``ok`` to defer.
    """
    run, now = staged.run, staged.run.observed_at
    write(batch)  # the warehouse holds every earlier write of the load: any key can be read back from it
    ledger.forget()
    slices = RunSlices(_own(staged), _unlisted(ledger, staged.complete, size))
    effect, rows, retired_in = _counted(ledger, slices, now, staged.complete)
    count_items(run, staged.complete, effect.current + effect.added - effect.retired, rows)
    held = judge(ledger, batch, run, effect)
    ok = run.status == "ok"
    if not held and not ok and effect.retired:
        hold_record(batch, run, effect, run.error or "partial run", whole=False)
    for claims, kept in slices:
        ledger.load(claims)
        if held or not ok:
            plan = ledger.plan(claims, now, kept, retired_in)
            hold_prices(batch, run, plan.upserts if held else [], plan.retired)
            del plan
        if not held:
            apply_claims(ledger, batch, run, claims, retired_in, kept)
        write(batch, buffered=True)
        ledger.forget(claims)
        del claims, kept  # (not held while the next slice is made)
    write(batch)  # every row in the warehouse: the runs after this one read their keys from it
    return slices


def _own(staged: StagedRun) -> Callable[[], Iterable[Slice]]:
    """The run's own slices: its producer's, or its rows and removed keys as one slice."""
    if staged.slices is not None:
        return staged.slices
    return lambda: [Slice(list(staged.removed_keys), staged.rows, staged.kept)]


def _unlisted(ledger: Ledger, complete: bool, size: int) -> Callable[[set[str]], Iterable[_Part]]:
    """The keys a run speaks for beyond those it lists (``RunSlices``), ``size`` at a time."""
    if complete:
        held = sorted(ledger.live_keys())  # read once, before anything of the run is applied
        return lambda listed: _chunks(((key, None) for key in held if key not in listed), size)
    deferred = ledger.deferred
    if isinstance(deferred, RunSlices):
        return lambda listed: (
            ({k: v for k, v in claims.items() if k not in listed}, frozenset()) for claims, _ in deferred
        )
    return lambda listed: _chunks(((k, v) for k, v in deferred.items() if k not in listed), size)


def _chunks(pairs: Iterable[tuple[str, list[dict] | None]], size: int) -> Iterator[_Part]:
    pairs = iter(pairs)
    while chunk := dict(islice(pairs, size)):
        yield chunk, frozenset()


def _counted(
    ledger: Ledger, slices: RunSlices, now: datetime, complete: bool
) -> tuple[Effect, int, frozenset[str] | None]:
    """What the run would do, counted slice by slice before anything is applied: its effect, the rows it lists
    and (a complete run) the currencies it publishes, the only ones it retires prices in."""
    current = ledger.live_count(now) if complete else ledger.count
    added = upserts = rows = 0
    retired: Counter[str] = Counter()
    currencies: set[str] = set()
    for claims, kept in slices:
        ledger.load(claims)
        plan = ledger.plan(claims, now, kept)
        ledger.forget(claims)
        added += plan.added
        upserts += len(plan.upserts)
        retired.update(cur.row["currency"] for cur in plan.retired)
        rows += sum(len(listed or ()) for listed in claims.values())
        currencies.update(row["currency"] for listed in claims.values() for row in listed or ())
        del claims, kept, plan  # (not held while the next slice is made)
    retired_in = frozenset(currencies) or None if complete else None
    gone = sum(n for currency, n in retired.items() if retired_in is None or currency in retired_in)
    return Effect(current, added, upserts - added, gone), rows, retired_in
