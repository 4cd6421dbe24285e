"""Fetching today's LiteLLM registry over HTTP with a conditional GET, within fixed bounds.

The ETag / Last-Modified validators are a cache kept beside the warehouse file (``<db>.http-cache.json``):
losing it costs one full download, never data.

Bounds (README "Reliability"): redirects are followed only to the same host (at most ``MAX_REDIRECTS``, never
from https to http); the body is capped at ``MAX_BYTES`` *after* gzip decoding, decoded here chunk by chunk so a
gzip bomb never inflates past the cap; the whole fetch has a deadline (``DEADLINE_SECONDS``), checked after
every socket read, so a server that drips a byte at a time is dropped, not waited on.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .gunzip import GzipError, Inflater

USER_AGENT = "aiprices (+https://github.com/aiprices/aiprices; price-history tool)"
CONNECT_TIMEOUT = 10  # seconds to connect
READ_TIMEOUT = 30  # seconds a single read may wait for data
DEADLINE_SECONDS = 120  # the whole fetch: connect, redirects, body
MAX_BYTES = 64 * 1024 * 1024  # decoded body; a registry copy is ~3 MB today
MAX_REDIRECTS = 5
_CHUNK = 1 << 16
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """The registry could not be fetched (offline, HTTP error, too large, too slow, redirected away)."""


def _cache_path(db: Path) -> Path:
    return db.with_name(db.name + ".http-cache.json")


def fetch_registry(
    url: str, db: Path, *, max_bytes: int = MAX_BYTES, deadline_seconds: float = DEADLINE_SECONDS
) -> bytes | None:
    """The registry body, or None when the server says it has not changed since the last fetch."""
    import requests
    import urllib3

    cache_file = _cache_path(db)
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    validators = cache.get(url, {})
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    deadline = time.monotonic() + deadline_seconds
    try:
        with _get_following_same_host(url, headers, deadline) as resp:
            if resp.status_code == 304:
                return None
            if resp.status_code != 200:
                raise FetchError(f"{url}: HTTP {resp.status_code}")
            body = _read_body(resp, url, max_bytes, deadline, deadline_seconds)
            etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(
            f"cannot fetch {url} ({type(exc).__name__}): are you offline? use --file with a local copy"
        ) from None
    cache[url] = {"etag": etag, "last_modified": modified}
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(json.dumps(cache, indent=1))
    return body


def _get_following_same_host(url: str, headers: dict, deadline: float):
    """The first non-redirect response; a redirect to another host (or from https to http) is refused."""
    import requests

    current = url
    for _ in range(MAX_REDIRECTS + 1):
        timeout = (CONNECT_TIMEOUT, max(0.1, min(READ_TIMEOUT, deadline - time.monotonic())))
        resp = requests.get(current, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        if resp.status_code not in _REDIRECTS:
            return resp
        resp.close()
        target = urljoin(current, resp.headers.get("Location", ""))
        if not _same_host(current, target):
            raise FetchError(f"{url}: redirected to another host ({target}), refused")
        current = target
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects, refused")


def _same_host(source: str, target: str) -> bool:
    a, b = urlsplit(source), urlsplit(target)
    downgrade = a.scheme == "https" and b.scheme != "https"
    return bool(b.hostname) and a.hostname == b.hostname and b.scheme in ("http", "https") and not downgrade


def _read_body(resp, url: str, max_bytes: int, deadline: float, deadline_seconds: float) -> bytes:
    """The decoded body, read one socket read at a time against the size cap and the deadline."""
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}")
    inflater = Inflater(max_bytes) if encoding == "gzip" else None
    body = bytearray()
    try:
        while chunk := resp.raw.read1(_CHUNK, decode_content=False):
            body += chunk if inflater is None else inflater.feed(chunk)
            if len(body) > max_bytes:
                raise GzipError(f"larger than {max_bytes / (1 << 20):g} MiB once decompressed, refused")
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: not complete after {deadline_seconds:g}s, gave up")
        if inflater is not None:
            inflater.finish()
    except GzipError as exc:
        raise FetchError(f"{url}: {exc}") from None
    return bytes(body)
