"""Scrapy settings for the aiprices crawler: polite by default, every body archived, items staged as JSONL.

``scrapy list`` / ``scrapy crawl SOURCE`` read this module through ``scrapy.cfg``; ``aiprices crawl`` starts
the same spiders with per-run values (run id, staging folder, archive root) as spider arguments.
"""

from importlib.metadata import PackageNotFoundError, version

from scrapy.settings import default_settings as _scrapy

try:  # the installed distribution's version: the crawler never imports the `aiprices` shell
    __version__ = version("aiprices")
except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0"

BOT_NAME = "aiprices"
SPIDER_MODULES = ["aiprices.crawler.spiders"]
NEWSPIDER_MODULE = "aiprices.crawler.spiders"

# Politeness: say who we are, obey robots.txt, one request at a time per site, adaptive delay.
USER_AGENT = f"aiprices/{__version__} (+https://github.com/aiprices/aiprices; price-history crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across sites: sources crawl concurrently
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Safety: bounded bodies and waits; retries with exponential backoff (crawler/middlewares.py).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each retry
RETRY_BACKOFF_MAX = 60.0
COOKIES_ENABLED = False
# Components we never run are left out of Scrapy's base lists rather than set to None in ours: Scrapy imports
# every class named in ours (to normalise its name), so a None there still costs its import in each crawler
# process. Cookies are off, so their middleware would only decline to run (its module imports tldextract and
# requests: ~0.04 s); our retry middleware replaces Scrapy's.
DOWNLOADER_MIDDLEWARES_BASE = {
    name: order
    for name, order in _scrapy.DOWNLOADER_MIDDLEWARES_BASE.items()
    if name
    not in (
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
        "scrapy.downloadermiddlewares.retry.RetryMiddleware",
    )
}
DOWNLOADER_MIDDLEWARES = {"aiprices.crawler.middlewares.BackoffRetryMiddleware": 550}
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control serves an HTTP endpoint that runs Python code sent to it: never in a crawler that reads
# other people's pages. Left out of the base list, its module (and aiohttp: ~0.1 s per process) is not imported.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {
    name: order
    for name, order in _scrapy.EXTENSIONS_BASE.items()
    if name != "scrapy.extensions.remote_control.RemoteControl"
}
# Per-item cost: every price passes each spider middleware and gets a log record. Referer headers and depth
# stats serve link-following crawlers (pagination is capped by AIPRICES_MAX_PAGES), and the staged JSONL is
# the record of what was scraped, so those are off.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
LOG_FORMATTER = "aiprices.crawler.logformat.QuietLogFormatter"
# Scrapy's lint of callbacks (a generator that returns a value) reads and parses each spider's callback source
# again for every spider of every crawl (~5 ms each); the test suite runs the same check on our spiders once.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Items: validate -> normalise units -> canonical model ids -> stage. Inference needs the whole page, so the
# stage pipeline runs it at close (pipeline/infer.py). Pipelines see items only through ItemAdapter.
ITEM_PIPELINES = {
    "aiprices.pipeline.validate.ValidatePipeline": 100,
    "aiprices.pipeline.normalize.NormalizePipeline": 200,
    "aiprices.pipeline.aliases.AliasPipeline": 300,
    "aiprices.pipeline.stage.StagePipeline": 900,
}

# Per-run values (set by ``aiprices crawl``; a bare ``scrapy crawl`` stages under ./var/).
AIPRICES_STAGING_DIR = "var/staging/manual"
AIPRICES_ARCHIVE_ROOT = "var/archive"

# Which sources' vendors offer a feature without publishing its price on the page we read: only there
# may the infer pipeline derive it (cache_read = 10% of input, batch = 50% of input and output).
AIPRICES_INFER_OFFERS = {
    "groq": ["batch"],
    "mistral": ["batch"],
    "together": ["batch"],
    "fireworks": ["batch"],
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
