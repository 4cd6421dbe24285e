"""Entry digests: a digest of the text each key of a source was last read from, kept with the warehouse so that
a new process reading the source's next copy can skip every entry whose text did not change.

A producer that reads a source incrementally (the LiteLLM registry reader) hands the loader, with each staged
run, the digest of each key it read (``StagedRun.entry_digests``); the loader keeps them in ``entry_digests``, in
the run's transaction, and the producer's next process starts from them. They stand for the ledger only while
every run of the source carried them and was applied whole, so a run without digests, or one that is not ``ok``
(a partial run retires nothing), drops the source's digests: its next read is complete again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

_GONE = object()  # a key that vanished: its digest is deleted


@dataclass
class DigestUpdate:
    """What one source's digests become once a batch is written."""

    replace: bool = False  # delete every stored digest of the source first
    valid: bool = True  # False: the source keeps no digests (after ``replace``)
    keys: dict[str, object] = field(default_factory=dict)  # key -> digest (or None: read again), or _GONE

    def note(self, staged) -> None:
        """Account for one staged run of the source, as the loader applied it."""
        run, digests = staged.run, staged.entry_digests
        if run.status == "failed":  # nothing applied
            return
        if digests is None or run.status != "ok":
            self.replace, self.valid, self.keys = True, False, {}
            return
        if staged.complete:
            self.replace, self.valid, self.keys = True, True, {}
        if self.valid:
            self.keys.update(dict.fromkeys(staged.removed_keys, _GONE))
            self.keys.update(digests)


def stored_digests(con, source: str) -> dict[str, str | None]:
    """``{key: digest}`` of the source as of its newest loaded run (empty: none kept, read everything)."""
    return dict(con.execute("SELECT source_model_key, digest FROM entry_digests WHERE source = ?", [source]).fetchall())


def write_digests(con, updates: dict[str, DigestUpdate]) -> None:
    """Apply ``updates`` (source -> its update) inside the caller's transaction."""
    cleared = [source for source, update in updates.items() if update.replace]
    if cleared:
        con.execute("DELETE FROM entry_digests WHERE list_contains(?, source)", [cleared])
    touched = [(s, k) for s, u in updates.items() if not u.replace for k in u.keys]
    written = [(s, k, d) for s, u in updates.items() if u.valid for k, d in u.keys.items() if d is not _GONE]
    if touched:
        con.register("_digests_touched", _table(touched, ("source", "source_model_key")))
        try:
            con.execute(
                "DELETE FROM entry_digests AS e USING _digests_touched AS t "
                "WHERE e.source = t.source AND e.source_model_key = t.source_model_key"
            )
        finally:
            con.unregister("_digests_touched")
    if written:
        con.register("_digests_in", _table(written, ("source", "source_model_key", "digest")))
        try:
            con.execute("INSERT INTO entry_digests BY NAME SELECT * FROM _digests_in")
        finally:
            con.unregister("_digests_in")


def _table(rows: list[tuple], names: tuple[str, ...]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.table({name: pa.array(column, type=pa.string()) for name, column in zip(names, columns, strict=True)})
