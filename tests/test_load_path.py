"""One load path: a registry copy and a crawled page go through the same ``load_run``, guards included.

The same story is told twice, once as three LiteLLM registry copies (a backfill: one complete run, then
incremental ones) and once as three crawls of a page (staged on disk, as the crawler leaves them): ten
models, then four (the item count fell by more than half: loaded as partial, nothing retired), then six
(an ok run, which retires the four models still missing). Both must leave the same history.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run, load_runs
from aiprices.warehouse.staging import RunRecord, StagedRun, read_staged_run, write_staged_run

DAYS = {"2026-03-01": 10, "2026-03-02": 4, "2026-03-03": 6}  # date -> models m0..m(n-1) listed that day


@pytest.fixture
def con(migrated_db):
    c = connect(migrated_db)
    yield c
    c.close()


def _history(con, source: str) -> tuple[list, list]:
    runs = con.execute(
        "SELECT observed_at::DATE::VARCHAR, status, items, removed FROM crawl_runs WHERE source = ? ORDER BY 1",
        [source],
    ).fetchall()
    changes = con.execute(
        "SELECT changed_on::VARCHAR, model, kind FROM price_changes WHERE source = ? ORDER BY ALL", [source]
    ).fetchall()
    return runs, changes


def _expected() -> tuple[list, list]:
    runs = [("2026-03-01", "ok", 10, 0), ("2026-03-02", "partial", 4, 0), ("2026-03-03", "ok", 6, 4)]
    changes = [("2026-03-01", f"m{i}", "added") for i in range(10)]
    changes += [("2026-03-03", f"m{i}", "removed") for i in range(6, 10)]
    return runs, sorted(changes)


def test_registry_copies_get_the_guard_and_changelog_of_a_crawl(tmp_path, con):
    folder = tmp_path / "copies"
    folder.mkdir()
    for day, n in DAYS.items():
        entries = {f"m{i}": {"input_cost_per_token": 1e-06, "litellm_provider": "openai"} for i in range(n)}
        (folder / f"{day}.json").write_text(json.dumps(entries, indent=4))
    result = backfill(con, folder)  # three copies, one transaction
    assert _history(con, "litellm") == _expected()
    assert any("2026-03-02.json: item count fell from 10" in w for w in result.warnings)


def test_crawled_pages_get_the_same_load(tmp_path, con):
    current = {"2026-03-01": 10, "2026-03-02": 10, "2026-03-03": 6}  # the partial run retired nothing
    for day, n in DAYS.items():
        at = datetime.fromisoformat(day).replace(tzinfo=UTC)
        rows = [
            price_row(source="groq", vendor="groq", model=f"m{i}", price_key="input", unit="usd_per_1m_tokens",
                      price=Decimal(1), source_url="https://groq.test/models")
            for i in range(n)
        ]  # fmt: skip
        run = RunRecord(f"crawl-{day}-groq", "groq", "crawl", at, at, at, items=len(rows))
        staged = read_staged_run(write_staged_run(tmp_path / day / "groq", run, rows))
        # every current page price is cross-checked, here against an empty registry
        assert load_run(con, staged).crosschecks == {"missing_in_registry": current[day]}
    assert _history(con, "groq") == _expected()


def test_an_incremental_run_replaces_only_the_keys_it_names(con):
    def run(day: int) -> RunRecord:
        at = datetime(2026, 3, day, tzinfo=UTC)
        return RunRecord(f"reg-{day}", "litellm", "registry", at, at, at)

    def rows(*prices: tuple[str, str, str]) -> list[dict]:
        return [
            price_row(source="litellm", vendor="x", model=m, price_key=k, unit="usd_per_1m_tokens", price=Decimal(p))
            for m, k, p in prices
        ]

    first = rows(("a", "input", "1"), ("a", "output", "2"), ("b", "input", "3"), ("c", "input", "4"))
    results = load_runs(
        con,
        [
            StagedRun(run(1), first),
            StagedRun(run(2), rows(("a", "input", "1.5")), complete=False, removed_keys=frozenset({"c"})),
        ],
    )
    assert [(r.added, r.changed, r.removed) for r in results] == [(4, 0, 0), (0, 1, 2)]
    current = con.execute("SELECT model, price_key, price FROM prices_current ORDER BY ALL").fetchall()
    # a's output is gone (a's rows were replaced), b is untouched, c was removed
    assert current == [("a", "input", Decimal("1.5")), ("b", "input", Decimal("3"))]
    assert con.execute("SELECT items FROM crawl_runs WHERE run_id = 'reg-2'").fetchone() == (2,)
