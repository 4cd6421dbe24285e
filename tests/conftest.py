"""Shared fixtures: where the third-party captures live, a fresh warehouse file per test (a path, or a copy of
an empty migrated warehouse), and the registry warehouse built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
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
    """Where the test's warehouse goes; nothing is there yet (tests that create or migrate a file use this)."""
    return tmp_path / "prices.duckdb"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """An empty warehouse created and migrated once per xdist worker (each worker has its own base temp)."""
    path = tmp_path_factory.mktemp("template") / "prices.duckdb"
    connect(path).close()
    return path


@pytest.fixture
def migrated_db(db_path: Path, migrated_template: Path) -> Path:
    """``db_path`` holding an empty migrated warehouse: a copy of the closed template, cheaper than a new build."""
    shutil.copyfile(migrated_template, db_path)
    return db_path


@pytest.fixture(scope="session")
def registry_warehouse(tmp_path_factory) -> RegistryWarehouse:
    """Every shared registry copy backfilled once for the whole session (xdist workers share the file).

    READ-ONLY: open it with ``read_only=True``; a test that writes uses its own ``db_path``.
    """
    base = tmp_path_factory.getbasetemp()
    session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the session's, not the worker's
    return build_once(session / "registry-warehouse", shared_path("litellm-registry"))
