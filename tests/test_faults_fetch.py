"""`registry refresh --url` within bounds (issue 13, item 3): redirects stay on the same host, the decoded body
is capped (a gzip bomb never inflates past the cap), and the whole fetch has a deadline (a drip is dropped)."""

from __future__ import annotations

import gzip
import json
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiprices.schedules.registry_fetch import MAX_BYTES, FetchError, fetch_registry
from aiprices.warehouse.connection import connect
from click.testing import CliRunner
from helpers.http_server import STOP_POLL

from aiprices.commands.registry import registry

REGISTRY = json.dumps({"gpt-test": {"litellm_provider": "openai", "input_cost_per_token": 2.5e-06}}, indent=4).encode()


def gzip_bomb(inflated: int) -> bytes:
    """A gzip member of ``inflated`` zero bytes, built in pieces (never held inflated in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(inflated >> 20)]
    return b"".join(parts) + packer.flush()


class Handler(BaseHTTPRequestHandler):
    bomb = b""

    def do_GET(self):  # noqa: N802 - http.server API
        port = self.server.server_port
        routes = {
            "/registry.json": lambda: self.body(REGISTRY),
            "/registry.json.gz": lambda: self.body(gzip.compress(REGISTRY), gzip=True),
            "/here": lambda: self.redirect("/registry.json.gz"),
            "/away": lambda: self.redirect(f"http://localhost:{port}/registry.json"),
            "/loop": lambda: self.redirect("/loop"),
            "/bomb": lambda: self.body(self.bomb, gzip=True),
            "/drip": self.drip,
        }
        routes.get(self.path, lambda: self.send_error(404))()

    def body(self, data: bytes, gzip: bool = False) -> None:
        self.send_response(200)
        if gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def drip(self) -> None:
        """The registry one byte every 50 ms (about 5 s in all): each read is quick, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(REGISTRY)))
        self.end_headers()
        try:
            for i in range(len(REGISTRY)):
                self.wfile.write(REGISTRY[i : i + 1])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    Handler.bomb = gzip_bomb(MAX_BYTES + (8 << 20))  # inflates to 8 MiB more than the default cap
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(STOP_POLL,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def refresh(url: str, db):
    return CliRunner().invoke(registry, ["refresh", "--url", url, "--db", str(db)])


def test_a_same_host_redirect_and_a_gzip_body_load(server, db_path):
    assert fetch_registry(f"{server}/here", db_path) == REGISTRY
    result = refresh(f"{server}/here", db_path.with_name("w.duckdb"))
    assert result.exit_code == 0 and "+1 added" in result.output


def test_a_redirect_to_another_host_is_refused_and_nothing_is_loaded(server, db_path):
    result = refresh(f"{server}/away", db_path)
    assert result.exit_code == 1 and isinstance(result.exception, FetchError)
    assert str(result.exception) == (
        f"{server}/away: redirected to another host (http://localhost:{server.rsplit(':', 1)[1]}/registry.json), "
        "refused"
    )
    assert not db_path.exists()


def test_endless_redirects_on_the_same_host_are_refused(server, db_path):
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_registry(f"{server}/loop", db_path)


def test_a_gzip_bomb_is_refused_at_the_cap_without_inflating(server, db_path):
    result = refresh(f"{server}/bomb", db_path)
    assert result.exit_code == 1
    assert str(result.exception) == f"{server}/bomb: larger than 64 MiB once decompressed, refused"
    assert not db_path.exists()
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1 MiB once decompressed"):
            fetch_registry(f"{server}/bomb", db_path, max_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20  # the body stops at the cap; the rest of the bomb is never inflated


def test_a_server_dripping_bytes_hits_the_total_deadline(server, db_path):
    with pytest.raises(FetchError, match=r"/drip: not complete after 1s, gave up"):
        fetch_registry(f"{server}/drip", db_path, deadline_seconds=1)
    con = connect(db_path)  # nothing was loaded or cached
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)
    con.close()
    assert not db_path.with_name(db_path.name + ".http-cache.json").exists()
