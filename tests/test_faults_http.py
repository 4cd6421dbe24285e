"""Fault injection against the real Scrapy engine and a real DuckDB file: a loopback server we control
misbehaves (500s, timeouts, truncated bodies, layout changes, prices x1000, a blocked page, the same day
twice), and each test asserts what the warehouse holds afterwards."""

from __future__ import annotations

import json
import shutil
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiprices.schedules.loading import StagedBatch, load_batch
from aiprices.schedules.spawn import PlannedSource, run_spiders
from aiprices.warehouse.connection import connect
from aiprices.warehouse.doctor import run_checks
from aiprices.warehouse.guards import accept, list_held
from helpers.built_once import build_once, copy_warehouse
from helpers.http_server import STOP_POLL

SETTINGS = {
    "RETRY_TIMES": 2,
    "RETRY_BACKOFF_BASE": 0.05,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 1,
    "LOG_LEVEL": "WARNING",
}
MODELS = {"acme/alpha": ("0.000001", "0.000002"), "acme/beta": ("0.000003", "0.000015")}


def page(models: dict[str, tuple[str, str]], scale: int = 1) -> bytes:
    """Our own OpenRouter-style body (USD per token, as strings)."""
    data = [
        {"id": mid, "pricing": {"prompt": str(Decimal(p) * scale), "completion": str(Decimal(c) * scale)}}
        for mid, (p, c) in models.items()
    ]
    return json.dumps({"data": data}).encode()


