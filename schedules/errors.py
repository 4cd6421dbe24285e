"""What can stop a crawl before any source runs, by whose fault: the request's (usage) or the world's."""


class CrawlError(Exception):
    """A crawl could not be run (missing archive, crawler process settings); the message says why."""


class BadRequest(CrawlError):
    """The crawl was asked for something impossible (unknown source, --on without an archive, no such run)."""


class Interrupted(CrawlError):
    """A stop was requested (SIGTERM of the scheduler); the crawler processes were stopped."""
