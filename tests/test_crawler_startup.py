"""What a crawler process loads at start: cookies are off, so their middleware is left out entirely (its module
is never imported), while the politeness and safety middlewares stay in the chain."""

from __future__ import annotations

from aiprices.crawler.run import crawler_settings
from scrapy.utils.conf import build_component_list

COOKIES = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"


def _middlewares() -> tuple[list[str], object]:
    settings = crawler_settings({"staging_dir": "staging", "archive_root": "archive"})
    return [str(m) for m in build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))], settings


def test_cookies_are_off_and_their_middleware_is_not_in_the_chain():
    chain, settings = _middlewares()
    assert settings.getbool("COOKIES_ENABLED") is False
    assert COOKIES not in chain


def test_robots_offsite_and_our_retry_middlewares_stay():
    chain, settings = _middlewares()
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    for name in (
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
        "aiprices.crawler.middlewares.BackoffRetryMiddleware",
    ):
        assert name in chain
