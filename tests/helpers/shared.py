"""Where the third-party captures live (``../shared`` or ``AIPRICES_SHARED``); a test skips when one is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def shared_root() -> Path:
    """``AIPRICES_SHARED`` or ``../shared`` beside the repository."""
    return Path(os.environ.get("AIPRICES_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under the shared captures, or skip the test with the reason."""
    path = shared_root().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party capture {path} is absent (set AIPRICES_SHARED to its folder)")
    return path
