"""Runs held for review (issue 13 item 3, issue 10 item 6): a run that would retire half or more of its
source's prices, or floods it with 5x the items, is held whole (``partial``, nothing applied); a partial run
holds back its retirements. ``review list`` shows them, ``accept-run`` applies them as of the run's
observation, ``reject-run`` keeps the prices; a later run supersedes a pending one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.warehouse.connection import connect
from aiprices.warehouse.doctor import run_checks
from aiprices.warehouse.guards import ReviewError
from aiprices.warehouse.held_runs import accept_run, list_held_runs, reject_run
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.registry import registry
from aiprices.commands.review import review


@pytest.fixture
def con(migrated_db):
    con = connect(migrated_db)
    yield con
    con.close()


def row(model: str, price: str = "1", source: str = "openrouter") -> dict:
    return {
        "source": source, "vendor": "openai", "model": model, "source_model_key": model, "price_key": "input",
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "price": Decimal(price), "source_url": f"https://{source}.test/p",
        "source_field": "pricing.prompt", "inferred_rule": None,
    }  # fmt: skip


def models(names, price: str = "1") -> list[dict]:
    return [row(name, price) for name in names]


def load(con, day: int, rows: list[dict], source: str = "openrouter", status: str = "ok"):
    at = datetime(2026, 3, day, tzinfo=UTC)
    return load_run(con, StagedRun(RunRecord(f"r{day}", source, "crawl", at, at, at, status=status), rows))


def current(con) -> dict[str, Decimal]:
    return dict(con.execute("SELECT model, price FROM prices_current ORDER BY model").fetchall())


REAL = [f"real-{i:02d}" for i in range(20)]


def test_a_page_listing_other_models_is_held_whole_then_accepted_as_of_its_day(con):
    load(con, 1, models(REAL))
    res = load(con, 2, models(f"other-{i:02d}" for i in range(20)))  # same count, every model different
    assert res.status == "partial" and (res.added, res.changed, res.removed) == (0, 0, 0)
    assert "would retire 20 of the source's 20 current prices (100%, half or more)" in res.warnings
    assert current(con) == dict.fromkeys(REAL, Decimal(1))  # nothing applied
    assert con.execute("SELECT count(*) FROM price_changes WHERE changed_on = '2026-03-02'").fetchone() == (0,)
    (held,) = list_held_runs(con)
    assert (held.run_id, held.held, held.would_add, held.would_retire, held.current_prices) == ("r2", "run", 20, 20, 20)
    run = accept_run(con, "r2", note="the page really changed")
    assert (run.added, run.removed) == (20, 20)
    assert set(current(con)) == {f"other-{i:02d}" for i in range(20)}
    days = con.execute("SELECT DISTINCT changed_on::VARCHAR, kind FROM price_changes WHERE run_id = 'r2'").fetchall()
    assert sorted(days) == [("2026-03-02", "added"), ("2026-03-02", "removed")]
    status, error, added, removed = con.execute(
        "SELECT status, error, added, removed FROM crawl_runs WHERE run_id = 'r2'"
    ).fetchone()
    assert (status, error, added, removed) == ("ok", None, 20, 20)
    assert list_held_runs(con) == [] and run_checks(con) == []
    with pytest.raises(ReviewError, match="^run r2 was already decided: accepted by review$"):
        reject_run(con, "r2")


def test_a_flood_of_224x_the_usual_items_is_held_and_a_rejection_keeps_the_prices(con):
    load(con, 1, models(REAL[:10]))
    flood = models(REAL[:10]) + models(f"spam-{i:04d}" for i in range(2230))
    res = load(con, 2, flood)
    assert res.status == "partial" and "lists 2,240 prices, 224x the 10 the source holds" in res.warnings
    assert set(current(con)) == set(REAL[:10])
    held = reject_run(con, "r2", note="a spam listing")
    assert held.would_add == 2230
    assert set(current(con)) == set(REAL[:10])
    assert con.execute("SELECT status, note FROM held_runs").fetchone() == ("rejected", "a spam listing")
    assert con.execute("SELECT count(*) FROM run_hold_prices").fetchone() == (0,)  # nothing left to apply
    assert con.execute("SELECT status FROM crawl_runs WHERE run_id = 'r2'").fetchone() == ("partial",)


def test_a_flood_is_judged_only_against_a_recent_load(con):
    load(con, 1, models(REAL[:10]))
    at = datetime(2026, 6, 1, tzinfo=UTC)  # three months later: a catalogue may have grown that much
    rows = models(REAL[:10]) + models(f"new-{i}" for i in range(50))
    grown = StagedRun(RunRecord("later", "openrouter", "crawl", at, at, at), rows)
    assert load_run(con, grown).status == "ok"


def test_a_partial_run_holds_its_retirements_until_accepted(con):
    load(con, 1, models(REAL))
    # a crawl that read only some of its pages (partial as read): a new price for 8, the other 12 not seen
    res = load(con, 2, models(REAL[:8], price="2"), status="partial")
    assert res.status == "partial" and res.changed == 8 and res.removed == 0
    (held,) = list_held_runs(con)
    assert (held.held, held.would_retire, held.would_add, held.would_change) == ("retirements", 12, 0, 0)
    assert held.reason == "partial run"
    run = accept_run(con, "r2")
    assert (run.added, run.changed, run.removed) == (0, 0, 12)
    assert current(con) == dict.fromkeys(REAL[:8], Decimal(2))
    retired = con.execute("SELECT DISTINCT valid_to::DATE::VARCHAR FROM price_history WHERE valid_to IS NOT NULL")
    assert retired.fetchall() == [("2026-03-02",)]
    assert con.execute("SELECT status, changed, removed FROM crawl_runs WHERE run_id = 'r2'").fetchone() == (
        "ok", 8, 12,
    )  # fmt: skip
    assert run_checks(con) == []


def test_a_later_run_supersedes_a_held_one(con):
    load(con, 1, models(REAL))
    load(con, 2, models(REAL[:3]))
    load(con, 3, models(REAL[:15]))  # ok: retires the 5 it does not list
    assert list_held_runs(con) == []
    (held,) = list_held_runs(con, include_decided=True)
    assert (held.run_id, held.status, held.decided_by) == ("r2", "superseded", "r3")
    with pytest.raises(ReviewError, match="^run r2 was already decided: superseded by r3$"):
        accept_run(con, "r2")
    assert len(current(con)) == 15


def test_review_run_errors_are_one_line(con):
    load(con, 1, models(REAL))
    with pytest.raises(ReviewError, match="^no such run: nope "):
        accept_run(con, "nope")
    with pytest.raises(ReviewError, match="^run r1 is not held"):
        reject_run(con, "r1")


# The registry path, through the CLI: a valid copy that would empty the registry is held, exit 1.


def _copy(path, keys, price="2.5e-06"):
    entries = {k: {"litellm_provider": "openai", "input_cost_per_token": float(price)} for k in keys}
    path.write_text(json.dumps(entries, indent=4))
    return path


def _cli(group, *args, db):
    return CliRunner().invoke(group, [*args, "--db", str(db)])


def test_a_registry_copy_with_one_entry_is_held_listed_and_accepted(tmp_path, migrated_db):
    keys = [f"gpt-{i}" for i in range(30)]
    assert _cli(registry, "refresh", "--file", str(_copy(tmp_path / "full.json", keys)), db=migrated_db).exit_code == 0
    one = _cli(registry, "refresh", "--file", str(_copy(tmp_path / "one.json", keys[:1])), db=migrated_db)
    assert one.exit_code == 1
    assert "1 held for review: aiprices review list" in one.stderr and "Traceback" not in one.stderr
    listed = _cli(review, "list", db=migrated_db)
    assert listed.exit_code == 0 and "held run: would add 0, change 0, retire 29 of 30 prices" in listed.output
    (run_id,) = [line.split()[0] for line in listed.output.splitlines() if line.startswith("litellm-")]
    con = connect(migrated_db, read_only=True)
    assert con.execute("SELECT count(*) FROM prices_current").fetchone() == (30,)
    con.close()
    accepted = _cli(review, "accept-run", run_id, db=migrated_db)
    assert accepted.exit_code == 0 and "-29 removed" in accepted.output
    con = connect(migrated_db, read_only=True)
    assert con.execute("SELECT source_model_key FROM prices_current").fetchall() == [("gpt-0",)]
    con.close()


def test_a_registry_copy_renaming_every_key_is_held_whole(tmp_path, migrated_db):
    keys = [f"gpt-{i}" for i in range(30)]
    _cli(registry, "refresh", "--file", str(_copy(tmp_path / "a.json", keys)), db=migrated_db)
    renamed_copy = _copy(tmp_path / "b.json", [f"x/{k}" for k in keys])
    renamed = _cli(registry, "refresh", "--file", str(renamed_copy), db=migrated_db)
    assert renamed.exit_code == 1 and "would retire 30 of the source's 30 current prices" in renamed.stderr
    con = connect(migrated_db, read_only=True)
    assert {k for (k,) in con.execute("SELECT source_model_key FROM prices_current").fetchall()} == set(keys)
    con.close()
    rejected = _cli(review, "reject-run", "nope", db=migrated_db)
    assert rejected.exit_code == 1 and "no such run: nope" in rejected.output + rejected.stderr


def test_a_page_switching_currency_is_not_held_and_keeps_the_other_currency(con):
    load(con, 1, models(REAL))
    res = load(con, 2, [{**r, "currency": "CNY", "price": Decimal(7)} for r in models(REAL)])
    assert (res.status, res.added, res.removed) == ("ok", 20, 0) and list_held_runs(con) == []
    cur = con.execute("SELECT currency, count(*) FROM prices_current GROUP BY ALL ORDER BY ALL").fetchall()
    assert cur == [("CNY", 20), ("USD", 20)]


def test_an_accepted_held_run_keeps_the_dates_its_page_stated(con):
    load(con, 1, models(REAL))
    ends = datetime(2026, 3, 20, tzinfo=UTC)
    other = models(f"other-{i:02d}" for i in range(20))
    other[0]["effective_to"] = ends  # a promotion "through March 20"
    assert load(con, 2, other).status == "partial"
    accept_run(con, "r2")
    got = con.execute(
        "SELECT valid_from::DATE::VARCHAR, valid_to, effective_to FROM price_history WHERE model = 'other-00'"
    ).fetchone()
    assert got == ("2026-03-02", ends, ends)
    removed = con.execute("SELECT changed_at FROM price_changes WHERE model = 'other-00' AND kind = 'removed'")
    assert removed.fetchall() == [(ends,)]
