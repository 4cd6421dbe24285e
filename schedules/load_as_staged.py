"""A replay's loads while its crawlers still run: each source's staged run is loaded as soon as its crawler has
written it, so that loading the sources that finish early overlaps the parsing of those that finish late instead
of waiting for it (the sources found staged at one look are loaded together in one transaction, by the one load
path).

Only replays do this: their crawlers read loopback files and finish in seconds, so the warehouse is held about as
long as their load alone would hold it. A live crawl takes minutes (politeness delays) and opens the warehouse
only for its final load, so that readers are never locked out for the length of a crawl. The warehouse is opened
(created and migrated when new) while the crawler processes start, without waiting: when it is busy, or a load
fails, every load not done yet is left to the final load, which waits for the warehouse and reports errors as
before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .loading import SourceResult, StagedBatch, load_sources
from .spawn import PlannedSource

LOAD_THREADS = 1  # DuckDB worker threads of the loads that run beside the crawlers


class LoadAsStaged:
    """Loads staged runs as ``run_spiders`` reports them (``listener``); the final load keeps their ``results``."""

    def __init__(self, db: Path, con=None, enabled: bool = True):
        self.db, self.given, self.own = db, con, None
        self.enabled = enabled
        self.results: dict[tuple[str, str], SourceResult] = {}  # (batch id, source) -> its load's result

    @property
    def con(self):
        """The connection the loads used (None: none was opened): the final load goes on with it."""
        return self.given or self.own

    def listener(self, batch: StagedBatch) -> Callable[[list[str]], None] | None:
        """What ``run_spiders`` calls with sources of ``batch`` once their staged runs are on disk (those found
        done at one look together: they load in one transaction)."""
        if not self.enabled:
            return None
        planned = {p.source: p for p in batch.planned}
        return lambda sources: self._load(batch, [planned[source] for source in sources])

    def open(self) -> None:
        """Open the warehouse for the loads now (``run_spiders``' ``on_started``: while the crawlers start), and
        import what a load imports (the loader, Arrow and the part of it DuckDB reads Arrow tables with: ~0.15 s)."""
        if self._connection() is not None:
            import aiprices.warehouse.load  # noqa: F401
            import pyarrow.dataset  # noqa: F401

    def _load(self, batch: StagedBatch, planned: list[PlannedSource]) -> None:
        con = self._connection()
        if con is None:
            return
        try:
            for p, result in zip(planned, load_sources(con, batch, planned), strict=True):
                self.results[(batch.batch_id, p.source)] = result
        except Exception:  # noqa: BLE001 - the final load meets the same error and reports it
            self.enabled = False

    def _connection(self):
        from aiprices.warehouse.connection import connect
        from aiprices.warehouse.errors import WarehouseLocked

        if not self.enabled:
            return None
        if self.con is None:
            try:
                self.own = connect(self.db, wait_seconds=0)
            except WarehouseLocked:
                self.enabled = False
                return None
            # One source's rows are far too few for DuckDB's parallel operators, and the crawler processes still
            # parsing want the CPUs: with one thread a load spends ~20% less CPU and no more time.
            self.own.execute(f"SET threads = {LOAD_THREADS}")
        return self.con

    def __enter__(self) -> LoadAsStaged:
        return self

    def __exit__(self, *exc) -> None:
        if self.own is not None:
            self.own.close()
            self.own = None
