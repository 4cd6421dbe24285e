"""The real Scrapy engine (one subprocess per crawl) against a loopback server, loading a real DuckDB file."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.crawler.archive import Archive
from aiprices.schedules.captures import pick_captures
from aiprices.schedules.runs import CrawlRequest, crawl, plan_replay
from aiprices.schedules.spawn import run_spiders
from aiprices.warehouse.connection import connect
from helpers.built_once import build_once
from helpers.shared import shared_path


def replay(con, db_path, sources, folder, on, **options):
    """Replay ``folder`` on ``on`` into the warehouse; each source's result."""
    return crawl(CrawlRequest(db_path, sources, from_archive=folder, on=on, **options), con).results


def link(folder: Path, source: str, name: str, target: Path) -> None:
    """Lay out a replay folder from shared captures with symlinks (nothing is copied)."""
    (folder / source).mkdir(parents=True, exist_ok=True)
    (folder / source / name).symlink_to(target)


@pytest.fixture
def con(migrated_db):
    con = connect(migrated_db)
    yield con
    con.close()


def test_openrouter_two_dates_put_the_deepseek_change_in_price_changes(vendor_pages, con, db_path):
    first = replay(con, db_path, ["openrouter"], vendor_pages, date(2026, 7, 20))
    assert [(r.source, r.status, r.items) for r in first] == [("openrouter", "ok", 1264)]
    second = replay(con, db_path, ["openrouter"], vendor_pages, date(2026, 8, 2))
    assert second[0].status == "ok" and second[0].changed > 0
    rows = con.execute(
        "SELECT changed_on, price_key, old_price, new_price, kind FROM price_changes "
        "WHERE model = 'deepseek/deepseek-chat' AND kind = 'changed' ORDER BY price_key"
    ).fetchall()
    assert rows == [
        (date(2026, 8, 2), "input", Decimal("0.2002"), Decimal("0.2574"), "changed"),
        (date(2026, 8, 2), "output", Decimal("0.8001"), Decimal("1.0287"), "changed"),
    ]
    # The raw bodies are archived, content-addressed, linked to their runs.
    archive = Archive(db_path.parent / "archive")
    entries = list(archive.entries())
    assert [e.source for e in entries] == ["openrouter", "openrouter"]
    assert entries[0].sha256 != entries[1].sha256
    body = archive.get(entries[1].sha256)
    assert body == (vendor_pages / "openrouter" / "2026-08-02.json").read_bytes()
    # Replaying the same date again changes nothing; the body is stored once.
    again = replay(con, db_path, ["openrouter"], vendor_pages, date(2026, 8, 2))
    assert again[0].status == "already loaded" and (again[0].added, again[0].changed, again[0].removed) == (0, 0, 0)
    assert len(list((db_path.parent / "archive" / "objects").rglob("*.gz"))) == 2


def _meter(name: str, unit: str, price: str) -> dict:
    return {
        "serviceName": "Foundry Models",
        "productName": "Azure OpenAI",
        "meterName": name,
        "unitOfMeasure": unit,
        "retailPrice": float(price),
        "type": "Consumption",
        "tierMinimumUnits": 0,
        "currencyCode": "USD",
        "armRegionName": "eastus",
    }


DAY_1, DAY_2 = date(2025, 3, 18), date(2026, 8, 22)  # the dates of the two azure captures


