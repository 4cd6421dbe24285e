"""One base spider for every source: fetch, archive the body, call the source's extractor, yield items.

A source fails (never "all prices removed") on a bot challenge (checked here, once for every source), a
changed layout, an HTTP error, a missing extractor or zero items; the stage pipeline writes the spider's
``outcome``, with the pages' completeness audit (rows that look priced vs rows that gave a price), with the
staged rows when the crawl closes, and the orchestration records it in ``crawl_runs``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlparse

import scrapy
from aiprices.crawler.archive import Archive
from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.items import PriceItem
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.price_text import PriceTextError
from aiprices.crawler.sources import get_source


def _listarg(value) -> list[str]:
    """Spider arguments arrive as strings from ``scrapy crawl -a``; accept a JSON list or a single value."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    text = str(value).strip()
    if text.startswith("["):
        return list(json.loads(text))
    return [text]


def _host_allowed(url: str, domains: list[str]) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


class PriceSpider(scrapy.Spider):
    """Base spider; subclasses set ``name`` (= the source) and nothing else is usually needed."""

    name: ClassVar[str] = ""
    max_pages: ClassVar[int] = 50

    def __init__(
        self,
        run_id: str | None = None,
        start_urls=None,
        kinds=None,
        observed_at: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        src = get_source(self.name)
        self.source = src.name
        self.extractor_name = src.extractor
        override = _listarg(start_urls)
        self.replay = bool(override)
        self.start_urls = override or list(src.start_urls)
        # A replay allows only the loopback host: a recorded NextPageLink to the real API is not followed.
        self.allowed_domains = (
            sorted({urlparse(u).hostname for u in override}) if override else list(src.allowed_domains)
        )
        kinds_list = _listarg(kinds)
        self.kinds = dict(zip(self.start_urls, kinds_list, strict=False)) if kinds_list else {}
        self.run_id = run_id or f"manual-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{self.name}"
        self.observed_at = observed_at
        self.started_at = datetime.now(UTC)
        self.pages = 0
        self.page_shas: list[str] = []
        self.page_kinds: list[str] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.unmapped: list[str] = []
        self.unpriced: list[str] = []
        self.rows_seen = 0
        self.rows_priced = 0
        self.yielded = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.archive = Archive(crawler.settings.get("AIPRICES_ARCHIVE_ROOT", "var/archive"))
        spider.max_pages = crawler.settings.getint("AIPRICES_MAX_PAGES", cls.max_pages)
        return spider

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(
                url, callback=self.parse, errback=self.on_error, meta={"kind": self.kinds.get(url, "")}
            )

    # -- parsing -----------------------------------------------------------------------------------

    def _extractor(self):
        try:
            module = importlib.import_module(f"aiprices.crawler.extract.{self.extractor_name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"extract.{self.extractor_name}"):
                raise LookupError(f"no extractor module for {self.source} yet") from None
            raise
        return module.extract

    def parse(self, response, **kwargs):
        kind = response.meta.get("kind", "")
        self.pages += 1
        body = response.body
        entry = self.archive.put(body, run_id=self.run_id, source=self.source, url=response.url, kind=kind)
        self.page_shas.append(entry.sha256)
        self.page_kinds.append(kind)
        marker = challenge_marker(body)
        if marker:
            self.errors.append(f"blocked page: {self.source}: bot challenge page ({marker})")
            return
        try:
            extraction: Extraction = self._extractor()(body, response.url, kind)
        except (LayoutChanged, PriceTextError) as exc:  # a price cell the layout no longer explains too
            self.errors.append(f"layout changed: {exc}")
            return
        except LookupError as exc:
            self.errors.append(str(exc))
            return
        except Exception as exc:  # a parser bug fails this source, not the whole crawl
            self.logger.exception("extractor %s failed on %s", self.extractor_name, response.url)
            self.errors.append(f"parse error: {type(exc).__name__}: {exc}")
            return
        self.warnings.extend(extraction.warnings)
        self.unmapped.extend(c for c in extraction.unmapped_columns if c not in self.unmapped)
        self.rows_seen += extraction.rows_seen
        self.rows_priced += extraction.rows_priced
        self.unpriced.extend(extraction.unpriced)
        for row in extraction.items:
            self.yielded += 1
            yield PriceItem.from_page_price(row, source=self.source, source_url=self._public_url(response.url))
        nxt = extraction.next_url
        if nxt:
            if self.pages >= self.max_pages:
                self.errors.append(f"stopped after {self.pages} pages (AIPRICES_MAX_PAGES)")
            elif _host_allowed(nxt, self.allowed_domains):
                yield scrapy.Request(nxt, callback=self.parse, errback=self.on_error, meta={"kind": kind})
            else:
                self.warnings.append(f"next page {nxt} is outside {self.allowed_domains}; not followed")

    def _public_url(self, url: str) -> str:
        """Provenance URL: in a replay, the production URL the capture stands for."""
        if self.replay:
            return get_source(self.source).start_urls[0]
        return url

    def on_error(self, failure):
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.errors.append(f"HTTP {response.status} from {response.url}")
        else:
            self.errors.append(f"fetch failed: {failure.type.__name__}: {failure.getErrorMessage()}")

    # -- outcome -----------------------------------------------------------------------------------

    def outcome(self, stats: dict) -> dict:
        """The source's result for ``crawl_runs``: status, reason and counts."""
        staged = int(stats.get("aiprices/staged", 0))
        rejected = sum(int(v) for k, v in stats.items() if k.startswith("aiprices/dropped/"))
        if self.pages == 0 and not self.errors:
            self.errors.append("no page fetched (robots.txt or offsite filter?)")
        if staged == 0:
            status = "failed"
            if not self.errors:
                self.errors.append("zero items")
        elif self.errors or rejected:
            status = "partial"
        else:
            status = "ok"
        shas = self.page_shas
        content = shas[0] if len(shas) == 1 else (hashlib.sha256(",".join(shas).encode()).hexdigest() if shas else None)
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": status,
            "error": "; ".join(self.errors) or None,
            "warnings": self.warnings + self._audit_warning(),
            "rows_seen": self.rows_seen,
            "rows_priced": self.rows_priced,
            "unpriced": self.unpriced,
            "page_kind": ",".join(dict.fromkeys(self.page_kinds)),  # the page(s) read, for the page guards
            "aggregator": get_source(self.source).aggregator,
            "unmapped_columns": self.unmapped,
            "pages": self.pages,
            "items": staged,
            "yielded": self.yielded,
            "rejected": rejected,
            "inferred": int(stats.get("aiprices/inferred", 0)),
            "unknown_models": int(stats.get("aiprices/aliases/unknown", 0)),
            "source_url": get_source(self.source).start_urls[0],
            "content_sha256": content,
            "page_sha256": shas,
            "kinds": self.page_kinds,
            "observed_at": self.observed_at,
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
        }

    def _audit_warning(self) -> list[str]:
        """The completeness audit's misses, by name, for ``crawl_runs.warnings``."""
        if not self.unpriced:
            return []
        return [f"unpriced rows ({len(self.unpriced)} of {self.rows_seen}): {'; '.join(self.unpriced)}"]

    def closed(self, reason):
        stats = self.crawler.stats.get_stats() if self.crawler and self.crawler.stats else {}
        result = self.outcome(stats)
        self.logger.info(
            "%s: %s (%s), %d items, %d rejected%s",
            self.source,
            result["status"],
            reason,
            result["items"],
            result["rejected"],
            f" ({result['error']})" if result["error"] else "",
        )
