"""Guards against bad data: the page guards (item count, coverage), quarantine decisions, and corrections.

A crawl that suddenly finds far fewer prices, or reads a clearly smaller share of its page's priced rows,
is more likely a broken page than a mass withdrawal, and a vendor-page price that moves 10x is more likely a
parser reading the wrong unit than a real change. Both are recorded but must not silently reprice anything:
the first retires nothing, the second waits in ``quarantine`` until the next crawl confirms it or a reviewer
decides (``aiprices review``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .connection import transaction
from .errors import WarehouseError

DROP_FRACTION = Decimal("0.5")  # fewer than half the items of the page's last good run -> partial
COVERAGE_DROP = Decimal("0.1")  # coverage more than 10 points below the page's last good run -> partial
RETIRE_FRACTION = Decimal("0.5")  # retiring this share of the source's current prices or more -> held
FLOOD_FACTOR = 5  # listing this many times the prices the source holds or more -> held
FLOOD_WINDOW = timedelta(days=31)  # ... within this long of the source's newest load
MIN_HELD = 10  # fewer prices retired (or listed) than this is too small a change to hold a run for
APPLIED_FLAG = "suspect_magnitude"  # a held-back change once applied (confirmed or accepted)
DROPPED_FLAG = "rejected"  # a held-back change never applied (rejected or superseded)


class ReviewError(WarehouseError):
    """A review action named a change that does not exist or cannot take that action."""


@dataclass
class PageRun:
    """What the guards compare a run with: the last ``ok`` run of the same page."""

    run_id: str
    items: int
    rows_seen: int | None = None
    rows_priced: int | None = None


def page_of(source_url: str | None, page_kind: str | None) -> tuple[str, str] | None:
    """The page a run read: its source URL and page kind. A source read from two pages (a docs twin and a
    card page, a full page and an excerpt) is compared page by page. None for a run that reads no page (a
    registry copy, a run recorded before pages were): compared with the source's last ``ok`` run."""
    return None if page_kind is None else (source_url or "", page_kind)


def coverage(rows_seen: int | None, rows_priced: int | None) -> Decimal | None:
    """Share of a page's priced-looking rows that gave a price (None without an audit)."""
    if not rows_seen or rows_priced is None:
        return None
    return (Decimal(rows_priced) / Decimal(rows_seen)).quantize(Decimal("0.0001"))


def item_count_guard(run, last: PageRun) -> str | None:
    """Why ``run`` is partial when its items fell by more than half against the page's last good run."""
    if last.items and Decimal(run.items) < Decimal(last.items) * DROP_FRACTION:
        return f"item count fell from {last.items} (run {last.run_id}) to {run.items}, more than half"
    return None


def coverage_guard(run, last: PageRun) -> str | None:
    """Why ``run`` is partial when it read clearly less of its page than the page's last good run did,
    even with an item count that looks fine."""
    now, before = coverage(run.rows_seen, run.rows_priced), coverage(last.rows_seen, last.rows_priced)
    if now is not None and before is not None and now < before - COVERAGE_DROP:
        return f"coverage fell from {before:.1%} (run {last.run_id}) to {now:.1%} of the page's priced rows"
    return None


def page_guards(run, last: PageRun | None) -> None:
    """Mark ``run`` partial (it then retires nothing) when a guard finds it read clearly less of its page
    than ``last``, the last ``ok`` run of that page; a run already failed or partial is left as it is."""
    if run.status != "ok" or last is None:
        return
    reasons = [r for r in (item_count_guard(run, last), coverage_guard(run, last)) if r]
    if reasons:
        run.status = "partial"
        note = f"{'; '.join(reasons)}: loaded as partial, nothing retired"
        run.warnings = f"{run.warnings}; {note}" if run.warnings else note
        run.error = run.error or note  # the reason a partial run is partial, where users look for it


@dataclass(frozen=True)
class Effect:
    """What a run would do to its source's current prices, counted before anything is applied."""

    current: int  # prices the source holds before the run
    added: int
    changed: int
    retired: int


def mass_retirement_guard(effect: Effect) -> str | None:
    """Why a run that would retire half or more of its source's current prices is held, else None.

    A page that suddenly lists other models (a wrong table, a placeholder page) or a registry copy holding a
    handful of entries retires almost everything while its item count looks normal; a real withdrawal of half
    a catalogue is rare enough to ask a reviewer.
    """
    if effect.retired >= MIN_HELD and Decimal(effect.retired) >= Decimal(effect.current) * RETIRE_FRACTION:
        return (
            f"would retire {effect.retired:,} of the source's {effect.current:,} current prices "
            f"({effect.retired / effect.current:.0%}, half or more)"
        )
    return None


