"""A cross-process lock (``fcntl.flock`` on a file beside the warehouse) so two crawls never overlap.

The kernel drops the lock when the last process holding its descriptor dies, even by SIGKILL, so a
crashed crawl never leaves a stale lock behind. Crawler processes inherit the descriptor (``fd``), so a
holder killed mid-crawl keeps the lock held until its crawlers are gone too.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path


class CrawlLocked(Exception):
    """Another process holds the crawl lock (message: who, since when, and the lock file)."""


def lock_path_for(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".crawl.lock")


class CrawlLock:
    """``with CrawlLock(db, wait=60): ...`` waits up to ``wait`` seconds, then raises ``CrawlLocked``."""

    def __init__(self, db: Path | str, wait: float = 0.0):
        self.path = lock_path_for(db)
        self.wait = wait
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            info = {}
        if not info:
            return "another process"
        pid = info.get("pid")
        gone = "" if pid_alive(pid) else ", exited; its crawler processes are finishing"
        return f"pid {pid} since {info.get('since')}{gone}"

    @property
    def fd(self) -> int:
        """The held lock's descriptor, for child processes that must keep the lock while they live."""
        if self._fd is None:
            raise RuntimeError("the crawl lock is not held")
        return self._fd

    def acquire(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise CrawlLocked(
                        f"another crawl is running ({self.holder()}; lock {self.path}); "
                        f"waited {self.wait:.0f}s, not starting a second one"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).isoformat()}).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True
