"""A loopback HTTP server over a folder: replays serve archived pages to the real Scrapy engine.

Binds 127.0.0.1 on a free port, serves files read-only, runs in a daemon thread and is stopped by the
context manager, so a replay never reaches anything but this machine.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

POLL = 0.02  # seconds between the serving loop's checks for a stop


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".md": "text/markdown; charset=utf-8",
        ".json": "application/json",
        ".txt": "text/plain; charset=utf-8",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


class LoopbackHTTPServer(ThreadingHTTPServer):
    """Queues many connections: a replay's crawlers connect all at once (a page per source),
    often while the loads keep this process too busy to accept them. With socketserver's default listen queue
    of 5 the kernel dropped the connections beyond it, and each dropped one waited a whole TCP retransmission
    (1 s) before it was accepted: a second of a 2-second replay."""

    request_queue_size = 128
    daemon_threads = True


class LoopbackServer:
    """``with LoopbackServer(folder) as srv: srv.url_for(path)``."""

    def __init__(self, root: Path | str):
        self.root = Path(os.path.abspath(root))
        self._server: LoopbackHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LoopbackServer:
        handler = partial(_QuietHandler, directory=str(self.root))
        self._server = LoopbackHTTPServer(("127.0.0.1", 0), handler)
        # Stopping waits for the serving loop to look up (every ``POLL`` seconds): the default half second was
        # dead time at the end of every replay.
        serve = partial(self._server.serve_forever, poll_interval=POLL)
        self._thread = threading.Thread(target=serve, name="loopback", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url_for(self, path: Path | str) -> str:
        rel = Path(os.path.abspath(path)).relative_to(self.root)  # symlinks kept as laid out
        return f"{self.base_url}/{quote(rel.as_posix())}"
