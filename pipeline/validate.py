"""Item pipeline: reject prices that cannot be right before they reach the warehouse; count every reason.

The checks are ``rows.check``. A dropped item makes the source's run ``partial`` (nothing retired), so a bad
cell never silently removes or reprices anything.
"""

from __future__ import annotations

from aiprices.pipeline.item_row import item_row
from aiprices.pipeline.rows import InvalidPrice, check
from scrapy.exceptions import DropItem

# Rejections named in the run's error (``crawl_runs.error``, the reason it is partial); the rest are counted.
NAMED_REJECTIONS = 3


class ValidatePipeline:
    """Drops invalid prices with ``DropItem``, bumps ``aiprices/dropped/<reason>`` and names the first few in
    the spider's errors (a base spider's ``errors``: the run's error, so the user sees why it is partial)."""

    def __init__(self, crawler=None):
        self.crawler = crawler
        self.named = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        row = item_row(item)
        try:
            check(row)
        except InvalidPrice as exc:
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"aiprices/dropped/{exc.reason}")
            name = row.get("source_model_key")
            message = f"{row.get('source')} {name} {row.get('price_key')}: {exc}"
            self._name(message)
            raise DropItem(message) from None
        return item

    def _name(self, message: str) -> None:
        errors = getattr(getattr(self.crawler, "spider", None), "errors", None)
        if isinstance(errors, list) and self.named < NAMED_REJECTIONS:
            errors.append(f"rejected in validation: {message}")
            self.named += 1
