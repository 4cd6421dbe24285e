"""No crash leaves a warehouse unopenable (issue 13, item 2), and damage is never reported as a lock (item 4).

Loads into a *new* file are killed with SIGKILL at many points, measured from the moment the file (or its
private build folder) first appears; every time the file then opens, passes ``doctor`` and loads again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import duckdb
import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.errors import WalUnreplayable, WarehouseDamaged
from aiprices.warehouse.migrations import MIGRATIONS, applied_versions
from aiprices.warehouse.new_file import create_atomically
from click.testing import CliRunner
from helpers.cli import run_aiprices

from aiprices.commands.doctor import doctor
from aiprices.commands.query import sql

COPIES = ("2025-01-03", "2025-06-01", "2025-12-07")


def aiprices(*args: str) -> list[str]:
    return [sys.executable, "-m", "aiprices", *args]


@pytest.fixture
def copies(tmp_path, registry_dir) -> Path:
    folder = tmp_path / "copies"
    folder.mkdir()
    for day in COPIES:
        (folder / f"{day}.json.gz").symlink_to(registry_dir / f"{day}.json.gz")
    return folder


def builds(db: Path) -> list[Path]:
    return list(db.parent.glob(f".{db.name}.creating-*"))


def kill_soon_after_the_file_appears(args: list[str], db: Path, delay: float) -> None:
    """Start ``args`` in its own process group; SIGKILL the group ``delay`` s after the file or its build starts."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not (db.exists() or builds(db)) and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def doctor_passes(db: Path) -> dict:
    result = CliRunner().invoke(doctor, ["--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def run_ids(db: Path) -> list[str]:
    con = connect(db, read_only=True)
    try:
        return [r for (r,) in con.execute("SELECT run_id FROM crawl_runs ORDER BY run_id").fetchall()]
    finally:
        con.close()


# Points in distinct phases: the build folder's start, mid-migration, mid-load transaction, around its commit.
@pytest.mark.parametrize("delay", [0.0, 0.06, 0.3, 0.6])
def test_a_backfill_into_a_new_file_killed_at_any_point_leaves_it_openable(tmp_path, copies, delay):
    db = tmp_path / "new" / "prices.duckdb"
    kill_soon_after_the_file_appears(aiprices("backfill", "litellm", str(copies), "--db", str(db)), db, delay)
    if db.exists():
        assert doctor_passes(db)["recovered"] is None  # opened as is: nothing to recover
        assert len(run_ids(db)) in (0, len(COPIES))  # the backfill is one transaction
    again = run_aiprices("backfill", "litellm", str(copies), "--db", str(db))  # the next writer: in process
    assert again.returncode == 0, again.stderr
    assert len(run_ids(db)) == len(COPIES)
    assert builds(db) == []  # a build folder left by the killed process is swept by the next writer
    assert doctor_passes(db)["ok"]


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.4])
def test_a_crawl_into_a_new_file_killed_at_any_point_leaves_it_openable(tmp_path, vendor_pages, delay):
    db = tmp_path / "new" / "prices.duckdb"
    args = ["crawl", "openrouter", "--from-archive", str(vendor_pages), "--on", "2026-08-02", "--processes", "1"]
    kill_soon_after_the_file_appears(aiprices(*args, "--db", str(db)), db, delay)
    if db.exists():
        assert doctor_passes(db)["recovered"] is None
        assert len(run_ids(db)) in (0, 1)


def test_every_migration_replays_from_the_write_ahead_log(db_path):
    """A process killed after migrating but before any checkpoint: the next open replays every migration."""
    script = (
        "import duckdb, os, sys\n"
        "from aiprices.warehouse.migrations import migrate\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "migrate(con)\n"
        "os._exit(0)\n"  # no close, no checkpoint: everything is in the WAL, as after a kill -9
    )
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True)
    assert db_path.with_name(db_path.name + ".wal").stat().st_size > 0
    con = connect(db_path)
    try:
        applied = con.execute("SELECT max(version), count(*) FROM schema_migrations").fetchone()
    finally:
        con.close()
    assert applied == (MIGRATIONS[-1][0], len(MIGRATIONS))  # versions may leave gaps


SCHEMA = (
    "SELECT table_name, column_name, column_index, data_type, column_default, is_nullable FROM duckdb_columns() "
    "WHERE NOT internal ORDER BY ALL"
)


def test_a_warehouse_made_before_003_migrates_to_the_schema_of_a_new_one(tmp_path):
    """003 rebuilds `changes` instead of altering it: existing rows get ids in their order, the schema is equal."""
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    applied_versions(con)  # creates the record table
    for version, name in MIGRATIONS[:2]:
        con.execute(resources.files("aiprices.warehouse").joinpath("sql", name).read_text())
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.execute(
        "INSERT INTO changes SELECT 'r', TIMESTAMPTZ '2026-01-01' - to_days(range::INT), 'p' || range, 'groq', "
        "'groq', 'm', 'm', 'input', 'usd_per_1m_tokens', 'standard', 0, '', '', 'USD', NULL, 1, 'added', NULL, "
        "NULL, NULL FROM range(5)"
    )
    con.close()
    migrated, new = connect(old), connect(tmp_path / "new.duckdb")
    try:
        assert migrated.execute(SCHEMA).fetchall() == new.execute(SCHEMA).fetchall()
        ids = migrated.execute("SELECT price_id, change_id FROM changes ORDER BY change_id").fetchall()
        assert ids == [(f"p{i}", i + 1) for i in range(5)]
    finally:
        migrated.close()
        new.close()


