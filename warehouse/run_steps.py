"""The steps of applying one run, shared by a run loaded whole (``load.apply_run``) and one loaded slice by slice
(``sliced.apply_sliced``): its claims, its item count, the guards' verdict, the held prices, the diff key by key.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .contract import IDENTITY_DEFAULTS, SCHEDULE_COLUMNS
from .contract import price_id as row_price_id
from .guards import Effect, hold_guards, page_guards, page_of
from .ledger import Batch, Ledger, apply_key
from .staging import RunRecord

# Row columns added to the contract later, with what a row staged before them means.
_LATER_COLUMNS = {**IDENTITY_DEFAULTS, **dict.fromkeys(SCHEDULE_COLUMNS)}


def claims_of(keys: Iterable[str], rows: list[dict]) -> dict[str, list[dict] | None]:
    """What ``keys`` and the keys of ``rows`` now hold: each key's rows, None for a key without rows."""
    claims: dict[str, list[dict] | None] = dict.fromkeys(keys)
    by_key: dict[str, list[dict]] = {}
    for row in rows:
        if not isinstance(row["price"], Decimal):
            raise TypeError(f"price of {row['source_model_key']} {row['price_key']} is not a Decimal")
        for name, default in _LATER_COLUMNS.items():  # a row staged before the column existed
            row.setdefault(name, default)
        by_key.setdefault(row["source_model_key"], []).append(row)
    claims.update(by_key)
    return claims


def count_items(run: RunRecord, complete: bool, after: int, rows: int) -> None:
    """The run's item count: for an incremental run the prices its source holds ``after`` it, for a complete
    run the ``rows`` it lists (unless its producer counted them)."""
    if not complete:
        run.items = after
    elif not run.items:
        run.items = rows


def judge(ledger: Ledger, batch: Batch, run: RunRecord, effect: Effect) -> bool:
    """Whether a hold guard holds ``run`` whole (then recorded as held); else the page guards may make it partial.

    The hold guards judge the run as read: one that would retire half its source is held whole even when the page
    guards would only have made it partial (a partial run's changes are applied).
    """
    reason = hold_guards(run, effect, ledger.last_observed_at)
    if reason is None:
        page_guards(run, ledger.last_ok.get(page_of(run.source_url, run.page_kind)))
        return False
    hold_record(batch, run, effect, reason, whole=True)
    return True


def hold_record(batch: Batch, run: RunRecord, effect: Effect, reason: str, whole: bool) -> None:
    """Record that ``run`` is kept for review: the whole run (a guard held it: nothing applied, the run is
    ``partial``) or only its retirements (a partial run's additions and changes are applied)."""
    if whole:
        note = f"{reason}: held for review, nothing applied (aiprices review accept-run {run.run_id})"
        run.status = "partial"
        run.warnings = f"{run.warnings}; {note}" if run.warnings else note
        run.error = f"{run.error}; {note}" if run.error else note
    batch.holds.append(
        {
            "run_id": run.run_id, "source": run.source, "observed_at": run.observed_at,
            "held": "run" if whole else "retirements", "reason": reason, "current_prices": effect.current,
            "would_add": effect.added if whole else 0, "would_change": effect.changed if whole else 0,
            "would_retire": effect.retired, "status": "pending",
        }
    )  # fmt: skip


def hold_prices(batch: Batch, run: RunRecord, upserts: list[dict], retired: list) -> None:
    """Keep what a held run would set (``upserts``) and retire (``retired``, live intervals) for review."""
    batch.hold_prices += [{**row, "run_id": run.run_id, "action": "set", "price_id": row_price_id(row)}
                          for row in upserts]  # fmt: skip
    batch.hold_prices += [{**cur.row, "run_id": run.run_id, "action": "retire", "price_id": cur.pid}
                          for cur in retired]  # fmt: skip


def apply_claims(
    ledger: Ledger,
    batch: Batch,
    run: RunRecord,
    claims: dict[str, list[dict] | None],
    retired_in: frozenset[str] | None,
    kept: frozenset[tuple],
) -> None:
    """Diff each claimed key into ``batch``, in key order; a run that is not ``ok`` retires nothing."""
    ok = run.status == "ok"
    for key in sorted(claims):
        if ok or claims[key] is not None:
            apply_key(ledger, batch, run, key, claims[key], retire_missing=ok, retired_in=retired_in, kept=kept)