def _openai_and_azure(root: Path) -> None:
    """OpenAI and Azure replayed together (one crawler process a day) on two days into ``root/prices.duckdb``;
    what each replay reported goes to ``root/results.json``.

    OpenAI: its page on day 1, a bot challenge instead of the page on day 2. Azure: the real captures (per-1K
    meters normalised, nothing changes) with our own meters appended, moving from per-1K to per-1M on day 2,
    where one price really changes.
    """
    pages = shared_path("vendor-pages")
    folder = root / "pages"
    link(folder, "openai", f"{DAY_1}.jina.md", pages / "openai" / "2026-05-08.jina.md")
    link(folder, "openai", f"{DAY_2}.blocked.html", pages / "openai" / "2026-05-08.blocked.html")
    own = {
        DAY_1: [_meter("gpt 9 Inp glbl Tokens", "1K", "0.0025"), _meter("gpt 9 Outp glbl Tokens", "1K", "0.01")],
        DAY_2: [_meter("gpt 9 Inp glbl 1M Tokens", "1M", "2.5"), _meter("gpt 9 Outp glbl 1M Tokens", "1M", "12")],
    }
    (folder / "azure").mkdir()
    for day, meters in own.items():
        real = json.loads((pages / "azure" / f"{day}.retail-items.json").read_text())
        (folder / "azure" / f"{day}.retail-items.json").write_text(json.dumps(real + meters))
    db = root / "prices.duckdb"
    con = connect(db)
    results: dict[str, list[dict]] = {}
    for day in (DAY_1, DAY_2):
        for r in replay(con, db, ["openai", "azure"], folder, day, processes=1):
            results.setdefault(r.source, []).append(
                {"status": r.status, "added": r.added, "removed": r.removed, "error": r.error}
            )
    con.close()
    (root / "results.json").write_text(json.dumps(results))


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    """The two days above, replayed once per session: each source's results per day, and the warehouse (read)."""
    root = build_once(tmp_path_factory, "engine-openai-azure", _openai_and_azure)
    con = connect(root / "prices.duckdb", read_only=True)
    yield json.loads((root / "results.json").read_text()), con
    con.close()


def test_blocked_openai_page_fails_the_source_and_removes_nothing(two_days):
    results, con = two_days
    ok, blocked = results["openai"]
    assert ok["status"] == "ok" and ok["added"] == 194
    assert blocked["status"] == "failed" and "blocked page" in blocked["error"]
    assert blocked["removed"] == 0
    (n_current,) = con.execute("SELECT count(*) FROM prices_current WHERE source = 'openai'").fetchone()
    assert n_current == 194
    (n_removed,) = con.execute(
        "SELECT count(*) FROM price_changes WHERE source = 'openai' AND kind = 'removed'"
    ).fetchone()
    assert n_removed == 0
    status = con.execute(
        "SELECT status, error FROM crawl_runs WHERE source = 'openai' AND observed_at = '2026-08-22 00:00:00+00'"
    )
    assert status.fetchall()[0][0] == "failed"
    vendor = con.execute("SELECT status, last_verified_at FROM vendor_status WHERE vendor = 'openai'").fetchall()
    assert vendor[0][0] == "failed" and vendor[0][1].date() == DAY_1


def test_azure_real_captures_and_a_unit_change(two_days):
    """Two azure crawls cover both cases: the real captures (per-1K meters normalised, nothing changes) and our own
    meters moving from per-1K to per-1M, appended to the same pages, where one price really changes."""
    results, con = two_days
    assert [r["status"] for r in results["azure"]] == ["ok", "ok"]
    (price,) = con.execute(
        "SELECT price FROM prices_current WHERE source = 'azure' AND source_model_key = 'gpt-4-8K' "
        "AND price_key = 'input'"
    ).fetchone()
    assert price == Decimal("30")  # 0.03 per 1K in both captures
    changed = con.execute(
        "SELECT count(*) FROM price_changes WHERE source = 'azure' AND source_model_key = 'gpt-4-8K' "
        "AND kind = 'changed'"
    ).fetchone()
    assert changed == (0,)
    current = dict(
        con.execute("SELECT price_key, price FROM prices_current WHERE source = 'azure' AND model = 'gpt-9'").fetchall()
    )
    assert current == {"input": Decimal("2.5"), "output": Decimal("12")}
    # The unit change alone is no price change: only the output's new price is one.
    gpt9 = con.execute(
        "SELECT price_key, kind FROM price_changes WHERE source = 'azure' AND model = 'gpt-9' "
        "AND changed_on = DATE '2026-08-22' ORDER BY ALL"
    ).fetchall()
    assert gpt9 == [("output", "changed")]


