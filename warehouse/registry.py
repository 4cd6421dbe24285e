"""Loading LiteLLM's registry: today's copy, a folder of dated copies, or a git clone's history.

A backfill is one transaction: a truncated file, invalid JSON or an undated name anywhere leaves the
warehouse exactly as it was. Copies already loaded (same date and content) are skipped, so a backfill can be
rerun; a copy older than the newest loaded one is refused (see ``Ledger``/``check_order``).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from .errors import BadInput, LoadRefused
from .litellm_entries import SOURCE, EntryReport, RegistryReader
from .load import Batch, Ledger, RunRecord, apply_key, check_order, flush

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


@dataclass
class BackfillResult:
    loaded: int = 0
    skipped: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)


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
        copies[day] = RegistryCopy(observed, path.name, path.resolve().as_uri(),
                                   lambda p=path: read_copy_file(p))
    if not copies:
        raise BadInput(f"{folder}: no YYYY-MM-DD.json[.gz] registry copies found")
    return [copies[d] for d in sorted(copies)]


def git_copies(repo: Path, path: str = REGISTRY_FILE) -> list[RegistryCopy]:
    """One version of the registry per UTC day (the day's last commit), dated by commit time."""
    try:
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--first-parent", "--format=%H %ct", "--", path],
            check=True, capture_output=True, text=True,
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

    return [RegistryCopy(when, f"{sha[:10]} ({when:%Y-%m-%d})", f"git:{repo}@{sha}", lambda s=sha: reader(s))
            for when, sha in (per_day[d] for d in sorted(per_day))]


def copies_at(path: Path) -> list[RegistryCopy]:
    """A folder of dated copies, or a git clone (a folder with ``.git`` holding the registry file)."""
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    if path.is_dir() and (path / ".git").exists():
        return git_copies(path)
    if path.is_dir():
        return folder_copies(path)
    raise BadInput(f"{path}: expected a folder of dated copies or a git clone of BerriAI/litellm")


def _loaded(con) -> set[tuple[datetime, str]]:
    rows = con.execute(
        "SELECT observed_at, content_sha256 FROM runs WHERE source = ? AND status = 'ok'", [SOURCE]
    ).fetchall()
    return {(when, sha) for when, sha in rows}


def _stamp(when: datetime) -> str:
    micro = f".{when.microsecond:06d}" if when.microsecond else ""
    return f"{when:%Y%m%dT%H%M%S}{micro}Z"


def _run_for(copy: RegistryCopy, sha: str, started: datetime) -> RunRecord:
    return RunRecord(
        run_id=f"litellm-{_stamp(copy.observed_at)}-{sha[:10]}", source=SOURCE, kind="registry",
        observed_at=copy.observed_at, started_at=started, finished_at=datetime.now(UTC), status="ok",
        pages=1, source_url=copy.url, content_sha256=sha,
    )


def load_copies(con, copies: list[RegistryCopy]) -> BackfillResult:
    """Diff each copy against the one before and write everything in one transaction."""
    result = BackfillResult()
    loaded = _loaded(con)
    ledger = Ledger.from_db(con, SOURCE)
    reader = RegistryReader(copies[0].url if copies else DEFAULT_URL)
    batch = Batch()
    first = True
    for copy in copies:
        started = datetime.now(UTC)
        raw = copy.read()
        sha = hashlib.sha256(raw).hexdigest()
        if (copy.observed_at, sha) in loaded:
            result.skipped += 1
            continue
        run = _run_for(copy, sha, started)
        check_order(ledger, run)
        reader.url = copy.url
        report = EntryReport()
        changed, vanished = reader.read(raw, copy.label, report)
        keys = set(changed) | vanished
        if first:  # the ledger may hold keys this process has not seen: compare all of them once
            keys |= ledger.keys()
            first = False
        for key in sorted(keys):
            if key in changed:
                apply_key(ledger, batch, run, key, changed[key])
            elif key in vanished or key in ledger.by_key:
                apply_key(ledger, batch, run, key, None)
        run.items = sum(len(v) for v in ledger.by_key.values())
        run.warnings = report.summary() or None
        if run.warnings:
            result.warnings.append(f"{copy.label}: {run.warnings}")
        ledger.last_observed_at = run.observed_at
        batch.runs.append(run)
        result.loaded += 1
        result.added += run.added
        result.changed += run.changed
        result.removed += run.removed
    if batch:
        flush(con, batch)
    return result


def backfill(con, path: Path) -> BackfillResult:
    """Load every dated copy under ``path`` (folder or git clone); already-loaded copies are skipped."""
    return load_copies(con, copies_at(Path(path)))


def refresh_from_file(con, path: Path, observed_at: datetime | None = None) -> BackfillResult:
    """Load one copy from a file, observed now (or at ``observed_at``)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    when = observed_at or datetime.now(UTC)
    copy = RegistryCopy(when, path.name, path.resolve().as_uri(), lambda: read_copy_file(path))
    return load_copies(con, [copy])


def copy_from_bytes(raw: bytes, url: str, observed_at: datetime) -> RegistryCopy:
    return RegistryCopy(observed_at, url, url, lambda: raw)


__all__ = ["DEFAULT_URL", "BackfillResult", "LoadRefused", "backfill", "folder_copies", "git_copies",
           "load_copies", "refresh_from_file"]