def flood_guard(items: int, effect: Effect, elapsed: timedelta | None) -> str | None:
    """Why a run listing ``FLOOD_FACTOR`` times the prices its source holds is held, else None.

    Only against a recent load (``elapsed`` since the source's newest, at most ``FLOOD_WINDOW``): a catalogue
    may well grow that much over months (LiteLLM's registry grew 9x from 2023-10 to 2024-11), not in days.
    """
    if not effect.current or elapsed is None or elapsed > FLOOD_WINDOW:
        return None
    if items >= MIN_HELD and items >= effect.current * FLOOD_FACTOR:
        return f"lists {items:,} prices, {items / effect.current:.0f}x the {effect.current:,} the source holds"
    return None


def hold_guards(run, effect: Effect, last_observed_at: datetime | None) -> str | None:
    """Why ``run`` is held whole (nothing of it applied until a reviewer accepts it), or None.

    A flood is held whatever the run's status (its additions would be the harm); a mass retirement only for
    an ``ok`` run, since a partial run retires nothing anyway.
    """
    if run.status == "failed":
        return None
    elapsed = None if last_observed_at is None else run.observed_at - last_observed_at
    reasons = [flood_guard(run.items, effect, elapsed)]
    if run.status == "ok":
        reasons.append(mass_retirement_guard(effect))
    found = [r for r in reasons if r]
    return "; ".join(found) if found else None


def resolve_held(con, table: str) -> None:
    """Apply decisions ``(run_id, price_id, status, decided_at, decided_by)`` from a registered table.

    Updates the quarantine rows still pending and the flag of their changelog rows; runs inside the
    caller's transaction.
    """
    con.execute(
        f"UPDATE quarantine AS q SET status = d.status, decided_at = d.decided_at, decided_by = d.decided_by "
        f"FROM {table} AS d WHERE q.run_id = d.run_id AND q.price_id = d.price_id AND q.status = 'pending'"
    )
    con.execute(
        f"UPDATE changes AS c SET flag = CASE WHEN d.status IN ('confirmed', 'accepted') "
        f"THEN '{APPLIED_FLAG}' ELSE '{DROPPED_FLAG}' END "
        f"FROM {table} AS d WHERE c.run_id = d.run_id AND c.price_id = d.price_id AND c.kind = 'changed'"
    )


def supersede_holds(con) -> None:
    """Close every pending held run that a later run of its source (one that loaded, ok or partial) replaced:
    the later run already says what the source holds, so the older one can no longer be accepted. Its held
    prices are dropped (the ``run_holds`` row stays, as the record). Runs inside the caller's transaction."""
    con.execute(
        """
        UPDATE run_holds AS h SET status = 'superseded', decided_at = s.observed_at, decided_by = s.run_id
        FROM (
            SELECT p.run_id AS held_run, arg_min(r.run_id, r.observed_at) AS run_id, min(r.observed_at) AS observed_at
            FROM run_holds AS p JOIN runs AS r ON r.source = p.source AND r.observed_at > p.observed_at
            WHERE p.status = 'pending' AND r.status <> 'failed'
            GROUP BY p.run_id
        ) AS s
        WHERE h.run_id = s.held_run
        """
    )
    con.execute("DELETE FROM run_hold_prices WHERE run_id IN (SELECT run_id FROM run_holds WHERE status <> 'pending')")


@dataclass
class Held:
    """One quarantined change as ``review list`` shows it."""

    change_id: int
    changed_on: str
    source: str
    model: str
    source_model_key: str
    price_key: str
    unit: str
    service_tier: str
    currency: str
    old_price: Decimal | None
    new_price: Decimal
    status: str


def list_held(con, include_decided: bool = False) -> list[Held]:
    """Quarantined changes, oldest first (only those still pending unless ``include_decided``)."""
    where = "" if include_decided else "WHERE status = 'pending'"
    rows = con.execute(
        "SELECT change_id, CAST(changed_on AS VARCHAR), source, model, source_model_key, price_key, unit, "
        f"service_tier, currency, old_price, new_price, status FROM quarantined_changes {where} "
        "ORDER BY change_id"
    ).fetchall()
    return [Held(*r) for r in rows]


