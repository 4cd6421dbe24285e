"""Item pipeline: reject prices that cannot be right before they reach the warehouse; count every reason.

The checks are ``rows.check``. A dropped item makes the source's run ``partial`` (nothing retired), so a bad
cell never silently removes or reprices anything.
"""

from __future__ import annotations

from aiprices.pipeline.rows import InvalidPrice, check
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem


class ValidatePipeline:
    """Drops invalid prices with ``DropItem`` and bumps ``aiprices/dropped/<reason>``."""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        try:
            check(dict(adapter))  # shallow: asdict() recurses into every value (slow)
        except InvalidPrice as exc:
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"aiprices/dropped/{exc.reason}")
            name = adapter.get("source_model_key")
            raise DropItem(f"{adapter.get('source')} {name} {adapter.get('price_key')}: {exc}") from None
        return item
