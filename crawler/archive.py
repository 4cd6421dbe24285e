"""Raw-page archive: every fetched body stored gzip-compressed, content-addressed by sha256.

Layout under the archive root::

    objects/<2 hex>/<sha256>.gz     one file per distinct body (the same page twice is stored once)
    index.jsonl                     one line per fetch: run_id, source, url, fetched_at, sha256, kind, size

Append-only and dependency-free, so a crawl subprocess can write it without opening the warehouse, and
``aiprices reparse RUN`` can find a run's bodies again.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


class ArchiveError(Exception):
    """The archive is missing an object or its index is unreadable."""


@dataclass(frozen=True)
class ArchiveEntry:
    run_id: str
    source: str
    url: str
    fetched_at: str  # ISO-8601 UTC
    sha256: str
    kind: str
    size: int


class Archive:
    """A content-addressed store of fetched bodies plus an index of who fetched what, when."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def index_path(self) -> Path:
        return self.root / "index.jsonl"

    def object_path(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / f"{sha256}.gz"

    def put(
        self,
        body: bytes,
        *,
        run_id: str,
        source: str,
        url: str,
        kind: str = "",
        fetched_at: datetime | None = None,
    ) -> ArchiveEntry:
        """Store ``body`` (once per distinct content) and append an index line for this fetch."""
        sha = hashlib.sha256(body).hexdigest()
        path = self.object_path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            # mtime=0: the same body always compresses to the same bytes.
            tmp.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
            os.replace(tmp, path)
        entry = ArchiveEntry(
            run_id=run_id,
            source=source,
            url=url,
            fetched_at=(fetched_at or datetime.now(UTC)).astimezone(UTC).isoformat(),
            sha256=sha,
            kind=kind,
            size=len(body),
        )
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.index_path, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
        return entry

    def get(self, sha256: str) -> bytes:
        """The body stored under ``sha256`` (checked against its hash)."""
        path = self.object_path(sha256)
        if not path.exists():
            raise ArchiveError(f"archive object {sha256} is missing under {self.root}")
        body = gzip.decompress(path.read_bytes())
        if hashlib.sha256(body).hexdigest() != sha256:
            raise ArchiveError(f"archive object {sha256} is corrupt (hash mismatch)")
        return body

    def entries(self) -> Iterator[ArchiveEntry]:
        if not self.index_path.exists():
            return
        with open(self.index_path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield ArchiveEntry(**json.loads(line))
                except (ValueError, TypeError) as exc:
                    raise ArchiveError(f"{self.index_path}:{n}: unreadable index line ({exc})") from None

    def for_run(self, run_id: str) -> list[ArchiveEntry]:
        """Index entries whose run id is ``run_id`` or starts with ``run_id`` + '-' (a batch id)."""
        return [e for e in self.entries() if e.run_id == run_id or e.run_id.startswith(run_id + "-")]
