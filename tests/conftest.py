"""Shared fixtures: where the third-party captures live, and a fresh warehouse file per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_root() -> Path:
    """``AIPRICES_SHARED`` or ``../shared`` beside the repository."""
    return Path(os.environ.get("AIPRICES_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under the shared captures, or skip the test with the reason."""
    path = shared_root().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party capture {path} is absent (set AIPRICES_SHARED to its folder)")
    return path


@pytest.fixture
def registry_dir() -> Path:
    return shared_path("litellm-registry")


@pytest.fixture
def vendor_pages() -> Path:
    return shared_path("vendor-pages")


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "prices.duckdb"