class FaultServer:
    """Loopback server for ``/models``: ``mode`` picks the fault; every hit is counted."""

    def __init__(self):
        self.mode = "ok"
        self.body = page(MODELS)
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                if self.path != "/models":
                    self.send_response(404)
                    self.end_headers()
                    return
                outer.hits += 1
                if outer.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if outer.mode == "slow":
                    time.sleep(3)  # past DOWNLOAD_TIMEOUT; bounded
                    return
                body = outer.body
                self.send_response(200)
                self.send_header("Content-Type", outer.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if outer.mode == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)  # the connection drops mid-body
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.content_type = "application/json"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(STOP_POLL,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/models"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    s = FaultServer()
    yield s
    s.close()


def _crawl_day_1(folder) -> None:
    server, con = FaultServer(), connect(folder / "prices.duckdb")
    try:
        res = crawl_once(con, folder, server, 1)
    finally:
        con.close()
        server.close()
    assert (res.status, res.added) == ("ok", 4)


@pytest.fixture(scope="module")
def baseline_file(tmp_path_factory):
    """Day 1 crawled once for the session (its own server, the normal page); each test loads a copy of the file."""
    return build_once(tmp_path_factory, "faults-http-baseline", _crawl_day_1) / "prices.duckdb"


@pytest.fixture
def con(db_path, baseline_file):
    copy_warehouse(baseline_file, db_path)  # a closed DuckDB file: the copy is the same warehouse
    c = connect(db_path)
    yield c
    c.close()


def planned_day(server, day: int, run: str | None = None) -> list[PlannedSource]:
    run_id = run or f"f{day}-openrouter"
    return [PlannedSource("openrouter", run_id, datetime(2026, 5, day, tzinfo=UTC), [server.url], ["json"])]


def crawl_once(con, tmp_path, server, day: int, run: str | None = None, settings: dict = SETTINGS):
    planned = planned_day(server, day, run)
    stage = tmp_path / f"stage-{planned[0].run_id}"
    run_spiders(planned, stage, tmp_path / "archive", settings)
    return load_batch(con, StagedBatch(stage, "crawl", planned))[0]


def load_staged_copy(con, staged, tmp_path, planned: list[PlannedSource]):
    """Load a copy of a run staged once for the session (the load, not the crawl, is under test)."""
    stage = shutil.copytree(staged, tmp_path / f"stage-copy-{planned[0].run_id}")
    return load_batch(con, StagedBatch(stage, "crawl", planned))[0]


def _stage_day_2_x1000(folder) -> None:
    server = FaultServer()
    server.body = page(MODELS, scale=1000)
    try:
        run_spiders(planned_day(server, 2), folder / "stage", folder / "archive", SETTINGS)
    finally:
        server.close()


@pytest.fixture(scope="module")
def staged_x1000(tmp_path_factory):
    """Day 2 with every price x1000, crawled once for the session; the tests that load it take a copy."""
    return build_once(tmp_path_factory, "faults-http-x1000", _stage_day_2_x1000) / "stage"


def snapshot(con) -> dict:
    rows = con.execute("SELECT model, price_key, price FROM prices_current ORDER BY 1, 2").fetchall()
    return {(m, k): p for m, k, p in rows}


def assert_unharmed(con, before: dict) -> None:
    assert snapshot(con) == before
    assert con.execute("SELECT count(*) FROM price_changes WHERE kind = 'removed'").fetchone() == (0,)
    assert run_checks(con) == []


@pytest.fixture
def baseline(con):
    before = snapshot(con)
    assert before[("acme/alpha", "input")] == Decimal("1") and before[("acme/beta", "output")] == Decimal("15")
    return before


def test_http_500_is_retried_then_fails_without_removals(con, tmp_path, server, baseline):
    server.mode = "500"
    res = crawl_once(con, tmp_path, server, 2)
    assert server.hits == 3  # the first try and RETRY_TIMES=2 retries
    assert res.status == "failed" and "500" in res.error
    assert_unharmed(con, baseline)
    sql = "SELECT status, aggregator FROM vendor_status WHERE vendor = 'openrouter'"
    status, aggregator = con.execute(sql).fetchone()
    assert status == "failed" and aggregator  # the crawler's per-source fact, stored with each run (failed too)


def test_timeout_is_retried_then_fails_without_removals(con, tmp_path, server, baseline):
    server.mode = "slow"
    res = crawl_once(con, tmp_path, server, 2, settings={**SETTINGS, "DOWNLOAD_TIMEOUT": 0.5})  # the server takes 3 s
    assert server.hits == 3
    assert res.status == "failed" and "timeout" in res.error.lower()
    assert_unharmed(con, baseline)


def test_truncated_body_fails_without_removals(con, tmp_path, server, baseline):
    server.mode = "truncate"
    res = crawl_once(con, tmp_path, server, 2)
    assert res.status == "failed" and res.error
    assert_unharmed(con, baseline)


def test_layout_change_with_zero_items_fails_without_removals(con, tmp_path, server, baseline):
    server.body = json.dumps({"models": [{"slug": "acme/alpha", "price": "1"}]}).encode()
    res = crawl_once(con, tmp_path, server, 2)
    assert res.status == "failed" and res.items == 0 and res.error.startswith("layout changed")
    assert_unharmed(con, baseline)


def test_blocked_page_fails_without_removals(con, tmp_path, server, baseline):
    server.content_type = "text/html; charset=utf-8"
    server.body = (
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        b"<div id='challenge-running'>Checking your browser before accessing</div>"
        b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>"
    )
    res = crawl_once(con, tmp_path, server, 2)
    assert res.status == "failed" and res.error
    assert_unharmed(con, baseline)


def test_coverage_drop_with_a_fine_item_count_loads_partial_without_removals(con, tmp_path, server, baseline):
    # beta's prices move to a field the extractor does not know: 4 items still (gamma is new), but a third
    # of the priced models now gives no price
    data = json.loads(page({**MODELS, "acme/gamma": ("0.000001", "0.000001")}))
    data["data"][1]["pricing"] = {"teleport": "0.000003"}
    server.body = json.dumps(data).encode()
    res = crawl_once(con, tmp_path, server, 2)
    assert (res.status, res.items, res.removed) == ("partial", 4, 0)
    assert (res.rows_seen, res.rows_priced, res.unpriced) == (3, 2, ["acme/beta"])
    error, coverage, warnings = con.execute(
        "SELECT error, coverage, warnings FROM crawl_runs WHERE run_id = 'f2-openrouter'"
    ).fetchone()
    assert "unpriced rows (1 of 3): acme/beta" in warnings  # the misses by name
    assert error.startswith("coverage fell from 100.0% (run f1-openrouter) to 66.7%") and coverage == Decimal("0.6667")
    assert snapshot(con)[("acme/beta", "output")] == Decimal("15")  # kept, not retired


def test_prices_x1000_are_quarantined_until_the_next_crawl_confirms(con, tmp_path, server, baseline, staged_x1000):
    server.body = page(MODELS, scale=1000)
    res = load_staged_copy(con, staged_x1000, tmp_path, planned_day(server, 2))
    assert res.status == "ok" and res.changed == 4
    assert snapshot(con) == baseline  # recorded but not applied
    flags = con.execute("SELECT DISTINCT flag FROM price_changes WHERE kind = 'changed'").fetchall()
    assert flags == [("quarantined",)]
    (warn,) = con.execute("SELECT warnings FROM crawl_runs WHERE run_id = 'f2-openrouter'").fetchone()
    assert "4 suspect change(s) quarantined" in warn
    assert sorted(h.new_price for h in list_held(con))[:2] == [Decimal("1000"), Decimal("2000")]
    res = crawl_once(con, tmp_path, server, 3)  # the next day shows the same: confirmed
    assert snapshot(con)[("acme/alpha", "input")] == Decimal("1000")
    assert list_held(con) == [] and run_checks(con) == []
    (applied_from,) = con.execute(
        "SELECT min(valid_from)::DATE::VARCHAR FROM price_history WHERE price = 1000"
    ).fetchone()
    assert applied_from == "2026-05-02"


def test_x1000_then_back_to_normal_never_reprices(con, tmp_path, server, baseline, staged_x1000):
    assert load_staged_copy(con, staged_x1000, tmp_path, planned_day(server, 2)).status == "ok"
    server.body = page(MODELS)
    crawl_once(con, tmp_path, server, 3)
    assert_unharmed(con, baseline)
    statuses = con.execute("SELECT DISTINCT status FROM quarantined_changes").fetchall()
    assert statuses == [("superseded",)]
    assert con.execute("SELECT count(*) FROM price_history").fetchone() == (4,)
    with pytest.raises(Exception, match="already decided"):
        accept(con, con.execute("SELECT min(change_id) FROM quarantine").fetchone()[0])


def test_same_day_crawled_twice_adds_no_duplicate_rows(con, tmp_path, server, baseline, baseline_file):
    counts = "SELECT (SELECT count(*) FROM price_intervals), (SELECT count(*) FROM changes)"
    before = con.execute(counts).fetchone()
    day_1 = baseline_file.parent / "stage-f1-openrouter"  # the baseline's own staged run, loaded again
    again = load_staged_copy(con, day_1, tmp_path, planned_day(server, 1, run="f1-openrouter"))
    assert again.status == "already loaded"
    later = crawl_once(con, tmp_path, server, 1, run="f1b-openrouter")  # same day, a new run id
    assert later.status == "already loaded"  # same source, time and content: a no-op
    assert con.execute(counts).fetchone() == before
    (n_runs,) = con.execute("SELECT count(*) FROM crawl_runs").fetchone()
    assert n_runs == 1
    assert_unharmed(con, baseline)
