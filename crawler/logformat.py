"""Scrapy log formatter without the per-item "Scraped from" line.

A crawl yields thousands of prices; Scrapy builds a DEBUG log record for each even when the handler
drops it. The staged JSONL file and the run summary are the record of what was scraped, so that line
is skipped. Dropped items and errors are logged as usual.
"""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> None:  # type: ignore[override]
        return None
