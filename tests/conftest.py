"""Shared fixtures: where the third-party captures live, and a fresh warehouse file per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.shared import shared_path


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
