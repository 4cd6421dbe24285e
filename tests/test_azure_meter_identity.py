"""Migration 017: stored Azure prices move to the identity the extractor now gives them (a realtime meter's
modality in its price key, a product's family in its name), so a replay after the upgrade logs no removed + added
prices and keeps their history; then the cross-check compares the audio price with the registry's audio price.

The old rows are the real 2026-08-22 capture read by today's extractor and staged by the pipeline's row rules,
with the identities the previous rules gave the re-keyed meters (``OLD_IDENTITY``, as stored before: see
docs/crosscheck-gaps.md, spot-check #3), loaded through the loader into a file migrated up to 016.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

import duckdb
import pytest
from aiprices.crawler.extract import azure
from aiprices.pipeline.aliases import canonical
from aiprices.pipeline.rows import stage_rows
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import IDENTITY_COLUMNS, price_id, price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.migrations import MIGRATIONS
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner
from helpers.built_once import build_once
from helpers.old_warehouse import migrated
from helpers.shared import shared_path

from aiprices.commands.crawl import crawl
from aiprices.commands.query import price as price_cmd

CAPTURE = "2026-08-22.retail-items.json"
REGISTRY_COPY = "2026-04-26.json.gz"  # the copy in effect on 2026-08-22 (the next is 2026-10-03)
URL = "https://prices.azure.com/api/retail/prices"
BEFORE_017 = {v for v, _ in MIGRATIONS if v < 17}
# meter -> (source_model_key, model, price_key) as the rules before 017 stored it; now -> NEW_IDENTITY.
OLD_IDENTITY = {
    "gpt4omini-rt-aud1217 Inp glbl Tokens": ("gpt4omini-rt-aud1217", "gpt4omini-rt-aud1217", "input"),
    "gpt-4o-rt-txt-1217 Outp glbl Tokens": ("gpt-4o-rt-txt-1217", "gpt-4o-rt-txt-1217", "output"),
    "gpt rt aud 0828 cchd Inp glbl Tokens": ("gpt rt aud 0828", "gpt-rt-aud-0828", "cache_read"),
    "4.3 Outp DZ L Tokens": ("4.3", "gpt-4.3", "output"),
    "3.3 70b FT Tokens": ("3.3 70b", "gpt-3.3-70b", "training"),
    "3.3 70b Outp FT DZ Tokens": ("3.3 70b", "gpt-3.3-70b", "output"),
    "K2 Thinking Inp DZ Tokens": ("K2 Thinking", "k2-thinking", "input"),
    "K2.6 Thinking Inp glbl Tokens": ("K2.6 Thinking", "k2.6-thinking", "input"),
}
NEW_IDENTITY = {
    "gpt4omini-rt-aud1217 Inp glbl Tokens": ("gpt4omini-rt-1217", "gpt4omini-rt-1217", "input_audio"),
    "gpt-4o-rt-txt-1217 Outp glbl Tokens": ("gpt-4o-rt-1217", "gpt-4o-rt-1217", "output"),
    "gpt rt aud 0828 cchd Inp glbl Tokens": ("gpt rt 0828", "gpt-rt-0828", "cache_read_audio"),
    "4.3 Outp DZ L Tokens": ("Grok 4.3", "grok-4.3", "output"),
    "3.3 70b FT Tokens": ("Llama 3.3 70b", "llama-3.3-70b", "training"),
    "3.3 70b Outp FT DZ Tokens": ("Llama 3.3 70b", "llama-3.3-70b", "output"),
    "K2 Thinking Inp DZ Tokens": ("Kimi K2 Thinking", "kimi-k2-thinking", "input"),
    "K2.6 Thinking Inp glbl Tokens": ("Kimi K2.6 Thinking", "kimi-k2.6-thinking", "input"),
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _old_rows(capture: Path) -> list[dict]:
    """The capture's prices staged with the identities the rules before 017 gave them."""
    items = azure.extract(capture.read_bytes(), URL).items
    for item in items:
        meter = item["source_field"].removeprefix("retailPrice[").removesuffix("]")
        item["model"] = canonical("azure", item["source_model_key"], item["model"])[0]
        if meter in OLD_IDENTITY:
            item["source_model_key"], item["model"], item["price_key"] = OLD_IDENTITY[meter]
    return stage_rows(((i["source_field"], i) for i in items), source="azure", source_url=URL, rejected=[])


