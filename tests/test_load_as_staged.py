"""A replay loads each source's staged run as soon as it is on disk; the final load keeps those results and loads
only the rest, and a busy warehouse leaves every load to the final one (which waits for it, as before)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from aiprices.schedules.load_as_staged import LoadAsStaged
from aiprices.schedules.loading import StagedBatch, load_batch
from aiprices.schedules.spawn import PlannedSource, StagedOutcomes, _Finished, _stage_if_missing
from aiprices.warehouse.connection import connect
from aiprices.warehouse.staging import RunRecord, is_staged, read_staged_run, write_staged_run

AT = datetime(2026, 6, 1, tzinfo=UTC)
SOURCES = ("groq", "xai")


def _row(source: str) -> dict:
    return {
        "source": source, "vendor": source, "model": "m1", "source_model_key": "m1", "price_key": "input",
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "time_window": "", "price": Decimal("1.5"), "effective_from": None,
        "effective_to": None, "source_url": f"https://{source}.test",
        "source_field": "table", "inferred_rule": None,
    }  # fmt: skip


def _batch(folder: Path) -> StagedBatch:
    planned = [PlannedSource(s, f"b-{s}", AT) for s in SOURCES]
    for p in planned:
        write_staged_run(folder / p.source, RunRecord(p.run_id, p.source, "replay", AT, AT, AT), [_row(p.source)])
    return StagedBatch(folder, "replay", planned)


def _loaded_runs(con) -> list[str]:
    return [r for (r,) in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]


def test_a_run_heard_is_loaded_at_once_and_the_final_load_keeps_its_result(tmp_path, db_path):
    batch = _batch(tmp_path / "batch")
    with LoadAsStaged(db_path) as loads:
        loads.listener(batch)(["groq"])
        assert _loaded_runs(loads.con) == ["b-groq"]
        kept = {source: r for (_, source), r in loads.results.items()}
        results = load_batch(loads.con, batch, kept)
        assert _loaded_runs(loads.con) == ["b-groq", "b-xai"]
    assert [(r.source, r.status, r.added) for r in results] == [("groq", "ok", 1), ("xai", "ok", 1)]
    assert results[0] is kept["groq"]


def test_without_the_kept_result_the_run_would_read_already_loaded(tmp_path, db_path):
    batch = _batch(tmp_path / "batch")
    with LoadAsStaged(db_path) as loads:
        loads.listener(batch)(["groq"])
        results = load_batch(loads.con, batch)
    assert [r.status for r in results] == ["already loaded", "ok"]


HOLDER = """
import sys, time
from aiprices.warehouse.connection import connect
con = connect(sys.argv[1])
print("HOLDING", flush=True)
sys.stdin.readline()
con.close()
"""


def test_a_busy_warehouse_leaves_every_load_to_the_final_one(tmp_path, db_path):
    batch = _batch(tmp_path / "batch")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        with LoadAsStaged(db_path) as loads:
            loads.listener(batch)(["groq"])  # the warehouse is busy: no wait, nothing loaded
            assert (loads.con, loads.results, loads.enabled) == (None, {}, False)
            assert loads.listener(batch) is None
    finally:
        holder.communicate("\n", timeout=30)
    con = connect(db_path)
    try:
        assert [r.status for r in load_batch(con, batch)] == ["ok", "ok"]
    finally:
        con.close()


def test_a_live_crawl_loads_nothing_early(tmp_path, db_path):
    with LoadAsStaged(db_path, enabled=False) as loads:
        loads.open()
        assert loads.listener(_batch(tmp_path / "batch")) is None
    assert not db_path.exists()


def test_the_warehouse_opens_while_the_crawlers_start_and_loads_with_one_thread(tmp_path, db_path):
    with LoadAsStaged(db_path) as loads:
        loads.open()  # run_spiders' on_started: before any source is staged
        assert db_path.exists() and _loaded_runs(loads.con) == []
        assert loads.con.execute("SELECT current_setting('threads')").fetchone() == (1,)
        con = loads.con
        loads.listener(_batch(tmp_path / "batch"))(["xai"])
        assert loads.con is con and _loaded_runs(con) == ["b-xai"]


def test_a_busy_warehouse_at_open_leaves_every_load_to_the_final_one(tmp_path, db_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        with LoadAsStaged(db_path) as loads:
            loads.open()
            assert (loads.con, loads.enabled) == (None, False)
            assert loads.listener(_batch(tmp_path / "batch")) is None
    finally:
        holder.communicate("\n", timeout=30)


def test_each_staged_source_is_heard_once_and_counted(tmp_path):
    planned = [PlannedSource(s, f"b-{s}", AT) for s in SOURCES]
    heard, counts = [], []
    finished = _Finished(tmp_path, planned, counts.append, heard.append)
    finished.check()
    (tmp_path / "xai").mkdir()
    finished.check()
    finished.check()
    (tmp_path / "groq").mkdir()
    finished.check()
    assert heard == [["xai"], ["groq"]]
    assert counts == [0, 1, 2]


def test_a_source_staged_during_a_load_is_heard_before_the_next_wait(tmp_path):
    """While one source loads, an earlier one in the plan's order may be staged: one look hears both, instead of
    leaving the second to the next look (a poll interval later)."""
    planned = [PlannedSource(s, f"b-{s}", AT) for s in SOURCES]  # groq before xai
    heard = []

    def load(sources: list[str]) -> None:
        heard.append(sources)
        if sources == ["xai"]:
            (tmp_path / "groq").mkdir()  # staged while xai loads

    finished = _Finished(tmp_path, planned, None, load)
    (tmp_path / "xai").mkdir()
    finished.check()
    assert heard == [["xai"], ["groq"]]


def test_a_source_left_without_a_staged_run_gets_a_failed_one_and_the_others_are_read_when_asked(tmp_path):
    planned = [PlannedSource(s, f"b-{s}", AT) for s in ("groq", "xai", "cohere", "deepseek")]
    write_staged_run(tmp_path / "groq", RunRecord("b-groq", "groq", "replay", AT, AT, AT), [_row("groq")])
    write_staged_run(tmp_path / "xai", RunRecord("b-xai", "xai", "replay", AT, AT, AT), [])
    (tmp_path / "xai" / "rows.jsonl").write_text("{}\n")  # whole, but one row more than its run.json says
    for p in planned:
        _stage_if_missing(p, tmp_path, {"cohere": "crawler process failed (exit 1)"})
    outcomes = StagedOutcomes(tmp_path, planned)
    assert list(outcomes) == ["groq", "xai", "cohere", "deepseek"]
    assert (outcomes["groq"].run.status, len(outcomes["groq"].rows)) == ("ok", 1)
    assert outcomes["xai"].run.status == "failed" and "refused" in outcomes["xai"].run.error
    assert is_staged(tmp_path / "xai")  # left as it is: the load records it as failed, with the same reason
    assert read_staged_run(tmp_path / "cohere").run.error == "crawler process failed (exit 1)"
    assert read_staged_run(tmp_path / "deepseek").run.error.endswith("deepseek: no staged run there")
