"""Process-level faults with a real DuckDB file: the loader killed by SIGKILL mid-transaction, a reader
during a load, and two crawls started at once (one waits or exits with a clear message)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.doctor import run_checks
from aiprices.warehouse.errors import WarehouseLocked
from helpers.built_once import build_once, copy_warehouse

N_ROWS = 3000

LOADER = """
import sys, time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from aiprices.warehouse.connection import connect
from aiprices.warehouse.ledger import Batch, Ledger
from aiprices.warehouse.load import apply_run, flush
from aiprices.warehouse.staging import RunRecord, StagedRun

db, day, n, mode, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], Path(sys.argv[5])
rows = [{
    "source": "groq", "vendor": "groq", "model": f"m{i}", "source_model_key": f"m{i}", "price_key": "input",
    "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
    "variant": "", "currency": "USD", "price": Decimal(day) + Decimal(i) / 1000, "source_url": "https://g.test",
    "source_field": "table", "inferred_rule": None} for i in range(n)]
con = connect(db)
at = datetime(2026, 6, day, tzinfo=UTC)
run = RunRecord(f"k{day}", "groq", "crawl", at, at, at)
ledger, batch = Ledger.from_db(con, "groq"), Batch()
apply_run(ledger, batch, StagedRun(run, rows))

def pause():
    print("IN_TRANSACTION", flush=True)
    deadline = time.monotonic() + 60
    while mode == "pause" and not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)

flush(con, batch, before_commit=pause)
con.close()
print("COMMITTED", flush=True)
"""


def start_loader(db: Path, day: int, mode: str, go: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", LOADER, str(db), str(day), str(N_ROWS), mode, str(go)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def load_day(db: Path, day: int) -> None:
    proc = start_loader(db, day, "commit", db.parent / "unused")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "COMMITTED" in out, err


@pytest.fixture(scope="module")
def day_1(tmp_path_factory) -> Path:
    """Day 1 committed by the loader process, once per session; each test loads its own copy of the file."""
    return build_once(tmp_path_factory, "faults-process-day-1", lambda f: load_day(f / "prices.duckdb", 1))


@pytest.fixture
def loaded_day_1(day_1, db_path) -> Path:
    return copy_warehouse(day_1 / "prices.duckdb", db_path)


def wait_for(proc: subprocess.Popen, line: str) -> None:
    got = proc.stdout.readline().strip()
    if got != line:
        proc.kill()
        pytest.fail(f"expected {line!r}, got {got!r}: {proc.stderr.read()[-500:]}")


def prices(db: Path) -> tuple:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT count(*), min(price), max(price), (SELECT count(*) FROM crawl_runs) FROM prices_current"
        ).fetchone()
    finally:
        con.close()


def test_loader_killed_mid_transaction_leaves_the_warehouse_consistent(loaded_day_1):
    db_path = loaded_day_1  # day 1 loaded by the loader process
    assert prices(db_path) == (N_ROWS, Decimal("1"), Decimal("3.999"), 1)
    proc = start_loader(db_path, 2, "pause", db_path.parent / "never")
    wait_for(proc, "IN_TRANSACTION")  # every write of day 2 is done, COMMIT is not
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # The warehouse opens (writable: WAL replay) with day 1 only, and every check passes.
    con = connect(db_path)
    assert run_checks(con) == []
    assert con.execute("SELECT count(*) FROM crawl_runs WHERE run_id = 'k2'").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM price_changes").fetchone() == (N_ROWS,)
    con.close()
    assert prices(db_path) == (N_ROWS, Decimal("1"), Decimal("3.999"), 1)
    # The rerun completes.
    load_day(db_path, 2)
    assert prices(db_path) == (N_ROWS, Decimal("2"), Decimal("4.999"), 2)
    con = connect(db_path, read_only=True)
    assert run_checks(con) == []
    con.close()


def test_reader_during_a_load_waits_then_reads_the_committed_data(loaded_day_1):
    db_path = loaded_day_1  # day 1 loaded by the loader process
    go = db_path.parent / "go"
    proc = start_loader(db_path, 2, "pause", go)
    try:
        wait_for(proc, "IN_TRANSACTION")
        with pytest.raises(WarehouseLocked, match=rf"locked by another process: a writer \(pid {proc.pid}: "):
            connect(db_path, read_only=True, wait_seconds=0.2)
        env = {**os.environ, "AIPRICES_DB": str(db_path)}
        reader = subprocess.Popen(
            [sys.executable, "-m", "aiprices", "sql", "SELECT min(price) AS p FROM prices_current", "--format",
             "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        go.touch()  # the load commits and closes; the waiting reader then gets in
        out, err = reader.communicate(timeout=60)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert reader.returncode == 0, err
    assert [Decimal(str(r["p"])) for r in json.loads(out)] == [Decimal("2")]  # day 2, committed


READER = """
import sys, time
from aiprices.warehouse.connection import connect
con = connect(sys.argv[1], read_only=True)
print("READING", flush=True)
time.sleep(60)
"""


def test_a_writer_refused_by_a_reader_names_the_reader(loaded_day_1):
    db_path = loaded_day_1  # day 1 loaded by the loader process
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        wait_for(reader, "READING")
        with pytest.raises(WarehouseLocked) as refused:
            connect(db_path, wait_seconds=0.2)
    finally:
        reader.kill()
        reader.communicate(timeout=30)
    message = str(refused.value)
    assert f"locked by another process: a reader (pid {reader.pid}: " in message
    assert "-c" in message and len(message.splitlines()) == 1


def openrouter_pages(folder: Path) -> Path:
    (folder / "openrouter").mkdir(parents=True)
    body = {"data": [{"id": "acme/gamma", "pricing": {"prompt": "0.000002", "completion": "0.000008"}}]}
    (folder / "openrouter" / "2026-07-01.json").write_text(json.dumps(body))
    return folder


HOLDER = """
import sys, time
from pathlib import Path
from aiprices.schedules.lock import CrawlLock
with CrawlLock(sys.argv[1]):
    print("LOCKED", flush=True)
    time.sleep(60)
"""


def run_now(db: Path, pages: Path, wait: str) -> subprocess.Popen:
    env = {**os.environ, "AIPRICES_DB": str(db)}
    env.pop("AIPRICES_WEBHOOK_URL", None)
    args = ["schedule", "run-now", "--json", "--no-registry", "--source", "openrouter", "--lock-wait", wait,
            "--crawl-arg=--from-archive", f"--crawl-arg={pages}"]  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "aiprices", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_crawls_at_once_one_exits_clearly_one_waits(tmp_path, db_path):
    pages = openrouter_pages(tmp_path / "pages")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(holder, "LOCKED")
        quick = run_now(db_path, pages, "0.2")
        out, err = quick.communicate(timeout=60)
        assert quick.returncode == 3
        assert f"another crawl is running (pid {holder.pid}" in err
        assert json.loads(out)["status"] == "skipped"
        patient = run_now(db_path, pages, "60")
        holder.send_signal(signal.SIGKILL)  # a crashed holder leaves no stale lock: the kernel drops it
        out, err = patient.communicate(timeout=120)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate(timeout=30)
    assert patient.returncode == 0, err
    assert json.loads(out)["status"] == "ok"
    con = connect(db_path, read_only=True)
    assert con.execute("SELECT status FROM crawl_runs").fetchall() == [("ok",)]
    con.close()
