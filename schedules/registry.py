"""Today's LiteLLM registry into the warehouse: fetched with a conditional GET, or read from a local copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class RegistryRefresh:
    """One refresh: ``unchanged`` when the server said 304, else the load's counts and warnings."""

    origin: str  # the URL or file read
    unchanged: bool = False
    loaded: int = 0
    skipped: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)


def refresh_registry(db: Path, *, file: Path | None = None, url: str | None = None) -> RegistryRefresh:
    """Load today's copy (observed now, UTC) from ``file``, else from ``url`` (default: GitHub).

    Raises ``FetchError`` when offline or refused, ``WarehouseError`` when the copy or the warehouse is bad.
    """
    from aiprices.warehouse.connection import connect
    from aiprices.warehouse.registry import DEFAULT_URL, copy_from_bytes, load_copies, refresh_from_file

    from .registry_fetch import fetch_registry

    if file is not None:
        con = connect(db)
        try:
            return _refresh(str(file), refresh_from_file(con, file))
        finally:
            con.close()
    url = url or DEFAULT_URL
    body = fetch_registry(url, db)
    if body is None:
        return RegistryRefresh(url, unchanged=True)
    con = connect(db)
    try:
        return _refresh(url, load_copies(con, [copy_from_bytes(body, url, datetime.now(UTC))]))
    finally:
        con.close()


def _refresh(origin: str, result) -> RegistryRefresh:
    return RegistryRefresh(origin, False, result.loaded, result.skipped, result.added, result.changed,
                           result.removed, list(result.warnings))  # fmt: skip
