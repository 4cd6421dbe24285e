"""Creating a warehouse file so that a crash at any instant leaves either no file or a complete one.

The new file is built in a private folder beside the target (same filesystem), checkpointed and closed, then
hard-linked into place: ``link`` is atomic and never replaces a warehouse another process created meanwhile.
A build folder left by a killed process is removed by the next writer (``sweep_stale_builds``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def _build_prefix(path: Path) -> str:
    """``.<name>.creating-``; the creating process's pid and a random part follow."""
    return f".{path.name}.creating-"


def create_atomically(path: Path, build: Callable[[Path], None]) -> None:
    """Make ``path`` exist, built by ``build(tmp_path)``; if another process created it first, keep theirs."""
    folder = Path(tempfile.mkdtemp(prefix=f"{_build_prefix(path)}{os.getpid()}-", dir=path.parent))
    try:
        built = folder / path.name
        build(built)
        try:
            os.link(built, path)
        except FileExistsError:
            return
        _sync_folder(path.parent)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale_builds(path: Path) -> None:
    """Remove the build folders of processes that no longer run (killed mid-creation)."""
    head = _build_prefix(path)
    for folder in path.parent.glob(f"{head}*"):
        pid = folder.name[len(head) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync_folder(folder: Path) -> None:
    """Make the new directory entry durable (a power cut right after must not lose the link)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
