"""Runs held for review (``aiprices review list | accept-run | reject-run``).

A guard holds a run whole when it would retire half or more of its source's prices or floods it with items;
a partial run holds back its retirements. What each would still set or retire waits in ``run_hold_prices``.
Accepting applies it as of the run's observation through the ledger, exactly as an ``ok`` load would have
(changelog, quarantine of suspect vendor-page moves, cross-checks), and the run becomes ``ok``. Rejecting
keeps the prices as they are and records the decision. Only the newest run of a source can be pending: a
later run that loaded supersedes it (``guards.supersede_holds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .connection import transaction
from .contract import PRICE_COLUMNS, price_id
from .crosscheck import REFERENCE_SOURCE, write_crosschecks
from .guards import ReviewError
from .ledger import Batch, Ledger, apply_key
from .load import write_batch
from .staging import RunRecord


@dataclass
class HeldRun:
    """One held run as ``review list`` shows it."""

    run_id: str
    source: str
    kind: str
    observed_at: datetime
    held: str  # run | retirements
    reason: str
    current_prices: int
    would_add: int
    would_change: int
    would_retire: int
    status: str
    decided_by: str | None


def list_held_runs(con, include_decided: bool = False) -> list[HeldRun]:
    """Held runs, oldest first (only those still pending unless ``include_decided``)."""
    where = "" if include_decided else "WHERE status = 'pending'"
    rows = con.execute(
        "SELECT run_id, source, kind, observed_at, held, reason, current_prices, would_add, would_change, "
        f"would_retire, status, decided_by FROM held_runs {where} ORDER BY observed_at, run_id"
    ).fetchall()
    return [HeldRun(*r) for r in rows]


def _pending(con, run_id: str) -> HeldRun:
    found = [h for h in list_held_runs(con, include_decided=True) if h.run_id == run_id]
    if not found:
        known = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if known is None:
            raise ReviewError(f"no such run: {run_id} (see `aiprices runs` or `aiprices review list`)")
        raise ReviewError(f"run {run_id} is not held (it loaded {known[0]}); nothing to decide")
    held = found[0]
    if held.status != "pending":
        by = f" by {held.decided_by}" if held.decided_by else ""
        raise ReviewError(f"run {run_id} was already decided: {held.status}{by}")
    return held


def _run_record(con, run_id: str) -> RunRecord:
    run_id, source, kind, observed_at, started_at = con.execute(
        "SELECT run_id, source, kind, observed_at, started_at FROM runs WHERE run_id = ?", [run_id]
    ).fetchone()
    return RunRecord(run_id, source, kind, observed_at, started_at)


def _held_prices(con, run_id: str) -> tuple[dict[str, list[dict]], set[str]]:
    """``(rows to set by source model key, price ids to retire)`` of a held run."""
    names = ("action", "price_id", *PRICE_COLUMNS)
    rows = con.execute(
        f"SELECT {', '.join(names)} FROM run_hold_prices WHERE run_id = ? ORDER BY source_model_key, price_id",
        [run_id],
    ).fetchall()
    sets: dict[str, list[dict]] = {}
    retire: set[str] = set()
    for values in rows:
        rec = dict(zip(names, values, strict=True))
        action = rec.pop("action")
        del rec["price_id"]  # as held; a migration may have given the price another id since
        if action == "retire":
            retire.add(price_id(rec))
            sets.setdefault(rec["source_model_key"], [])
        else:
            sets.setdefault(rec["source_model_key"], []).append(rec)
    return sets, retire


def accept_run(con, run_id: str, note: str | None = None) -> RunRecord:
    """Apply what a held run would still do, as of its observation; the run becomes ``ok``. Returns the run
    with the counts applied now."""
    with transaction(con):
        held = _pending(con, run_id)
        run = _run_record(con, run_id)
        ledger = Ledger.from_db(con, run.source)
        sets, retire = _held_prices(con, run_id)
        ledger.load(sets)
        batch = Batch()
        for key in sorted(sets):
            apply_key(ledger, batch, run, key, ledger.held_claim(key, sets[key], retire, run.observed_at))
        write_batch(con, batch)
        now = datetime.now(UTC)
        con.execute(
            "UPDATE runs SET status = 'ok', error = NULL, added = added + ?, changed = changed + ?, "
            "removed = removed + ?, warnings = concat_ws('; ', warnings, ?) WHERE run_id = ?",
            [run.added, run.changed, run.removed, f"accepted by review on {now:%Y-%m-%d} (held: {held.reason})",
             run_id],
        )  # fmt: skip
        _decide(con, run_id, "accepted", now, note)
        if run.source != REFERENCE_SOURCE:
            write_crosschecks(con, run_id)
    return run


def reject_run(con, run_id: str, note: str | None = None) -> HeldRun:
    """Keep the prices as they are: the held run stays ``partial`` and its held changes are dropped."""
    with transaction(con):
        held = _pending(con, run_id)
        _decide(con, run_id, "rejected", datetime.now(UTC), note)
    return held


def _decide(con, run_id: str, status: str, now: datetime, note: str | None) -> None:
    con.execute(
        "UPDATE run_holds SET status = ?, decided_at = ?, decided_by = 'review', note = ? WHERE run_id = ?",
        [status, now, note, run_id],
    )
    con.execute("DELETE FROM run_hold_prices WHERE run_id = ?", [run_id])
