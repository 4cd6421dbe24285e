"""Cross-checks stored by change (issue 16 item 1): intervals like prices, idempotent re-checks, migration 005."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources

import duckdb
import pytest
from aiprices.warehouse import crosscheck
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.crosscheck import record_crosschecks
from aiprices.warehouse.load import load_run
from aiprices.warehouse.migrations import MIGRATIONS, applied_versions
from aiprices.warehouse.staging import RunRecord, StagedRun

STATE = (
    "SELECT source, model, source_model_key, price_key, page_price, registry_price, status, delta, valid_from, "
    "valid_to, run_id, retired_run_id FROM crosscheck_intervals ORDER BY ALL"
)


def _run(run_id: str, source: str, day: int, kind: str = "crawl") -> RunRecord:
    at = datetime(2026, 1, day, tzinfo=UTC)
    return RunRecord(run_id=run_id, source=source, kind=kind, observed_at=at, started_at=at, finished_at=at)


def _load(con, run: RunRecord, rows: list[dict]) -> dict[str, int]:
    """Load a run as every producer does (its cross-check included); the cross-check counts."""
    return load_run(con, StagedRun(run, rows)).crosschecks


def _price(source: str, model: str, price: str, key: str = "input", smk: str | None = None) -> dict:
    return price_row(source=source, vendor="openai", model=model, source_model_key=smk, price_key=key,
                     unit="usd_per_1m_tokens", price=Decimal(price), source_field="f")  # fmt: skip


REGISTRY = [
    _price("litellm", "gpt-9", "2.5"),
    _price("litellm", "gpt-9", "10", key="output"),
    _price("litellm", "gpt-9", "0.25", key="cache_read"),
]


def _page(output: str = "12", *, cheap: bool = True) -> list[dict]:
    rows = [_price("openai", "gpt-9", "2.5"), _price("openai", "gpt-9", output, key="output")]
    if cheap:
        rows.append(_price("openai", "gpt-9-mini", "0.1"))
    return rows


@pytest.fixture
def con(db_path):
    con = connect(db_path)
    _load(con, _run("reg", "litellm", 1, kind="registry"), REGISTRY)
    yield con
    con.close()


def _check(con, run_id: str, day: int, rows: list[dict]) -> dict[str, int]:
    return _load(con, _run(run_id, "openai", day), rows)


def test_unchanged_results_are_stored_once_and_confirmed_by_each_check(con):
    first = _check(con, "c2", 2, _page())
    assert first == {"match": 1, "mismatch": 1, "missing_in_registry": 1, "missing_on_page": 1}
    (rows,) = con.execute("SELECT count(*) FROM crosscheck_intervals").fetchone()
    for day in range(3, 8):
        assert _check(con, f"c{day}", day, _page()) == first  # counts per check, as before
    assert con.execute("SELECT count(*) FROM crosscheck_intervals").fetchone() == (rows,)
    got = con.execute(
        "SELECT DISTINCT run_id, last_run_id, valid_from, valid_to, "
        "checked_at = (SELECT checked_at FROM crosscheck_runs WHERE run_id = 'c7') FROM crosschecks"
    ).fetchall()
    assert got == [("c2", "c7", datetime(2026, 1, 2, tzinfo=UTC), None, True)]


def test_a_changed_or_vanished_result_closes_and_the_new_one_opens(con):
    _check(con, "c2", 2, _page())
    _check(con, "c3", 3, _page())
    assert _check(con, "c4", 4, _page(output="10", cheap=False)) == {"match": 2, "missing_on_page": 1}
    closed = con.execute(
        "SELECT model, price_key, status, delta, valid_from::DATE, valid_to::DATE, retired_run_id, last_run_id "
        "FROM crosschecks WHERE valid_to IS NOT NULL ORDER BY ALL"
    ).fetchall()
    assert [tuple(map(str, r)) for r in closed] == [
        ("gpt-9", "output", "mismatch", "2.000000000000000000000000", "2026-01-02", "2026-01-04", "c4", "c3"),
        ("gpt-9-mini", "input", "missing_in_registry", "None", "2026-01-02", "2026-01-04", "c4", "c3"),
    ]
    current = con.execute(
        "SELECT model, price_key, status, run_id, last_run_id FROM crosschecks_current ORDER BY ALL"
    ).fetchall()
    assert current == [
        ("gpt-9", "cache_read", "missing_on_page", "c2", "c4"),
        ("gpt-9", "input", "match", "c2", "c4"),
        ("gpt-9", "output", "match", "c4", "c4"),
    ]


def test_a_result_that_comes_back_opens_a_new_interval(con):
    _check(con, "c2", 2, _page())
    _check(con, "c3", 3, _page(cheap=False))
    _check(con, "c4", 4, _page())
    got = con.execute(
        "SELECT valid_from::DATE, valid_to::DATE FROM crosschecks WHERE model = 'gpt-9-mini' ORDER BY ALL"
    ).fetchall()
    assert [tuple(map(str, r)) for r in got] == [("2026-01-02", "2026-01-03"), ("2026-01-04", "None")]


def test_two_page_keys_of_one_price_keep_their_own_results(con):
    rows = [_price("openai", "gpt-9", "2.5", smk="gpt-9"), _price("openai", "gpt-9", "2.5", smk="gpt-9-2026-01-01")]
    _check(con, "c2", 2, rows)
    _check(con, "c3", 3, rows[:1])
    got = con.execute("SELECT source_model_key, valid_to IS NULL FROM crosschecks WHERE price_key = 'input'")
    assert sorted(got.fetchall()) == [("gpt-9", True), ("gpt-9-2026-01-01", False)]


def test_checking_the_newest_run_again_changes_nothing(con):
    _check(con, "c2", 2, _page())
    counts = _check(con, "c3", 3, _page(output="10", cheap=False))
    before = con.execute(STATE).fetchall()
    assert record_crosschecks(con, "c3") == counts
    assert record_crosschecks(con, "c3") == counts
    assert con.execute(STATE).fetchall() == before
    assert con.execute("SELECT count(*) FROM crosscheck_runs").fetchone() == (2,)


def test_a_check_of_the_newest_run_sees_a_registry_change_in_place(con):
    """The registry moved after the check: checking the same run again replaces its result, not history."""
    _check(con, "c2", 2, _page())
    _check(con, "c3", 3, _page())
    registry = [REGISTRY[0], _price("litellm", "gpt-9", "12", key="output"), REGISTRY[2]]
    _load(con, _run("reg-2", "litellm", 4, kind="registry"), registry)
    assert record_crosschecks(con, "c3")["match"] == 2
    got = con.execute(
        "SELECT status, valid_from::DATE, valid_to::DATE, run_id, retired_run_id FROM crosschecks "
        "WHERE price_key = 'output' ORDER BY valid_from"
    ).fetchall()
    assert [tuple(map(str, r)) for r in got] == [
        ("mismatch", "2026-01-02", "2026-01-03", "c2", "c3"), ("match", "2026-01-03", "None", "c3", "None")
    ]  # fmt: skip


def test_a_registry_change_between_checks_is_found_by_the_next_check(con):
    _check(con, "c2", 2, _page())
    registry = [REGISTRY[0], _price("litellm", "gpt-9", "12", key="output"), REGISTRY[2]]
    _load(con, _run("reg-2", "litellm", 3, kind="registry"), registry)
    assert _check(con, "c4", 4, _page())["match"] == 2  # the page did not change; the registry did


def test_a_new_rule_checks_again_prices_that_did_not_change(con, monkeypatch):
    assert _check(con, "c2", 2, _page())["mismatch"] == 1  # output: page 12, registry 10
    monkeypatch.setattr(crosscheck, "TOLERANCE", Decimal(5))
    assert _check(con, "c3", 3, _page())["match"] == 2


def test_an_older_run_is_not_checked_again_and_reports_its_time(con):
    first = _check(con, "c2", 2, _page())
    _check(con, "c3", 3, _page(output="10", cheap=False))
    before = con.execute(STATE).fetchall()
    assert record_crosschecks(con, "c2") == first
    assert con.execute(STATE).fetchall() == before


def test_failed_or_unknown_runs_are_not_checked(con):
    failed = _run("c2", "openai", 2)
    failed.status = "failed"
    assert _load(con, failed, []) == {}
    assert record_crosschecks(con, "c2") == {}
    assert record_crosschecks(con, "no-such-run") == {}
    assert con.execute("SELECT count(*) FROM crosscheck_runs").fetchone() == (0,)


# ---------------------------------------------------------------- migration 005 from per-run rows

OLD_ROW = (
    "INSERT INTO crosscheck_results VALUES (?, ?, 'openai', 'openai', ?, 'input', 'usd_per_1m_tokens', 'standard', "
    "0, '', '', ?, ?, ?, ?, ?)"
)


def _old_warehouse(path) -> duckdb.DuckDBPyConnection:
    """A warehouse as migrations 1-4 left it, with its cross-checks stored one row per price per run."""
    con = duckdb.connect(str(path))
    applied_versions(con)
    for version, name in MIGRATIONS[:4]:
        con.execute(resources.files("aiprices.warehouse").joinpath("sql", name).read_text())
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    return con


OLD_PAGE_PRICE = (
    "INSERT INTO price_intervals (price_id, source, vendor, model, source_model_key, price_key, unit, service_tier, "
    "context_min_tokens, region, variant, currency, price, valid_from, valid_to, run_id) VALUES (md5(? || ?), "
    "'openai', 'openai', ?, ?, 'input', 'usd_per_1m_tokens', 'standard', 0, '', '', 'USD', ?, ?, ?, ?)"
)


def _old_page(con, model: str, smk: str, price: Decimal, days: tuple[int, int | None]) -> None:
    """A page price as the old loader left it: one interval from ``days[0]`` to ``days[1]`` (None: current)."""
    since, until = (None if d is None else datetime(2026, 1, d, tzinfo=UTC) for d in days)
    con.execute(OLD_PAGE_PRICE, [model, smk, model, smk, price, since, until, f"c{days[0]}"])


def _old_checks(con, run_id: str, day: int, rows: list[tuple]) -> None:
    at = datetime(2026, 1, day, tzinfo=UTC)
    con.execute("INSERT INTO runs (run_id, source, kind, observed_at, started_at, status) "
                "VALUES (?, 'openai', 'crawl', ?, ?, 'ok')", [run_id, at, at])  # fmt: skip
    for model, page, registry, key, status in rows:
        delta = page - registry if page is not None and registry is not None else None
        con.execute(OLD_ROW, [run_id, at.replace(hour=6), model, page, registry, key, status, delta])


def test_migration_collapses_per_run_rows_into_intervals(tmp_path):
    old = tmp_path / "old.duckdb"
    con = _old_warehouse(old)
    d = Decimal
    same = ("gpt-9", d("2.5"), d("2.5"), "gpt-9", "match")
    twin = same  # the page's second key for gpt-9: a row the old table cannot tell from the first
    # the page lists gpt-9 under two keys, and gpt-9-mini disagrees with the registry, then is fixed
    _old_page(con, "gpt-9", "gpt-9", d("2.5"), (2, None))
    _old_page(con, "gpt-9", "gpt-9-2026", d("2.5"), (2, None))
    _old_page(con, "gpt-9-mini", "gpt-9-mini", d("0.3"), (2, 4))
    _old_page(con, "gpt-9-mini", "gpt-9-mini", d("0.2"), (4, None))
    for day, mini in ((2, d("0.3")), (3, d("0.3")), (4, d("0.2"))):
        mini_row = ("gpt-9-mini", mini, d("0.2"), "gpt-9-mini", "mismatch" if mini != d("0.2") else "match")
        _old_checks(con, f"c{day}", day, [same, twin, mini_row])
    con.close()
    con = connect(old)
    try:
        got = con.execute(
            "SELECT model, source_model_key, status, run_id, valid_from::DATE, valid_to::DATE, last_run_id, "
            "checked_at::DATE FROM crosschecks ORDER BY ALL"
        ).fetchall()
        assert [tuple(map(str, r)) for r in got] == [
            ("gpt-9", "gpt-9", "match", "c2", "2026-01-02", "None", "c4", "2026-01-04"),
            ("gpt-9", "gpt-9-2026", "match", "c2", "2026-01-02", "None", "c4", "2026-01-04"),
            ("gpt-9-mini", "gpt-9-mini", "match", "c4", "2026-01-04", "None", "c4", "2026-01-04"),
            ("gpt-9-mini", "gpt-9-mini", "mismatch", "c2", "2026-01-02", "2026-01-04", "c3", "2026-01-03"),
        ]
        # the next check carries on from the migrated intervals: nothing unchanged is reopened
        registry = [_price("litellm", "gpt-9", "2.5"), _price("litellm", "gpt-9-mini", "0.2")]
        _load(con, _run("reg", "litellm", 5, kind="registry"), registry)
        page = [_price("openai", "gpt-9", "2.5"), _price("openai", "gpt-9", "2.5", smk="gpt-9-2026"),
                _price("openai", "gpt-9-mini", "0.2")]  # fmt: skip
        assert _load(con, _run("c6", "openai", 6), page) == {"match": 3}
        got = con.execute("SELECT DISTINCT run_id = 'c6', last_run_id FROM crosschecks WHERE valid_to IS NULL")
        assert got.fetchall() == [(False, "c6")]
    finally:
        con.close()
