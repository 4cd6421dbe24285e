"""Copies of LiteLLM's registry to load: a folder of dated copies, a git clone's history, or one file.

Each copy is read lazily (a long backfill holds one copy in memory at a time). A name that is not a date, two
copies for one date, a truncated ``.gz`` or an unreadable clone is a one-line ``BadInput`` before anything
is loaded.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from aiprices.warehouse.errors import BadInput

REGISTRY_FILE = "model_prices_and_context_window.json"
DEFAULT_URL = f"https://raw.githubusercontent.com/BerriAI/litellm/main/{REGISTRY_FILE}"
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$")


@dataclass
class RegistryCopy:
    """One copy of the registry file and when it was observed."""

    observed_at: datetime
    label: str
    url: str
    read: Callable[[], bytes]  # lazy, so a long backfill holds one copy in memory at a time


def read_copy_file(path: Path) -> bytes:
    """The bytes of a ``.json`` or ``.json.gz`` copy; a truncated or corrupt gzip is a clear error."""
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.name.endswith(".gz") else data
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise BadInput(f"{path.name}: cannot read ({exc or type(exc).__name__})") from None


def folder_copies(folder: Path) -> list[RegistryCopy]:
    """Dated copies ``YYYY-MM-DD.json[.gz]`` in date order; any other file name is refused up front."""
    copies: dict[date, RegistryCopy] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        match = _DATED.match(path.name)
        if not match:
            raise BadInput(f"{path.name}: not a dated registry copy (expected YYYY-MM-DD.json or .json.gz)")
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            raise BadInput(f"{path.name}: {match.group(1)} is not a calendar date") from None
        if day in copies:
            raise BadInput(f"{path.name}: two copies for {day} in {folder}")
        observed = datetime(day.year, day.month, day.day, tzinfo=UTC)
        copies[day] = RegistryCopy(observed, path.name, path.resolve().as_uri(), lambda p=path: read_copy_file(p))
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
    """One local copy, observed now (or at ``observed_at``)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    return RegistryCopy(
        observed_at or datetime.now(UTC), path.name, path.resolve().as_uri(), lambda: read_copy_file(path)
    )
