"""The one load path: every producer's staged runs go through ``load_run`` / ``load_runs``.

A crawled source, a replay, a reparse, a registry copy and each copy of a backfill are loaded the same way:
refuse a run older than what is loaded, skip one already loaded, apply the item-count guard, diff it against
the source's ledger (quarantining suspect vendor-page changes), write intervals, retirements and changelog
rows set-based (Arrow -> ``INSERT ... SELECT``) and cross-check page prices against the registry, all in one
transaction per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

import pyarrow as pa

from .catalogue import record_names
from .connection import transaction
from .contract import (
    COUNT,
    IDENTITY_COLUMNS,
    MONEY,
    PRICE_COLUMNS,
    PRICE_ROW,
    RUN_COLUMNS,
    RUN_ROW,
    TEXT,
    TIME,
    ColumnType,
)
from .crosscheck import REFERENCE_SOURCE, write_crosschecks_many
from .digests import DigestUpdate, write_digests
from .guards import PageRun, page_of, resolve_held, supersede_holds
from .ledger import Batch, Ledger
from .run_steps import apply_claims, claims_of, count_items, hold_prices, hold_record, judge
from .sliced import RunSlices, apply_sliced
from .staging import SLICE_KEYS, RunRecord, StagedRun


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
    warnings: str | None = None  # the run's, including the guards' notes
    crosschecks: dict[str, int] = field(default_factory=dict)  # count per status (page sources only)


def load_run(con, staged: StagedRun, check: bool = True) -> LoadResult:
    """Load one staged run in one transaction. Idempotent; refuses a run older than what is loaded. With
    ``check`` false a page run is left for a later ``record_pending_crosschecks`` (a crawl checks its sources
    together)."""
    return load_runs(con, [staged], check=check)[0]


def load_runs(con, runs: Iterable[StagedRun], slice_keys: int = SLICE_KEYS, check: bool = True) -> list[LoadResult]:
    """Load staged runs in order, in one transaction: all of them, or (on a refusal or error) none.

    ``runs`` may be a generator: a backfill hands copies over one at a time and only the pending writes
    are held in memory; a run given in slices is written slice by slice (``slice_keys`` keys at a time).
    Page runs are cross-checked in the same transaction unless ``check`` is false.
    """
    loaded = _Loaded(con)
    ledgers: dict[str, Ledger] = {}
    batch = Batch()
    results: list[LoadResult] = []
    write = _Writer(con, check)
    with transaction(con):
        for staged in runs:
            run = staged.run
            if loaded.has(run):
                results.append(LoadResult(run.run_id, skipped=True, message="already loaded", status=run.status))
                continue
            if run.source not in ledgers:
                ledgers[run.source] = Ledger.from_db(con, run.source)
            apply_run(ledgers[run.source], batch, staged, write, slice_keys)
            loaded.add(run)
            results.append(_result(run))
        if batch:
            write(batch, final=True)
    checks = write.checks
    for res in results:
        res.crosschecks = checks.get(res.run_id, {})
    return results


def _result(run: RunRecord) -> LoadResult:
    return LoadResult(
        run.run_id,
        run.added,
        run.changed,
        run.removed,
        status=run.status,
        quarantined=run.quarantined,
        confirmed=run.confirmed,
        warnings=run.warnings,
    )


@dataclass
class _Loaded:
    """Runs already in the warehouse (or earlier in this call): a replay of the same input is a no-op.

    A run newer than every stored run of its source (each run of a backfill, of a daily crawl) can match only by
    its id: those are checked against the stored run ids, read once per call (one column of one small table).
    An older run is asked for by id and content, run by run.
    """

    con: object
    run_ids: set[str] = field(default_factory=set)
    contents: set[tuple] = field(default_factory=set)  # (source, observed_at, content_sha256)
    newest: dict[str, datetime | None] = field(default_factory=dict)  # per source: its newest stored run
    stored_ids: set[str] | None = None

    def has(self, run: RunRecord) -> bool:
        if run.run_id in self.run_ids or (run.source, run.observed_at, run.content_sha256) in self.contents:
            return True
        if run.source not in self.newest:
            (self.newest[run.source],) = self.con.execute(
                "SELECT max(observed_at) FROM runs WHERE source = ?", [run.source]
            ).fetchone()
        newest = self.newest[run.source]
        if newest is None or run.observed_at > newest:
            if self.stored_ids is None:
                self.stored_ids = {run_id for (run_id,) in self.con.execute("SELECT run_id FROM runs").fetchall()}
            return run.run_id in self.stored_ids
        (n,) = self.con.execute(
            "SELECT count(*) FROM runs WHERE run_id = ? OR (source = ? AND observed_at = ? AND content_sha256 = ?)",
            [run.run_id, run.source, run.observed_at, run.content_sha256],
        ).fetchone()
        return n > 0

    def add(self, run: RunRecord) -> None:
        self.run_ids.add(run.run_id)
        if run.content_sha256 is not None:
            self.contents.add((run.source, run.observed_at, run.content_sha256))


def loaded_snapshots(con, source: str, since: datetime | None = None) -> set[tuple]:
    """``(observed_at, content_sha256)`` of the source's loaded runs (observed at or after ``since``):
    ``load_runs`` would skip them, so a producer need not read them again."""
    query, params = "SELECT observed_at, content_sha256 FROM runs WHERE source = ?", [source]
    if since is not None:
        query, params = query + " AND observed_at >= ?", [*params, since]
    return set(con.execute(query, params).fetchall())


def apply_run(
    ledger: Ledger, batch: Batch, staged: StagedRun, write: Callable[[Batch], None] | None = None,
    slice_keys: int = SLICE_KEYS,
) -> None:  # fmt: skip
    """Diff one run into ``batch``. A failed run is only recorded; only an ``ok`` run retires prices.

    A run given in slices (``StagedRun.slices``), or one that must apply what an earlier sliced run deferred, is
    diffed slice by slice (``sliced.apply_sliced``, ``slice_keys`` keys at a time): ``write`` then writes the batch
    inside the load's transaction as it goes.
    """
    run = staged.run
    if run.status != "failed":
        ledger.check_order(run)
        if staged.slices is None and not isinstance(ledger.deferred, RunSlices):
            claims = _apply_whole(ledger, batch, staged)
        elif write is None:
            raise ValueError(f"{run.run_id}: a run loaded in slices needs a writer (load it with load_runs)")
        else:
            claims = apply_sliced(ledger, batch, staged, write, slice_keys)
        ok = run.status == "ok"
        ledger.deferred = {} if ok else claims
        ledger.last_observed_at = run.observed_at
        if ok:
            ledger.remember_ok(page_of(run.source_url, run.page_kind), PageRun(run.run_id, run.items, run.rows_seen,
                                                                               run.rows_priced))  # fmt: skip
        _note_quarantine(run)
    batch.digests.setdefault(run.source, DigestUpdate()).note(staged)
    batch.runs.append(run)


def _apply_whole(ledger: Ledger, batch: Batch, staged: StagedRun) -> dict[str, list[dict] | None]:
    """Diff a run held in memory whole; returns what it says each key it speaks for holds (None = nothing).

    A complete run speaks for every key (absent = nothing); an incremental run for its keys and its removed
    keys, after what an earlier partial run said (applied now, since that run retired nothing).
    """
    run = staged.run
    if staged.complete:
        ledger.load()
    claims = dict.fromkeys(ledger.by_key) if staged.complete else dict(ledger.deferred)
    claims.update(claims_of(staged.removed_keys, staged.rows))
    ledger.load(claims)
    # A complete run retires only in the currencies it publishes (a page switching language withdraws none).
    retired_in = frozenset(row["currency"] for row in staged.rows) or None if staged.complete else None
    plan = ledger.plan(claims, run.observed_at, staged.kept, retired_in)
    count_items(run, staged.complete, plan.items, len(staged.rows))
    if judge(ledger, batch, run, plan.effect):
        hold_prices(batch, run, plan.upserts, plan.retired)
        return claims
    apply_claims(ledger, batch, run, claims, retired_in, staged.kept)
    if run.status != "ok" and plan.retired:
        hold_record(batch, run, plan.effect, run.error or "partial run", whole=False)
        hold_prices(batch, run, [], plan.retired)
    return claims


def _note_quarantine(run: RunRecord) -> None:
    notes = []
    if run.quarantined:
        notes.append(f"{run.quarantined} suspect change(s) quarantined (aiprices review list)")
    if run.confirmed:
        notes.append(f"{run.confirmed} quarantined change(s) confirmed and applied")
    if notes:
        run.warnings = "; ".join([*([run.warnings] if run.warnings else []), *notes])


# Columns the loader writes per internal table, in the contract's types (tests/test_contract.py compares them
# with the migrated tables).
_LEDGER_TYPES: dict[str, ColumnType] = {
    "price_id": TEXT,  # md5 of the identity columns
    "valid_from": TIME,
    "valid_to": TIME,
    "run_id": TEXT,
    "retired_run_id": TEXT,
    "changed_at": TIME,
    "old_price": MONEY,
    "new_price": MONEY,
    "kind": TEXT,
    "flag": TEXT,
    "observed_at": TIME,
    "status": TEXT,
    "decided_at": TIME,
    "decided_by": TEXT,
    "held": TEXT,
    "reason": TEXT,
    "current_prices": COUNT,
    "would_add": COUNT,
    "would_change": COUNT,
    "would_retire": COUNT,
    "action": TEXT,
}
_TYPES: dict[str, pa.DataType] = {
    name: t.arrow for name, t in (*((c.name, c.type) for c in (*PRICE_ROW, *RUN_ROW)), *_LEDGER_TYPES.items())
}
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "runs": RUN_COLUMNS,
    "price_intervals": ("price_id", *PRICE_COLUMNS, "valid_from", "valid_to", "run_id", "retired_run_id"),
    "changes": (
        "run_id",
        "changed_at",
        "price_id",
        *IDENTITY_COLUMNS,
        "old_price",
        "new_price",
        "kind",
        "flag",
        "source_field",
        "source_url",
    ),
    "quarantine": ("run_id", "observed_at", "price_id", *PRICE_COLUMNS, "old_price", "status"),
    "run_holds": (
        "run_id",
        "source",
        "observed_at",
        "held",
        "reason",
        "current_prices",
        "would_add",
        "would_change",
        "would_retire",
        "status",
    ),
    "run_hold_prices": ("run_id", "action", "price_id", *PRICE_COLUMNS),
}
_RESOLUTION_COLUMNS = ("run_id", "price_id", "status", "decided_at", "decided_by")


def arrow_schema(columns: tuple[str, ...]) -> pa.Schema:
    """The Arrow schema the loader hands DuckDB for these columns."""
    return pa.schema([(c, _TYPES[c]) for c in columns])


def _arrow(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    schema = arrow_schema(columns)
    return pa.table(
        {c: pa.array(list(map(itemgetter(c), rows)), type=schema.field(c).type) for c in columns}, schema=schema
    )


def flush(con, batch: Batch, before_commit: Callable[[], None] | None = None) -> dict[str, dict[str, int]]:
    """Write a batch and its cross-checks in one transaction; a crash before COMMIT leaves the warehouse as it
    was. Returns the cross-check counts per run id (every run of a page source that loaded prices).

    ``before_commit`` runs inside the transaction after every write (the fault-injection tests kill the
    process there to prove the point).
    """
    with transaction(con):
        checks = write_batch(con, batch)
        if before_commit is not None:
            before_commit()
    _written(batch)
    return checks


# DuckDB writes an insert of a whole row group (this many rows) or more to the file at once, even inside a
# transaction; smaller inserts wait in memory until the commit. A sliced run's rows are inserted in such blocks.
ROW_GROUP_ROWS = 122_880


class _Writer:
    """Writes a load's batch inside its transaction, as often as a sliced run asks; keeps the cross-check counts.

    A ``buffered`` write keeps the batch's intervals and changelog rows (as Arrow) until a row group's worth has
    gathered, any other write inserts them first. The entry digests wait for the ``final`` write: what they become
    depends on every run of the load (a run that is not ``ok`` drops them for the runs after it too).
    """

    def __init__(self, con, check: bool = True):
        self.con, self.check = con, check
        self.checks: dict[str, dict[str, int]] = {}
        self._kept: dict[str, list[pa.Table]] = {"price_intervals": [], "changes": []}

    def __call__(self, batch: Batch, buffered: bool = False, final: bool = False) -> None:
        if buffered and not batch.quarantined:  # (a quarantine row is joined to its changelog row)
            self._keep("price_intervals", batch.new_intervals)
            self._keep("changes", batch.changes)
        else:
            self._insert()
        self.checks.update(write_batch(self.con, batch, digests=final, check=self.check))
        _written(batch, digests=final)
        if max(sum(t.num_rows for t in kept) for kept in self._kept.values()) >= ROW_GROUP_ROWS:
            self._insert()

    def _keep(self, table: str, rows: list[dict]) -> None:
        if rows:
            self._kept[table].append(_arrow(rows, TABLE_COLUMNS[table]))
            rows.clear()

    def _insert(self) -> None:
        for table, kept in self._kept.items():
            if kept:
                # Read by its name (DuckDB's replacement scan): unlike ``register``, that does not keep the
                # table alive until the commit.
                rows = pa.concat_tables(kept)  # noqa: F841
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")
                kept.clear()


def _written(batch: Batch, digests: bool = True) -> None:
    """Empty ``batch`` once written (but its ``digests`` unless written too); its opened intervals are stored."""
    for cur in batch.opened:
        cur.in_db, cur.interval = True, None
    batch.opened.clear()
    batch.runs.clear()
    batch.new_intervals.clear()
    batch.retire_db.clear()
    batch.replanned.clear()
    batch.changes.clear()
    batch.quarantined.clear()
    batch.resolutions.clear()
    if digests:
        batch.digests.clear()
    batch.holds.clear()
    batch.hold_prices.clear()


def write_batch(con, batch: Batch, digests: bool = True, check: bool = True) -> dict[str, dict[str, int]]:
    """Write a batch inside the caller's transaction: its runs, intervals, retirements (and stated ends), the
    changes re-planned prices redo, changelog, quarantine and held runs (and, unless ``digests`` is false, its
    entry digests), then (unless ``check`` is false) the cross-checks of its page runs, all in one query; a held
    run's earlier holds are superseded."""
    checks: dict[str, dict[str, int]] = {}
    tables = {
        "_runs_in": _arrow([vars(r) for r in batch.runs], TABLE_COLUMNS["runs"]),
        "_intervals_in": _arrow(batch.new_intervals, TABLE_COLUMNS["price_intervals"]),
        "_changes_in": _arrow(batch.changes, TABLE_COLUMNS["changes"]),
        "_retire_in": _arrow(
            [
                {"price_id": p, "valid_from": f, "valid_to": t, "retired_run_id": r}
                for (p, f), (t, r) in batch.retire_db.items()
            ],
            ("price_id", "valid_from", "valid_to", "retired_run_id"),
        ),
        "_replanned_in": _arrow(
            [{"price_id": p, "changed_at": t} for p, t in batch.replanned.items()], ("price_id", "changed_at")
        ),
        "_held_in": _arrow(batch.quarantined, TABLE_COLUMNS["quarantine"]),
        "_decided_in": _arrow(batch.resolutions, _RESOLUTION_COLUMNS),
        "_holds_in": _arrow(batch.holds, TABLE_COLUMNS["run_holds"]),
        "_hold_prices_in": _arrow(batch.hold_prices, TABLE_COLUMNS["run_hold_prices"]),
    }
    tables = {name: table for name, table in tables.items() if table.num_rows}  # each registration costs ~1 ms
    for name, table in tables.items():
        con.register(name, table)
    try:
        if batch.runs:
            con.execute("INSERT INTO runs BY NAME SELECT * FROM _runs_in")
        if batch.retire_db:
            con.execute(
                "UPDATE price_intervals AS h SET valid_to = r.valid_to, retired_run_id = r.retired_run_id "
                "FROM _retire_in AS r WHERE h.price_id = r.price_id AND h.valid_from = r.valid_from "
                "AND h.retired_run_id IS NULL"
            )
        if batch.replanned:  # changes a re-planned price had scheduled further ahead are redone
            con.execute(
                "DELETE FROM changes AS c USING _replanned_in AS r "
                "WHERE c.price_id = r.price_id AND c.changed_at > r.changed_at"
            )
        if batch.new_intervals:
            con.execute("INSERT INTO price_intervals BY NAME SELECT * FROM _intervals_in")
            record_names(con, "_intervals_in")
        if batch.changes:
            con.execute("INSERT INTO changes BY NAME SELECT * FROM _changes_in")
        if batch.quarantined:
            con.execute(
                "INSERT INTO quarantine BY NAME SELECT c.change_id, q.* FROM _held_in AS q "
                "JOIN changes AS c ON c.run_id = q.run_id AND c.price_id = q.price_id AND c.kind = 'changed'"
            )
        if batch.resolutions:
            resolve_held(con, "_decided_in")
        if digests:
            write_digests(con, batch.digests)
        if batch.holds:
            con.execute("INSERT INTO run_holds BY NAME SELECT * FROM _holds_in")
        if batch.hold_prices:  # (a sliced run's come slice by slice, after its ``run_holds`` row)
            con.execute("INSERT INTO run_hold_prices BY NAME SELECT * FROM _hold_prices_in")
        if batch.runs:
            supersede_holds(con)
        if check:
            held = {h["run_id"] for h in batch.holds if h["held"] == "run"}
            page_runs = [
                run.run_id
                for run in batch.runs
                if run.source != REFERENCE_SOURCE and run.status != "failed" and run.run_id not in held
            ]
            if page_runs:
                checks = write_crosschecks_many(con, page_runs)
    finally:
        for name in tables:
            con.unregister(name)
    return checks
