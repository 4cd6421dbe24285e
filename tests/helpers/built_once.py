"""Files built once per test session and shared by its xdist workers, and warehouse copies made from them.

``pytest -n 2`` runs each module's tests on both workers, so a module- or session-scoped fixture that builds a
warehouse builds it twice. ``build_once`` builds under a lock in the session's temporary folder (the parent of
the workers' own): the first worker to take the lock builds, the other waits and reuses the result. Tests that
write take a copy (``copy_warehouse``); tests that only read open the built file read-only.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

DONE = ".built"


def session_root(tmp_path_factory) -> Path:
    """The temporary folder of the whole session: shared by the xdist workers, each of which has a subfolder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> Path:
    """The folder ``<session>/<name>`` after ``build(folder)`` ran in it once in this session.

    A build that failed (in this worker or the other) left no mark, so the next caller starts again from an
    empty folder and sees the same error.
    """
    root = session_root(tmp_path_factory)
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build(folder)
            (folder / DONE).touch()
    return folder


def copy_warehouse(built: Path, to: Path) -> Path:
    """A copy of the closed warehouse file ``built`` at ``to`` (with its write-ahead log, if one was left)."""
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, to)
    wal = built.with_name(built.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, to.with_name(to.name + ".wal"))
    return to
