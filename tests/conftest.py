"""Shared fixtures: where the third-party captures live, a fresh warehouse file per test, and the registry
warehouse built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.registry_warehouse import RegistryWarehouse, build_once
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


@pytest.fixture(scope="session")
def registry_warehouse(tmp_path_factory) -> RegistryWarehouse:
    """Every shared registry copy backfilled once for the whole session (xdist workers share the file).

    READ-ONLY: open it with ``read_only=True``; a test that writes uses its own ``db_path``.
    """
    base = tmp_path_factory.getbasetemp()
    session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the session's, not the worker's
    return build_once(session / "registry-warehouse", shared_path("litellm-registry"))
