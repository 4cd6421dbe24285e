"""Stage a source's run outside the warehouse; the orchestration loads it with ``warehouse.load.load_run``.

Rows are buffered per spider (a price page is small), de-duplicated by identity, completed with inferred
prices (pipeline/infer.py) and written once at close as the staged run ``<staging dir>/<source>/``
(``warehouse/staging.py``), together with the run's metadata: the spider's ``outcome(stats)`` (status,
pages, reason, counts) taken when the pipelines close, after the last page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiprices.pipeline.infer import infer_rows
from aiprices.pipeline.item_row import item_row
from aiprices.warehouse.contract import IDENTITY_COLUMNS, SCHEDULE_COLUMNS
from aiprices.warehouse.staging import RunRecord, write_staged_run

# Outcome fields that are crawl diagnostics rather than run metadata: kept in the staged run's details.
DETAILS = ("unmapped_columns", "unpriced", "yielded", "inferred", "unknown_models", "page_sha256", "kinds")


def run_record(outcome: dict, kind: str) -> RunRecord:
    """The ``runs`` row of a spider's outcome; unmapped page columns are reported in its warnings."""
    warnings = list(outcome.get("warnings") or [])
    if outcome.get("unmapped_columns"):
        warnings.append("unmapped columns: " + ", ".join(outcome["unmapped_columns"]))
    started = datetime.fromisoformat(outcome["started_at"])
    observed = outcome.get("observed_at")
    return RunRecord(
        run_id=outcome["run_id"],
        source=outcome["source"],
        kind=kind,
        observed_at=datetime.fromisoformat(observed) if observed else started,
        started_at=started,
        finished_at=datetime.fromisoformat(outcome["finished_at"]),
        status=outcome["status"],
        pages=outcome["pages"],
        items=outcome["items"],
        rejected=outcome["rejected"],
        error=outcome["error"],
        warnings="; ".join(warnings) or None,
        source_url=outcome["source_url"],
        content_sha256=outcome["content_sha256"],
        page_kind=outcome["page_kind"],
        rows_seen=outcome["rows_seen"],
        rows_priced=outcome["rows_priced"],
        aggregator=outcome.get("aggregator"),
    )


class StagePipeline:
    def __init__(self, crawler, staging_dir: str = "var/staging/manual", offers: dict | None = None):
        self.crawler = crawler
        self.staging_dir = Path(staging_dir)
        self.offers = offers or {}
        self.rows: dict[tuple, dict] = {}
        self.conflicts = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            crawler,
            crawler.settings.get("AIPRICES_STAGING_DIR", "var/staging/manual"),
            crawler.settings.getdict("AIPRICES_INFER_OFFERS"),
        )

    def _inc(self, key: str, n: int = 1) -> None:
        if self.crawler.stats is not None and n:
            self.crawler.stats.inc_value(key, n)

    def process_item(self, item):
        row = item_row(item)  # shallow copy; asdict() is needlessly recursive
        ident = tuple(row.get(c) for c in (*IDENTITY_COLUMNS, *SCHEDULE_COLUMNS))  # a dated price is one per date
        seen = self.rows.get(ident)
        if seen is None:
            self.rows[ident] = row
        elif seen["price"] != row["price"]:
            # One price listed twice with two values (two pages of an API): keep the first, count it.
            self.conflicts += 1
            self._inc("aiprices/dropped/conflicting_duplicate")
        return item

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        rows = list(self.rows.values())
        offers = set(self.offers.get(spider.source, ()))
        inferred = infer_rows(rows, offers) if offers and rows else []
        rows.extend(inferred)
        self._inc("aiprices/staged", len(rows))
        self._inc("aiprices/inferred", len(inferred))
        outcome = spider.outcome(self.crawler.stats.get_stats())
        run = run_record(outcome, "replay" if spider.replay else "crawl")
        details = {name: outcome[name] for name in DETAILS}
        write_staged_run(self.staging_dir / spider.source, run, rows, details=details)