def test_a_build_that_fails_leaves_no_file_and_no_build_folder(tmp_path):
    db = tmp_path / "prices.duckdb"

    def half_built(path: Path) -> None:
        path.write_bytes(b"half a header")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        create_atomically(db, half_built)
    assert not db.exists() and builds(db) == []


WAL_WRITER = """
import os, sys
from aiprices.warehouse.connection import connect
con = connect(sys.argv[1])
con.execute("SET checkpoint_threshold = '1GB'")
con.execute("INSERT INTO runs (run_id, source, kind, observed_at, started_at, status) "
            "VALUES ('only-in-the-wal', 'groq', 'crawl', now(), now(), 'ok')")
for statement in sys.argv[2:]:
    con.execute(statement)
os._exit(0)  # like kill -9: the committed work is only in the WAL
"""


def committed_only_in_the_wal(db: Path, *statements: str) -> Path:
    connect(db).close()  # migrated and checkpointed
    subprocess.run([sys.executable, "-c", WAL_WRITER, str(db), *statements], check=True)
    return db.with_name(db.name + ".wal")


def test_doctor_recovers_a_wal_duckdb_cannot_replay_keeping_every_committed_transaction(db_path):
    # DuckDB 1.5 cannot replay this from its WAL on open (the bug 003_guards.sql used to trigger)
    committed_only_in_the_wal(
        db_path, "CREATE SEQUENCE probe_seq", "ALTER TABLE runs ADD COLUMN probe BIGINT DEFAULT nextval('probe_seq')"
    )
    try:
        connect(db_path, read_only=True).close()
        pytest.skip("this DuckDB replays ALTER ... DEFAULT nextval from its WAL: nothing to recover")
    except WalUnreplayable as exc:
        assert "cannot be replayed" in str(exc) and f"aiprices doctor --db {db_path}" in str(exc)
    report = doctor_passes(db_path)
    assert report["recovered"].startswith(f"recovered {db_path}: DuckDB could not replay its write-ahead log")
    assert "every committed transaction kept" in report["recovered"]
    assert run_ids(db_path) == ["only-in-the-wal"]
    kept = sorted(p.name for p in db_path.parent.glob("prices.duckdb.before-recovery-*"))
    assert len(kept) == 2 and kept[1] == kept[0] + ".wal"


def test_doctor_recovers_a_damaged_wal_to_the_last_checkpoint_and_keeps_the_log(db_path):
    wal = committed_only_in_the_wal(db_path)
    damaged = bytearray(wal.read_bytes())
    for i in range(60, len(damaged), 50):
        damaged[i] ^= 0xFF
    wal.write_bytes(damaged)
    with pytest.raises(WalUnreplayable):
        connect(db_path, read_only=True)
    report = doctor_passes(db_path)
    assert report["recovered"].startswith(f"recovered {db_path} to its last checkpoint")
    assert "load them again" in report["recovered"]
    assert run_ids(db_path) == []  # the only run was in the damaged log
    (kept,) = db_path.parent.glob("prices.duckdb.before-recovery-*.wal")
    assert kept.read_bytes() == bytes(damaged) and kept.name in report["recovered"]


def flip_bytes(path: Path, count: int) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(13)
    for _ in range(count):
        data[rng.randrange(len(data))] ^= 0xFF
    path.write_bytes(data)


def test_a_file_with_flipped_bytes_is_damaged_not_locked(tmp_path, copies):
    db = tmp_path / "prices.duckdb"
    assert run_aiprices("backfill", "litellm", str(copies), "--db", str(db)).returncode == 0
    flip_bytes(db, 1000)
    with pytest.raises(WarehouseDamaged) as damaged:
        connect(db, read_only=True, wait_seconds=60)
    assert "is damaged, not locked" in str(damaged.value) and "aiprices doctor" in str(damaged.value)
    query = CliRunner().invoke(sql, ["SELECT 1", "--db", str(db)])
    assert isinstance(query.exception, WarehouseDamaged) and "locked by" not in str(query.exception)
    result = CliRunner().invoke(doctor, ["--db", str(db)])
    assert result.exit_code == 1
    assert f"warehouse {db} is damaged (" in result.output and "cannot be repaired in place" in result.output


def test_a_file_that_is_not_duckdb_is_damaged_not_locked(db_path):
    db_path.write_bytes(b"not a database")
    with pytest.raises(WarehouseDamaged, match="not a valid DuckDB database file"):
        connect(db_path, wait_seconds=60)
