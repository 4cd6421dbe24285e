"""Loading LiteLLM's registry: today's copy, a folder of dated copies, or a git clone's history.

Each copy becomes a staged run of source ``litellm``: the registry extractor (``crawler/extract/litellm.py``)
reads it, the pipeline's checks and unit normalisation (``pipeline/rows.py``) prepare its rows, and
``warehouse.load.load_runs`` loads every copy in one transaction, with the guards and changelog of any other
source. The first copy read is a complete run; each later one hands over only the entries that changed and
the keys that vanished.

A truncated file, invalid JSON or an undated name anywhere leaves the warehouse exactly as it was. Copies
already loaded (same date and content) are skipped, so a backfill can be rerun; a copy older than the newest
loaded one is refused.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from aiprices.crawler.extract.litellm import SOURCE, EntryReport, RegistryReader, RegistryUnreadable
from aiprices.pipeline.rows import stage_rows
from aiprices.warehouse.errors import BadInput
from aiprices.warehouse.load import load_runs, loaded_snapshots
from aiprices.warehouse.staging import RunRecord, StagedRun

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


def _stamp(when: datetime) -> str:
    micro = f".{when.microsecond:06d}" if when.microsecond else ""
    return f"{when:%Y%m%dT%H%M%S}{micro}Z"


def _run_for(copy: RegistryCopy, sha: str, started: datetime) -> RunRecord:
    return RunRecord(
        run_id=f"litellm-{_stamp(copy.observed_at)}-{sha[:10]}", source=SOURCE, kind="registry",
        observed_at=copy.observed_at, started_at=started, finished_at=datetime.now(UTC), status="ok",
        pages=1, source_url=copy.url, content_sha256=sha,
    )  # fmt: skip


def staged_copies(copies: list[RegistryCopy], skip: set[tuple], labels: list[str]) -> Iterator[StagedRun]:
    """Each copy not in ``skip`` (``(observed_at, sha256)``) as a staged run, read one at a time.

    The first copy read is complete; each later one is incremental against the copy before it. The label of
    each run yielded is appended to ``labels``.
    """
    reader = RegistryReader()
    first = True
    for copy in copies:
        started = datetime.now(UTC)
        raw = copy.read()
        sha = hashlib.sha256(raw).hexdigest()
        if (copy.observed_at, sha) in skip:
            continue
        report = EntryReport()
        try:
            changed, vanished = reader.read(raw, copy.label, report)
        except RegistryUnreadable as exc:
            raise BadInput(str(exc)) from None
        rows = stage_rows(
            (row for key_rows in changed.values() for row in key_rows),
            source=SOURCE, source_url=copy.url, rejected=report.skipped,
        )  # fmt: skip
        emptied = changed.keys() - {row["source_model_key"] for row in rows}
        run = _run_for(copy, sha, started)
        run.warnings = report.summary() or None
        labels.append(copy.label)
        yield StagedRun(run, rows, complete=first, removed_keys=frozenset(vanished | emptied))
        first = False


def load_copies(con, copies: list[RegistryCopy]) -> BackfillResult:
    """Stage every copy not loaded yet and load them all in one transaction."""
    skip = loaded_snapshots(con, SOURCE)
    labels: list[str] = []
    results = load_runs(con, staged_copies(copies, skip, labels))
    result = BackfillResult(skipped=len(copies) - len(results))
    for label, res in zip(labels, results, strict=True):
        if res.skipped:
            result.skipped += 1
            continue
        result.loaded += 1
        result.added += res.added
        result.changed += res.changed
        result.removed += res.removed
        if res.warnings:
            result.warnings.append(f"{label}: {res.warnings}")
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
