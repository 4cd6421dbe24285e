"""Opening the warehouse: one writer or many readers, always in UTC, always migrated."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from .errors import WarehouseError, WarehouseLocked
from .migrations import migrate, outdated

LOCK_RETRY_SECONDS = 10.0


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting lock" in text


def connect(path: Path | str, read_only: bool = False, wait_seconds: float = LOCK_RETRY_SECONDS):
    """Open the DuckDB file (creating and migrating it when writable), retrying briefly on the file lock.

    DuckDB allows one read-write process or many read-only ones; a crawl holds the write lock only for its
    final short transaction, so readers wait up to ``wait_seconds`` and then say why they cannot read.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: load prices first (aiprices registry refresh)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"warehouse {path} is locked by another process (a crawl or load is writing); "
                    f"waited {wait_seconds:.0f}s, try again shortly"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        migrate(con)
    elif outdated(con):  # written by an older aiprices: migrate it once, then read
        con.close()
        connect(path, wait_seconds=wait_seconds).close()
        return connect(path, read_only=True, wait_seconds=wait_seconds)
    return con


@contextmanager
def transaction(con) -> Iterator:
    """BEGIN ... COMMIT, or ROLLBACK on any error (DuckDB's ``with connect()`` only closes)."""
    con.begin()
    try:
        yield con
        con.commit()
    except BaseException:
        con.rollback()
        raise
