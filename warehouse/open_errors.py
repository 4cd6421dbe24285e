"""What a failed DuckDB open means: a lock (who holds it), a damaged file, or a WAL that cannot be replayed.

DuckDB says all three through ``IOException`` (or ``InternalException``) text; matching whole phrases keeps a
checksum failure "in block at location 0" from reading as a lock.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import WalUnreplayable, WarehouseDamaged, WarehouseError

_LOCK_PHRASES = ("could not set lock on file", "conflicting lock is held")
_DAMAGE_PHRASES = ("corrupt database file", "not a valid duckdb database file")
_WAL_PHRASE = "failure while replaying wal file"
# DuckDB adds this hint only when the holder opened the file read-only (so a writer could not get in).
_READER_HINT = "you would be able to open this database in read-only mode"
_PID = re.compile(r"\(PID (\d+)\)")
_COMMAND_CHARS = 80


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(phrase in text for phrase in _LOCK_PHRASES)


def _command_of(pid: str) -> str:
    """The holder's command line from /proc (Linux), shortened; empty when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    command = " ".join(raw.replace(b"\0", b" ").decode(errors="replace").split())  # one line, whatever argv held
    return command if len(command) <= _COMMAND_CHARS else command[: _COMMAND_CHARS - 3] + "..."


def lock_holder(exc: BaseException) -> str:
    """``a writer (pid 123: aiprices crawl ...)`` or ``a reader (...)`` from DuckDB's lock message."""
    text = str(exc)
    role = "a reader" if _READER_HINT in text.lower() else "a writer"
    match = _PID.search(text)
    if not match:
        return role
    command = _command_of(match.group(1))
    return f"{role} (pid {match.group(1)}{': ' + command if command else ''})"


def open_failure(exc: BaseException, path: Path) -> WarehouseError:
    """The typed, one-line error for an open that failed for a reason other than a lock."""
    text, detail = str(exc).lower(), first_line(exc)
    if _WAL_PHRASE in text:
        return WalUnreplayable(
            f"warehouse {path}: its write-ahead log {path.name}.wal cannot be replayed ({detail}); "
            f"run `aiprices doctor --db {path}` to recover it",
            detail,
        )
    if is_damage(exc):
        return WarehouseDamaged(
            f"warehouse {path} is damaged, not locked ({detail}); run `aiprices doctor --db {path}`", detail
        )
    return WarehouseError(f"cannot open warehouse {path}: {detail}")


def is_damage(exc: BaseException) -> bool:
    """A checksum mismatch or a file that is not DuckDB's (on open, or later when a damaged block is read)."""
    text = str(exc).lower()
    return any(phrase in text for phrase in _DAMAGE_PHRASES)
