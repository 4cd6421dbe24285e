"""Stage a source's rows as JSONL outside the warehouse; the orchestration loads them in one transaction.

Rows are buffered per spider (a price page is small), de-duplicated by identity, completed with inferred
prices (pipeline/infer.py) and written once at close as ``<staging dir>/<source>.jsonl`` with Decimal as
strings (no float ever touches a price).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from aiprices.pipeline.infer import infer_rows
from aiprices.warehouse.contract import IDENTITY_COLUMNS, PRICE_COLUMNS
from itemadapter import ItemAdapter


def _encode(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot stage {type(value).__name__}")


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({c: row.get(c) for c in PRICE_COLUMNS}, default=_encode, sort_keys=True) + "\n")
    tmp.replace(path)


def read_jsonl(path: Path) -> list[dict]:
    """Staged rows back, with ``price`` as Decimal."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                row["price"] = Decimal(row["price"])
                rows.append(row)
    return rows


class StagePipeline:
    def __init__(self, crawler=None, staging_dir: str = "var/staging/manual", offers: dict | None = None):
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
        if self.crawler is not None and self.crawler.stats is not None and n:
            self.crawler.stats.inc_value(key, n)

    def process_item(self, item):
        row = dict(ItemAdapter(item))  # shallow copy; asdict() is needlessly recursive
        ident = tuple(row.get(c) for c in IDENTITY_COLUMNS)
        seen = self.rows.get(ident)
        if seen is None:
            self.rows[ident] = row
        elif seen["price"] != row["price"]:
            # One price listed twice with two values (two pages of an API): keep the first, count it.
            self.conflicts += 1
            self._inc("aiprices/dropped/conflicting_duplicate")
        return item

    def close_spider(self, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        source = getattr(spider, "source", None) or getattr(spider, "name", None) or "unknown"
        rows = list(self.rows.values())
        offers = set(self.offers.get(source, ()))
        inferred = infer_rows(rows, offers) if offers and rows else []
        rows.extend(inferred)
        write_jsonl(self.staging_dir / f"{source}.jsonl", rows)
        self._inc("aiprices/staged", len(rows))
        self._inc("aiprices/inferred", len(inferred))
