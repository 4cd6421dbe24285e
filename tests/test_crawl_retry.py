"""Retries with backoff: a 503 followed by a good body still gives an ok source (real engine, loopback)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiprices.schedules.spawn import PlannedSource, run_spiders
from helpers.http_server import STOP_POLL

BODY = json.dumps({"data": [{"id": "acme/model-1", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}]})


def test_503_is_retried_then_loaded(tmp_path):
    hits: list[str] = []

    class Flaky(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            hits.append(self.path)
            if self.path == "/models" and hits.count("/models") == 1:
                self.send_response(503)
                self.end_headers()
                return
            if self.path != "/models":
                self.send_response(404)
                self.end_headers()
                return
            data = BODY.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, args=(STOP_POLL,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/models"
        planned = [PlannedSource("openrouter", "t-retry", datetime(2026, 1, 1, tzinfo=UTC), [url], ["json"])]
        settings = {"RETRY_BACKOFF_BASE": 0.05, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}
        out = run_spiders(planned, tmp_path / "stage", tmp_path / "archive", settings)
    finally:
        server.shutdown()
        server.server_close()
    assert hits.count("/models") == 2
    assert out["openrouter"].run.status == "ok" and out["openrouter"].run.items == 2
    assert "/robots.txt" in hits  # robots.txt is asked first (ROBOTSTXT_OBEY)
