"""Shared fixtures: where the third-party captures live, a fresh warehouse file per test (a path, or a copy of
an empty migrated warehouse), and the registry and small warehouses built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from helpers.built_once import build_once
from helpers.registry_warehouse import RegistryWarehouse, build_registry_warehouse
from helpers.shared import shared_path
from helpers.small_warehouse import build as build_small_warehouse

# One DuckDB thread per connection: the two xdist workers already fill the two cores, and DuckDB's own threads
# on top only add switching (crawler and CLI subprocesses inherit it). tests/test_warehouse_threads.py sets others.
os.environ.setdefault("AIPRICES_DUCKDB_THREADS", "1")
# One crawler process per crawl unless a test asks for more (--processes, processes=): each extra process costs
# a Scrapy start (~1 s of CPU) and the workers already fill the cores. Sharding is test_crawl_engine's subject.
os.environ.setdefault("AIPRICES_CRAWL_PROCESSES", "1")


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
    """An empty warehouse created and migrated once per session (the xdist workers share it; never opened)."""
    folder = build_once(tmp_path_factory, "migrated-template", lambda f: connect(f / "prices.duckdb").close())
    return folder / "prices.duckdb"


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
    return build_registry_warehouse(tmp_path_factory, shared_path("litellm-registry"))


@pytest.fixture(scope="session")
def small_db(tmp_path_factory) -> Path:
    """``helpers.small_warehouse`` built once for the whole session (xdist workers share the file). READ-ONLY."""
    return build_once(tmp_path_factory, "small-warehouse", build_small_warehouse) / "small.duckdb"