def _build(folder: Path) -> None:
    """Old rules on 2026-08-22 into a file before 017; the upgrade; a registry copy; the replay on 2026-08-23."""
    db = folder / "w.duckdb"
    old = migrated(db, BEFORE_017)
    at = utc(2026, 8, 22)
    load_run(old, StagedRun(RunRecord("old-rules", "azure", "replay", at, at, at), _old_rows(_capture())))
    old.close()
    (folder / "registry").mkdir()
    (folder / "registry" / REGISTRY_COPY).symlink_to(shared_path("litellm-registry", REGISTRY_COPY))
    con = connect(db)  # migrates: 017 re-keys the stored rows
    backfill(con, folder / "registry")
    con.close()
    (folder / "pages" / "azure").mkdir(parents=True)
    (folder / "pages" / "azure" / CAPTURE).symlink_to(_capture())
    out = CliRunner().invoke(crawl, ["azure", "--from-archive", str(folder / "pages"), "--on", "2026-08-23",
                                     "--db", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output


def _capture() -> Path:
    return shared_path("vendor-pages", "azure", CAPTURE)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The warehouse above, built once per session and only read."""
    return build_once(tmp_path_factory, "azure-meter-identity", _build) / "w.duckdb"


@pytest.fixture(scope="module")
def con(built):
    connection = connect(built, read_only=True)
    yield connection
    connection.close()


def _replay_run(con) -> str:
    (run_id,) = con.execute(
        "SELECT run_id FROM runs WHERE source = 'azure' AND observed_at = ?", [utc(2026, 8, 23)]
    ).fetchone()
    return run_id


def test_the_replay_after_the_migration_logs_no_change(con):
    run_id = _replay_run(con)
    assert con.execute("SELECT status, items FROM runs WHERE run_id = ?", [run_id]).fetchone() == ("ok", 32)
    assert con.execute("SELECT kind, model, price_key FROM changes WHERE run_id = ?", [run_id]).fetchall() == []
    assert con.execute("SELECT count(*) FROM prices_current WHERE source = 'azure'").fetchone() == (32,)


@pytest.mark.parametrize("meter", sorted(NEW_IDENTITY))
def test_a_rekeyed_price_keeps_its_history_under_its_new_identity(con, meter):
    key, model, price_key = NEW_IDENTITY[meter]
    field = f"retailPrice[{meter}]"
    intervals = con.execute(
        "SELECT source_model_key, model, price_key, valid_from, valid_to FROM price_history "
        "WHERE source = 'azure' AND source_field = ?",
        [field],
    ).fetchall()
    assert intervals == [(key, model, price_key, utc(2026, 8, 22), None)]
    added = con.execute("SELECT source_model_key, model, price_key, kind FROM changes WHERE source_field = ?", [field])
    assert added.fetchall() == [(key, model, price_key, "added")]


def test_every_stored_id_is_the_id_of_its_identity(con):
    for table in ("price_intervals", "changes"):
        rows = con.execute(f"SELECT price_id, {', '.join(IDENTITY_COLUMNS)} FROM {table} WHERE source = 'azure'")
        names = [d[0] for d in rows.description]
        for row in rows.fetchall():
            stored = dict(zip(names, row, strict=True))
            assert stored["price_id"] == price_id(stored), (table, stored)


def test_the_catalogue_knows_the_new_names_only(con):
    names = "SELECT DISTINCT source_model_key, model FROM {} WHERE source = 'azure' ORDER BY ALL"
    assert (
        con.execute(names.format("catalogue_names")).fetchall()
        == con.execute(names.format("price_intervals")).fetchall()
    )
    old_models = {model for _, model, _ in OLD_IDENTITY.values()}
    stored = con.execute("SELECT model FROM catalogue_names WHERE source = 'azure'").fetchall()
    assert not old_models & {m for (m,) in stored}


def test_the_audio_price_meets_the_registry_audio_price(con):
    found = con.execute(
        "SELECT status, page_price, registry_price, registry_model_key FROM crosschecks_current "
        "WHERE source = 'azure' AND model = 'gpt4omini-rt-1217' AND price_key = 'input_audio'"
    ).fetchall()
    assert found == [("match", Decimal(10), Decimal(10), "azure/gpt-4o-mini-realtime-preview-2024-12-17")]


def test_price_shows_the_audio_meter_as_an_audio_price(built):
    out = CliRunner().invoke(price_cmd, ["gpt4omini-rt-1217", "--on", "2026-08-23", "--db", str(built),
                                         "--format", "json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = [(r["source_model_key"], r["price_key"], Decimal(str(r["price"]))) for r in json.loads(out.output)]
    assert rows == [("gpt4omini-rt-1217", "input_audio", Decimal(10))]


# Our own small rows in every table that holds a price's identity, written by a file before 017.
OLD_ROW = price_row(source="azure", vendor="azure", model="gpt-rt-aud-0828", source_model_key="gpt rt aud 0828",
                    price_key="cache_read", unit="usd_per_1m_tokens", price=Decimal("2.5"))  # fmt: skip
NEW_ROW = dict(OLD_ROW, model="gpt-rt-0828", source_model_key="gpt rt 0828", price_key="cache_read_audio")


def _old_file(db_path: Path):
    old = migrated(db_path, BEFORE_017)
    pid, ident = price_id(OLD_ROW), [OLD_ROW[c] for c in IDENTITY_COLUMNS]
    cols = ", ".join(IDENTITY_COLUMNS)
    marks = ", ".join("?" for _ in IDENTITY_COLUMNS)
    old.execute(f"INSERT INTO price_intervals (price_id, {cols}, price, valid_from, run_id) "
                f"VALUES (?, {marks}, 2.5, '2026-01-01', 'r1')", [pid, *ident])  # fmt: skip
    old.execute(f"INSERT INTO changes (run_id, changed_at, price_id, {cols}, new_price, kind, change_id) "
                f"VALUES ('r2', '2026-02-01', ?, {marks}, 9, 'changed', 7)", [pid, *ident])  # fmt: skip
    old.execute(f"INSERT INTO quarantine (change_id, run_id, observed_at, price_id, {cols}, price, status) "
                f"VALUES (7, 'r2', '2026-02-01', ?, {marks}, 9, 'pending')", [pid, *ident])  # fmt: skip
    old.execute("INSERT INTO corrections VALUES (1, 7, ?, '2026-01-01', 2.5, 2, '2026-02-02', NULL)", [pid])
    old.execute(f"INSERT INTO run_hold_prices (run_id, action, price_id, {cols}, price) "
                f"VALUES ('r3', 'retire', ?, {marks}, 2.5)", [pid, *ident])  # fmt: skip
    old.execute("INSERT INTO catalogue_names VALUES ('azure', 'azure', 'gpt rt aud 0828', 'gpt-rt-aud-0828', "
                "['usd_per_1m_tokens'], ['cache_read'], 'gpt-rt-aud-0828', 'gpt-rt-aud-0828')")  # fmt: skip
    return old


def test_migration_017_rekeys_every_table_holding_a_price_identity(db_path):
    _old_file(db_path).close()
    con = connect(db_path)
    new_id = price_id(NEW_ROW)
    what = "price_id, source_model_key, model, price_key"
    for table in ("price_intervals", "changes", "quarantine", "run_hold_prices"):
        got = con.execute(f"SELECT {what} FROM {table}").fetchall()
        assert got == [(new_id, "gpt rt 0828", "gpt-rt-0828", "cache_read_audio")], table
    assert con.execute("SELECT price_id FROM corrections").fetchall() == [(new_id,)]
    assert con.execute("SELECT price FROM price_history").fetchall() == [(Decimal(2),)]  # the correction applies
    assert con.execute("SELECT source_model_key, model, keys FROM catalogue_names").fetchall() == [
        ("gpt rt 0828", "gpt-rt-0828", ["cache_read_audio"])
    ]
    helpers = "SELECT count(*) FROM duckdb_functions() WHERE function_name IN ('azure_rt_key', 'azure_rt_name')"
    assert con.execute(helpers).fetchone() == (0,)  # nothing of the migration's own is left behind (identity_id,
    # the contract's price id in SQL, is kept for every re-keying migration: tests/test_contract.py)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'azure_rekey_v17'").fetchone() == (0,)
    con.close()


def test_migration_017_again_changes_nothing(db_path):
    _old_file(db_path).close()
    con = connect(db_path)
    before = con.execute("SELECT * FROM price_intervals").fetchall()
    con.execute(resources.files("aiprices.warehouse").joinpath("sql", "017_azure_meter_identity.sql").read_text())
    assert con.execute("SELECT * FROM price_intervals").fetchall() == before
    assert con.execute("SELECT count(*) FROM catalogue_names").fetchone() == (1,)
    con.close()


def test_the_migration_reads_realtime_meters_as_the_extractor_does():
    """One pattern in two languages: the SQL spells the extractor's ``REALTIME_MODALITY`` (RE2 accepts it)."""
    sql = resources.files("aiprices.warehouse").joinpath("sql", "017_azure_meter_identity.sql").read_text()
    assert sql.count(f"'{azure.REALTIME_MODALITY}'") == 2


@pytest.mark.parametrize(
    "name",
    ["gpt4omini-rt-aud1217", "gpt rt aud 0828", "gpt-4o-rt-txt-1217", "GPT-RT-AUDIO", "gpt-realtime img mini",
     "gpt aud 1.5", "gpt rt 1.5", "gpt-rt-audi-1"],
)  # fmt: skip
def test_python_and_duckdb_read_the_pattern_alike(name):
    python = re.sub(azure.REALTIME_MODALITY, r"\1\2\3\6", name, count=1, flags=re.I).rstrip(" -")
    sql = f"SELECT rtrim(regexp_replace(?, '{azure.REALTIME_MODALITY}', '\\1\\2\\3\\6', 'i'), ' -')"
    assert duckdb.execute(sql, [name]).fetchone() == (python,)
