"""Opening the warehouse: one writer or many readers, always in UTC, always migrated, never half-created."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

import duckdb

from .errors import WarehouseError, WarehouseLocked
from .migrations import migrate, outdated
from .new_file import create_atomically, sweep_stale_builds
from .open_errors import is_lock_error, lock_holder, open_failure

LOCK_RETRY_SECONDS = 10.0
# Extensions are never fetched from the network nor loaded behind a query's back (notes §9).
NO_EXTENSION_AUTOLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# `aiprices sql`: no file but the warehouse is read or written, no extension is installed or loaded. Given at
# connect time so no statement ever runs without them; `lock_configuration` is set last (after the time zone,
# which DuckDB only accepts through SET) so no statement can undo them.
SANDBOX = {"enable_external_access": False, **NO_EXTENSION_AUTOLOAD}
# DuckDB's Python client tries to import pandas for every Python value it binds as a parameter (each element of a
# list, twice); when pandas is not installed each try searches sys.path again (~0.1 ms, ~20 ms for a registry
# copy's load). A None in sys.modules makes those tries fail at once; an installed pandas is left alone.
OPTIONAL_IMPORTS = ("pandas",)


def mark_absent(names: tuple[str, ...] = OPTIONAL_IMPORTS) -> None:
    """Record each module of ``names`` that is not installed as absent, so that importing it fails at once."""
    for name in names:
        if name not in sys.modules and find_spec(name) is None:
            sys.modules[name] = None


mark_absent()


def connect(path: Path | str, read_only: bool = False, wait_seconds: float = LOCK_RETRY_SECONDS):
    """Open the DuckDB file (creating and migrating it when writable), retrying briefly on the file lock.

    DuckDB allows one read-write process or many read-only ones; a crawl holds the write lock only for its
    final short transaction, so readers wait up to ``wait_seconds`` and then say who holds the file.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: load prices first (aiprices registry refresh)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_builds(path)
        if not path.exists():
            create_atomically(path, _build)
    con = _open(path, read_only, wait_seconds, {})
    _session(con)
    if not read_only and migrate(con):
        con.execute("CHECKPOINT")  # the new schema lives in the file, not only in the WAL
    elif read_only and outdated(con):  # written by an older aiprices: migrate it once, then read
        con.close()
        connect(path, wait_seconds=wait_seconds).close()
        return connect(path, read_only=True, wait_seconds=wait_seconds)
    return con


def connect_sandboxed(path: Path | str, wait_seconds: float = LOCK_RETRY_SECONDS):
    """A read-only connection that can touch nothing but the warehouse file (for user-written SQL)."""
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}: load prices first (aiprices registry refresh)")
    con = _open(path, True, wait_seconds, SANDBOX)
    if outdated(con):  # written by an older aiprices: migrate it once, then read
        con.close()
        connect(path, wait_seconds=wait_seconds).close()
        return connect_sandboxed(path, wait_seconds)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET lock_configuration = true")
    return con


def _build(path: Path) -> None:
    """A fresh warehouse at ``path``: every migration applied and checkpointed (no WAL left behind)."""
    con = duckdb.connect(str(path), config=duckdb_threads())
    try:
        _session(con)
        migrate(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _session(con) -> None:
    con.execute("SET TimeZone = 'UTC'")
    for name, value in NO_EXTENSION_AUTOLOAD.items():
        con.execute(f"SET {name} = {str(value).lower()}")


def duckdb_threads() -> dict:
    """``{"threads": N}`` when ``AIPRICES_DUCKDB_THREADS`` caps DuckDB's worker threads (default: one per CPU).

    On a machine shared by several processes (the test suite's workers, a busy server) one thread each wastes
    less CPU than every process starting one per core.
    """
    text = os.environ.get("AIPRICES_DUCKDB_THREADS", "").strip()
    if not text:
        return {}
    if not text.isdigit() or int(text) < 1:
        raise WarehouseError(f"AIPRICES_DUCKDB_THREADS must be a whole number of at least 1, not {text!r}")
    return {"threads": int(text)}


def _open(path: Path, read_only: bool, wait_seconds: float, config: dict):
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    config = {**config, **duckdb_threads()}
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.Error as exc:
            if not is_lock_error(exc):
                raise open_failure(exc, path) from None
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"warehouse {path} is locked by another process: {lock_holder(exc)} holds it; "
                    f"waited {wait_seconds:g}s, try again shortly"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


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