def test_http_error_fails_the_source(tmp_path, con, db_path):
    from aiprices.schedules.loading import StagedBatch, load_batch
    from aiprices.schedules.loopback import LoopbackServer
    from aiprices.schedules.spawn import PlannedSource

    (tmp_path / "www").mkdir()
    with LoopbackServer(tmp_path / "www") as server:
        from datetime import UTC, datetime

        planned = [
            PlannedSource(
                "groq",
                "t-http-groq",
                datetime(2026, 1, 1, tzinfo=UTC),
                start_urls=[server.base_url + "/missing.md"],
                kinds=["docs-models.md"],
            )
        ]
        outcomes = run_spiders(planned, tmp_path / "stage", tmp_path / "archive", {"RETRY_TIMES": 0})
    assert outcomes["groq"].run.status == "failed"
    assert "HTTP 404" in outcomes["groq"].run.error
    results = load_batch(con, StagedBatch(tmp_path / "stage", "replay", planned))
    assert results[0].status == "failed"


def test_two_crawler_processes_load_what_one_loads(vendor_pages, tmp_path):
    day = date(2026, 8, 22)
    sources = ["openrouter", "groq"]  # one per process in the two-process run
    tables = []
    for processes in (1, 2):
        db = tmp_path / f"p{processes}.duckdb"
        results = replay(None, db, sources, vendor_pages, day, processes=processes)
        assert {r.source: r.status for r in results} == dict.fromkeys(sources, "ok")
        con = connect(db)
        tables.append(
            con.execute(
                "SELECT source, model, price_key, unit, service_tier, context_min_tokens, region, variant, price "
                "FROM prices_current ORDER BY ALL"
            ).fetchall()
        )
        con.close()
    assert len(tables[0]) > 1000
    assert tables[0] == tables[1]


def test_process_count_and_sharding(monkeypatch, vendor_pages):
    from aiprices.schedules.errors import CrawlError
    from aiprices.schedules.spawn import SOURCE_BYTES, _shards, crawl_processes

    monkeypatch.setenv("AIPRICES_CRAWL_PROCESSES", "3")
    assert crawl_processes(14) == 3
    assert crawl_processes(2) == 2  # never more processes than sources
    assert crawl_processes(14, requested=1) == 1
    monkeypatch.setenv("AIPRICES_CRAWL_PROCESSES", "many")
    with pytest.raises(CrawlError, match="whole number"):
        crawl_processes(14)
    monkeypatch.delenv("AIPRICES_CRAWL_PROCESSES")
    assert crawl_processes(14) == min(os.cpu_count() or 1, 4)  # unset: one per CPU, at most 4
    with pytest.raises(CrawlError, match="at least 1"):
        crawl_processes(14, requested=0)
    planned = plan_replay(
        pick_captures(vendor_pages, None, ["openrouter", "openai", "mistral", "xai", "groq"]), "b", None
    )
    shards = _shards(planned, 2)
    assert sorted(i for shard in shards for i in shard) == list(range(len(planned)))
    weight = [planned[i].capture.path.stat().st_size + SOURCE_BYTES for i in range(len(planned))]
    lighter, heavier = sorted(shards, key=lambda shard: sum(weight[i] for i in shard))
    gap = sum(weight[i] for i in heavier) - sum(weight[i] for i in lighter)
    # Balanced as whole sources allow: moving any source of the heavier process over would not narrow the gap.
    assert len(heavier) == 1 or gap <= min(weight[i] for i in heavier)


def test_crawler_processes_run_the_installed_package_not_the_working_folder():
    from aiprices.schedules.spawn import crawler_command

    command = crawler_command(Path("plan.json"))
    assert command[1:4] == ["-P", "-m", "aiprices.crawler.run"]  # -P: the cwd is not put on sys.path (.ci/run)


def test_a_crashing_crawler_process_fails_its_sources_with_the_reason(vendor_pages, tmp_path):
    planned = plan_replay(pick_captures(vendor_pages, None, ["xai", "groq"]), "crash", None)
    settings = {"ITEM_PIPELINES": {"aiprices.pipeline.no_such_module.Pipeline": 100}}
    outcomes = run_spiders(planned, tmp_path / "stage", tmp_path / "archive", settings, vendor_pages, processes=2)
    for source in ("xai", "groq"):
        assert outcomes[source].run.status == "failed"
        error = outcomes[source].run.error
        assert error.startswith("crawler process failed (exit ") and "\n" not in error
        assert "no_such_module" in error and "crawl-" in error
