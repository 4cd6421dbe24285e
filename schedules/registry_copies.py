"""Copies of LiteLLM's registry to load: a folder of dated copies, a git clone's history, or one file.

Each copy is read lazily (a long backfill holds one copy in memory at a time). A name that is not a date, two
copies for one date, a truncated ``.gz`` or an unreadable clone is a one-line ``BadInput`` before anything
is loaded.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from aiprices.warehouse.errors import BadInput

from .gunzip import GzipError, gunzip

REGISTRY_FILE = "model_prices_and_context_window.json"
DEFAULT_URL = f"https://raw.githubusercontent.com/BerriAI/litellm/main/{REGISTRY_FILE}"
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$")
# A copy is ~3 MB today: 256 MiB leaves room for 80x growth and bounds what one copy can cost in memory.
MAX_COPY_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass
class RegistryCopy:
    """One copy of the registry file and when it was observed."""

    observed_at: datetime
    label: str
    url: str
    read: Callable[[], bytes]  # lazy, so a long backfill holds one copy in memory at a time


def read_copy_file(path: Path, max_bytes: int = MAX_COPY_BYTES) -> bytes:
    """The bytes of a ``.json`` or ``.json.gz`` copy, at most ``max_bytes`` (decompressed chunk by chunk, so a
    gzip bomb stops at the cap); a larger, truncated or corrupt copy is a clear error."""
    try:
        if not path.name.endswith(".gz"):
            if path.stat().st_size > max_bytes:
                raise GzipError(f"larger than {max_bytes / (1 << 20):g} MiB, refused")
            return path.read_bytes()
        with open(path, "rb") as fh:
            return gunzip(iter(lambda: fh.read(_CHUNK), b""), max_bytes)
    except GzipError as exc:
        raise BadInput(f"{path.name}: cannot read ({exc})") from None
    except OSError as exc:
        raise BadInput(f"{path.name}: cannot read ({exc or type(exc).__name__})") from None


def name_date(path: Path) -> date | None:
    """The date a ``YYYY-MM-DD.json[.gz]`` name gives; None for any other name, BadInput for no such day."""
    match = _DATED.match(path.name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise BadInput(f"{path.name}: {match.group(1)} is not a calendar date") from None


def folder_copies(folder: Path) -> list[RegistryCopy]:
    """Dated copies ``YYYY-MM-DD.json[.gz]`` in date order; any other file name is refused up front."""
    copies: dict[date, RegistryCopy] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        day = name_date(path)
        if day is None:
            raise BadInput(f"{path.name}: not a dated registry copy (expected YYYY-MM-DD.json or .json.gz)")
        if day in copies:
            raise BadInput(f"{path.name}: two copies for {day} in {folder}")
        copies[day] = file_copy(path)
    if not copies:
        raise BadInput(f"{folder}: no YYYY-MM-DD.json[.gz] registry copies found")
    return [copies[d] for d in sorted(copies)]


def git_copies(repo: Path, path: str = REGISTRY_FILE) -> list[RegistryCopy]:
    """One version of the registry per UTC day (the day's last commit), dated by commit time."""
    try:
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--first-parent", "--format=%H %ct", "--", path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BadInput(f"{repo}: not a readable git clone ({getattr(exc, 'stderr', '') or exc})") from None
    per_day: dict[date, tuple[datetime, str]] = {}
    for line in log.splitlines():
        sha, ts = line.split()
        when = datetime.fromtimestamp(int(ts), UTC)
        if when.date() not in per_day or when > per_day[when.date()][0]:
            per_day[when.date()] = (when, sha)
    if not per_day:
        raise BadInput(f"{repo}: no commits touch {path}")

    def reader(sha: str) -> bytes:
        out = subprocess.run(["git", "-C", str(repo), "show", f"{sha}:{path}"], capture_output=True)
        if out.returncode != 0:
            raise BadInput(f"{repo}@{sha[:10]}: cannot read {path}")
        return out.stdout

    return [
        RegistryCopy(when, f"{sha[:10]} ({when:%Y-%m-%d})", f"git:{repo}@{sha}", lambda s=sha: reader(s))
        for when, sha in (per_day[d] for d in sorted(per_day))
    ]


def copies_at(path: Path) -> list[RegistryCopy]:
    """A folder of dated copies, or a git clone (a folder with ``.git`` holding the registry file)."""
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    if path.is_dir() and (path / ".git").exists():
        return git_copies(path)
    if path.is_dir():
        return folder_copies(path)
    raise BadInput(f"{path}: expected a folder of dated copies or a git clone of BerriAI/litellm")


def copy_from_bytes(raw: bytes, url: str, observed_at: datetime) -> RegistryCopy:
    """A copy already in memory (a fetched body)."""
    return RegistryCopy(observed_at, url, url, lambda: raw)


def file_copy(path: Path, observed_at: datetime | None = None) -> RegistryCopy:
    """One local copy, observed at ``observed_at``, else at 00:00 UTC of the date its name gives
    (``YYYY-MM-DD.json[.gz]``, as in a backfill folder), else now."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    day = None if observed_at else name_date(path)
    at = observed_at or (datetime(day.year, day.month, day.day, tzinfo=UTC) if day else datetime.now(UTC))
    return RegistryCopy(at, path.name, path.resolve().as_uri(), lambda: read_copy_file(path))
