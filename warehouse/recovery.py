"""Recovering a warehouse whose write-ahead log DuckDB refuses to replay on open (used by ``aiprices doctor``).

DuckDB 1.5 replays some catalog changes only when a default database is set, which is not the case while it
opens the file itself (``GetDefaultDatabase with no default database set``). Attached from an in-memory
database, the same log replays: every committed transaction is kept, then a checkpoint folds it into the file.
If even that fails (a damaged log), the file is opened at its last checkpoint and the log is kept aside.
Either way the file and its log as they were are copied first, so nothing is ever lost to the recovery.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .open_errors import first_line


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def recover_wal(path: Path) -> str:
    """Make ``path`` openable again; return a one-line account of what was done and where the copies are."""
    wal = wal_of(path)
    backup = path.with_name(f"{path.name}.before-recovery-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    shutil.copy2(path, backup)
    shutil.copy2(wal, wal_of(backup))
    kept = f"the file and its log as they were are kept as {backup} and {wal_of(backup).name}"
    try:
        _replay_attached(path)
    except duckdb.Error as exc:
        os.remove(wal)
        return (
            f"recovered {path} to its last checkpoint: its write-ahead log ({wal_of(backup).stat().st_size} bytes) "
            f"cannot be replayed even when attached ({first_line(exc)}), so the transactions committed after "
            f"{_newest_run(path)} are not in it: load them again; {kept}"
        )
    return (
        f"recovered {path}: DuckDB could not replay its write-ahead log on open; it was replayed through ATTACH "
        f"and checkpointed, every committed transaction kept; {kept}"
    )


def _replay_attached(path: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute(f"ATTACH '{_sql_string(path)}' AS recovering")
        con.execute("CHECKPOINT recovering")
        con.execute("DETACH recovering")
    finally:
        con.close()


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def _newest_run(path: Path) -> str:
    """``the newest run it holds (<run id>, observed <time>)``, as the checkpointed file tells."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        row = con.execute("SELECT run_id, observed_at FROM runs ORDER BY observed_at DESC, run_id LIMIT 1").fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    return f"the newest run it holds ({row[0]}, observed {row[1]:%Y-%m-%d %H:%M} UTC)" if row else "its creation"


def damage_advice(path: Path, detail: str) -> str:
    """What to do about a file DuckDB cannot read: there is nothing to repair in place."""
    return (
        f"warehouse {path} is damaged ({detail}): DuckDB cannot read it, so it cannot be repaired in place; "
        f"move it aside, then restore a backup copy or rebuild a new warehouse (aiprices backfill litellm, "
        f"then crawls); the raw pages stay in {path.parent / 'archive'}"
    )