def _held(con, change_id: int) -> dict:
    cols = [d[0] for d in con.execute("SELECT * FROM quarantine LIMIT 0").description]
    rows = con.execute("SELECT * FROM quarantine WHERE change_id = ?", [change_id]).fetchall()
    if not rows:
        if con.execute("SELECT 1 FROM changes WHERE change_id = ?", [change_id]).fetchone() is None:
            raise ReviewError(f"no such change: {change_id} (see `aiprices review list` or price_changes)")
        raise ReviewError(f"change {change_id} is not quarantined (see `aiprices review list`)")
    rec = dict(zip(cols, rows[0], strict=True))
    if rec["status"] != "pending":
        raise ReviewError(f"change {change_id} was already decided: {rec['status']} by {rec['decided_by']}")
    return rec


def _decide(con, rec: dict, status: str, note: str | None) -> None:
    now = datetime.now(UTC)
    con.execute(
        "UPDATE quarantine SET status = ?, decided_at = ?, decided_by = 'review', note = ? WHERE change_id = ?",
        [status, now, note, rec["change_id"]],
    )
    flag = APPLIED_FLAG if status == "accepted" else DROPPED_FLAG
    con.execute("UPDATE changes SET flag = ? WHERE change_id = ?", [flag, rec["change_id"]])


def accept(con, change_id: int, note: str | None = None) -> dict:
    """Apply a quarantined change as of its first sighting: close the old interval, open the new one."""
    with transaction(con):
        rec = _held(con, change_id)
        current = con.execute(
            "SELECT price, valid_from FROM price_intervals WHERE price_id = ? AND valid_to IS NULL",
            [rec["price_id"]],
        ).fetchall()
        if not current or current[0][0] != rec["old_price"] or current[0][1] >= rec["observed_at"]:
            raise ReviewError(
                f"change {change_id} no longer applies: the price moved since (reject it, or wait for the next crawl)"
            )
        con.execute(
            "UPDATE price_intervals SET valid_to = ?, retired_run_id = ? WHERE price_id = ? AND valid_to IS NULL",
            [rec["observed_at"], rec["run_id"], rec["price_id"]],
        )
        con.execute(
            "INSERT INTO price_intervals BY NAME SELECT price_id, source, vendor, model, source_model_key, "
            "price_key, unit, service_tier, context_min_tokens, region, variant, currency, time_window, price, "
            "effective_from, effective_to, source_url, source_field, inferred_rule, observed_at AS valid_from, "
            "NULL AS valid_to, run_id, "
            "NULL AS retired_run_id FROM quarantine WHERE change_id = ?",
            [change_id],
        )
        _decide(con, rec, "accepted", note)
    return rec


def reject(con, change_id: int, note: str | None = None) -> dict:
    """Drop a quarantined change: the history keeps the old price; the changelog row stays, flagged."""
    with transaction(con):
        rec = _held(con, change_id)
        _decide(con, rec, "rejected", note)
    return rec


def correct(con, change_id: int, note: str | None = None) -> dict:
    """Mark a change as a correction: the old value was wrong, so the interval that ended at the change
    reads the new value for every reader of ``price_history``; the original stays in ``corrections``."""
    with transaction(con):
        rows = con.execute(
            "SELECT price_id, changed_at, old_price, new_price, kind, flag FROM changes WHERE change_id = ?",
            [change_id],
        ).fetchall()
        if not rows:
            raise ReviewError(f"no change {change_id} (see the change_id column of price_changes)")
        pid, changed_at, old, new, kind, flag = rows[0]
        if kind != "changed" or flag in ("quarantined", DROPPED_FLAG, "correction"):
            why = f"a {kind} row" if kind != "changed" else f"flagged {flag}"
            raise ReviewError(f"change {change_id} cannot be marked a correction: it is {why}")
        interval = con.execute(
            "SELECT valid_from, price FROM price_intervals WHERE price_id = ? AND valid_to = ?",
            [pid, changed_at],
        ).fetchall()
        if not interval:
            raise ReviewError(f"change {change_id}: no interval of that price ends at {changed_at:%Y-%m-%d}")
        valid_from, original = interval[0]
        con.execute(
            "INSERT INTO corrections (change_id, price_id, valid_from, original_price, corrected_price, "
            "corrected_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [change_id, pid, valid_from, original, new, datetime.now(UTC), note],
        )
        con.execute("UPDATE changes SET flag = 'correction' WHERE change_id = ?", [change_id])
    return {
        "change_id": change_id,
        "price_id": pid,
        "valid_from": valid_from,
        "original_price": original,
        "corrected_price": new,
        "old_price": old,
    }
