"""Retry with exponential backoff: Scrapy's RetryMiddleware retries at once; throttled sites need a pause."""

from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.retry import RetryMiddleware


class BackoffRetryMiddleware(RetryMiddleware):
    """Same retry rules as Scrapy's, but waits ``RETRY_BACKOFF_BASE * 2**n`` seconds before retry n."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _pause(self, request) -> None:
        attempt = request.meta.get("retry_times", 1)
        delay = min(self.backoff_base * (2 ** max(attempt - 1, 0)), self.backoff_max)
        if delay > 0:
            await asyncio.sleep(delay)

    async def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is not response:
            await self._pause(result)
        return result

    async def process_exception(self, request, exception, spider=None):
        result = super().process_exception(request, exception)
        if result is not None:
            await self._pause(result)
        return result
