"""What a crawler process loads at start: cookies are off and Scrapy's remote control (an HTTP endpoint that runs
Python code sent to it) is off, so neither is in the chain nor even imported, while the politeness and safety
middlewares stay in the chain."""

from __future__ import annotations

import subprocess
import sys

from aiprices.crawler.run import crawler_settings
from scrapy.utils.conf import build_component_list

COOKIES = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"


def _settings():
    return crawler_settings({"staging_dir": "staging", "archive_root": "archive"})


def _chain(settings, name: str) -> list[str]:
    """The components Scrapy builds for ``name``, resolved as its middleware managers resolve them."""
    return [str(m) for m in build_component_list(settings.get_component_priority_dict_with_base(name))]


def test_cookies_are_off_and_their_middleware_is_not_in_the_chain():
    settings = _settings()
    assert settings.getbool("COOKIES_ENABLED") is False
    assert COOKIES not in _chain(settings, "DOWNLOADER_MIDDLEWARES")


def test_robots_offsite_and_our_retry_middlewares_stay():
    settings = _settings()
    chain = _chain(settings, "DOWNLOADER_MIDDLEWARES")
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    for name in (
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
        "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware",
        "aiprices.crawler.middlewares.BackoffRetryMiddleware",
    ):
        assert name in chain
    assert "scrapy.downloadermiddlewares.retry.RetryMiddleware" not in chain  # ours replaces it


def test_remote_control_is_off_and_not_among_the_extensions():
    settings = _settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    extensions = _chain(settings, "EXTENSIONS")
    assert REMOTE_CONTROL not in extensions
    assert "scrapy.extensions.throttle.AutoThrottle" in extensions


def _fresh_process(code: str) -> str:
    """What ``code`` prints, run in a new interpreter (what it imports is what a crawler process would)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_a_crawler_process_imports_neither_the_cookies_middleware_nor_the_remote_control():
    """In a fresh process (the import is what costs), resolving the chains as Scrapy does imports neither module."""
    code = (
        "import sys\n"
        "from aiprices.crawler.run import crawler_settings\n"
        "from scrapy.utils.conf import build_component_list\n"
        "from scrapy.utils.misc import load_object\n"
        "s = crawler_settings({'staging_dir': 'staging', 'archive_root': 'archive'})\n"
        "for name in ('DOWNLOADER_MIDDLEWARES', 'EXTENSIONS', 'SPIDER_MIDDLEWARES'):\n"
        "    [load_object(c) for c in build_component_list(s.get_component_priority_dict_with_base(name))]\n"
        "names = ('scrapy.downloadermiddlewares.cookies', 'scrapy.extensions.remote_control', 'aiohttp',\n"
        "         'tldextract', 'scrapy.downloadermiddlewares.robotstxt')\n"
        "print(sorted(m for m in names if m in sys.modules))\n"
    )
    assert _fresh_process(code) == "['scrapy.downloadermiddlewares.robotstxt']"


def test_preload_imports_what_the_crawlers_load_and_leaves_failures_to_them():
    """What a crawler process imports once before forking its other shards; a component that cannot be imported
    is not preload's to report (the crawler that loads it fails with the reason)."""
    code = (
        "import sys\n"
        "from aiprices.crawler.run import crawler_settings, preload\n"
        "plan = {'staging_dir': 's', 'archive_root': 'a',\n"
        "        'settings': {'EXTENSIONS': {'aiprices.no_such_module.Extension': 100}}}\n"
        "preload(crawler_settings(plan))\n"
        "names = ('aiprices.crawler.spiders.openrouter', 'aiprices.pipeline.stage', 'aiprices.crawler.middlewares',\n"
        "         'scrapy.core.downloader.handlers.http11', 'scrapy.extensions.throttle')\n"
        "print([m for m in names if m not in sys.modules])\n"
    )
    assert _fresh_process(code) == "[]"


def test_scrapys_generator_lint_runs_here_not_in_every_crawl():
    """Scrapy's check that no generator callback returns a value (its value would be lost) is off in crawls; it
    holds for every callback of every spider, checked here with Scrapy's own function."""
    from aiprices.crawler.sources import SOURCES
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.misc import is_generator_with_return_value

    settings = _settings()
    assert settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False
    loader = get_spider_loader(settings)
    spiders = [loader.load(name) for name in sorted(SOURCES)]
    callbacks = {getattr(cls, name) for cls in spiders for name in ("parse", "start", "on_error")}
    assert len(spiders) == len(SOURCES) and callbacks
    assert [cb.__qualname__ for cb in callbacks if is_generator_with_return_value(cb)] == []


EXIT_NOW = """
import logging, sys
from aiprices.crawler.run import exit_now
logging.basicConfig(stream=sys.stderr, format="%(message)s")
logging.getLogger("aiprices").warning("last log line")
print("last output", end="")
exit_now(4)
"""


def test_a_crawler_process_exits_at_once_with_its_output_and_log_flushed():
    done = subprocess.run([sys.executable, "-c", EXIT_NOW], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (4, "last output", "last log line\n")


def test_a_live_crawl_obeys_robots_txt_and_a_replay_of_its_own_loopback_server_does_not_ask():
    from aiprices.schedules.runs import REPLAY_SETTINGS

    assert _settings().getbool("ROBOTSTXT_OBEY") is True
    replay = crawler_settings({"staging_dir": "staging", "archive_root": "archive", "settings": REPLAY_SETTINGS})
    assert replay.getbool("ROBOTSTXT_OBEY") is False
