"""Fetching today's LiteLLM registry over HTTP with a conditional GET.

The ETag / Last-Modified validators are a cache kept beside the warehouse file (``<db>.http-cache.json``):
losing it costs one full download, never data.
"""

from __future__ import annotations

import json
from pathlib import Path

USER_AGENT = "aiprices (+https://github.com/aiprices/aiprices; price-history tool)"
TIMEOUT = (10, 60)  # connect, read seconds
MAX_BYTES = 64 * 1024 * 1024


class FetchError(Exception):
    """The registry could not be fetched (offline, HTTP error, too large)."""


def _cache_path(db: Path) -> Path:
    return db.with_name(db.name + ".http-cache.json")


def fetch_registry(url: str, db: Path) -> bytes | None:
    """The registry body, or None when the server says it has not changed since the last fetch."""
    import requests

    cache_file = _cache_path(db)
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    validators = cache.get(url, {})
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    try:
        with requests.get(url, headers=headers, timeout=TIMEOUT, stream=True) as resp:
            if resp.status_code == 304:
                return None
            if resp.status_code != 200:
                raise FetchError(f"{url}: HTTP {resp.status_code}")
            body = b""
            for chunk in resp.iter_content(1 << 16):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchError(f"{url}: larger than {MAX_BYTES // (1 << 20)} MiB, refused")
            etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
    except requests.RequestException as exc:
        raise FetchError(
            f"cannot fetch {url} ({type(exc).__name__}): are you offline? use --file with a local copy"
        ) from None
    cache[url] = {"etag": etag, "last_modified": modified}
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(json.dumps(cache, indent=1))
    return body
