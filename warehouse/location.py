"""Where the warehouse lives unless told: one rule for the CLI's ``--db`` and the Python API's ``PriceBook()``.

Kept apart from ``connection`` so that finding the path imports nothing heavy (no DuckDB)."""

from __future__ import annotations

import os
from pathlib import Path


def default_path() -> Path:
    """``$AIPRICES_DB``, else ``$XDG_DATA_HOME/aiprices/aiprices.duckdb`` (``~/.local/share`` by default)."""
    if os.environ.get("AIPRICES_DB"):
        return Path(os.environ["AIPRICES_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "aiprices" / "aiprices.duckdb"
