"""The price contract (warehouse/contract.py) against every place that repeats it: the migrated tables, the
loader's Arrow schemas, the crawler's item and ``page_price``, validation and the README's vocabulary."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from aiprices.crawler.extract import page_price
from aiprices.crawler.items import PriceItem
from aiprices.pipeline.rows import InvalidPrice, check, normalize_price
from aiprices.warehouse import contract
from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import TABLE_COLUMNS, arrow_schema
from helpers.shared import REPO

TYPES = (contract.TEXT, contract.MONEY, contract.TOKENS, contract.COUNT, contract.TIME, contract.FLAG)
SQL_OF_ARROW = {str(t.arrow): t.sql for t in TYPES}


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, dict[str, tuple[str, bool]]]:
    """``{table: {column: (DuckDB type, nullable)}}`` of a freshly migrated warehouse."""
    con = connect(tmp_path_factory.mktemp("contract") / "w.duckdb")
    out = {}
    for table in sorted(TABLE_COLUMNS):
        rows = con.execute(f"DESCRIBE {table}").fetchall()
        out[table] = {name: (sql_type, null == "YES") for name, sql_type, null, *_ in rows}
    con.close()
    return out


def _declared(columns) -> dict[str, tuple[str, bool]]:
    return {c.name: (c.type.sql, c.nullable) for c in columns}


@pytest.mark.parametrize("table", ["price_intervals", "quarantine", "run_hold_prices"])
def test_price_tables_hold_the_staged_row(tables, table):
    got = {name: tables[table][name] for name in contract.PRICE_COLUMNS}
    assert got == _declared(contract.PRICE_ROW)


def test_changelog_holds_the_identity_and_value_columns(tables):
    wanted = [c for c in contract.PRICE_ROW if c.name not in ("price", "inferred_rule", *contract.SCHEDULE_COLUMNS)]
    assert {c.name: tables["changes"][c.name] for c in wanted} == _declared(wanted)
    assert tables["changes"]["old_price"] == tables["changes"]["new_price"] == (contract.MONEY.sql, True)


def test_runs_table_holds_the_run_row(tables):
    assert {name: tables["runs"][name] for name in contract.RUN_COLUMNS} == _declared(contract.RUN_ROW)


@pytest.mark.parametrize("table", sorted(TABLE_COLUMNS))
def test_loader_arrow_schema_matches_the_table(tables, table):
    schema = arrow_schema(TABLE_COLUMNS[table])
    got = {f.name: SQL_OF_ARROW[str(f.type)] for f in schema}
    assert got == {name: tables[table][name][0] for name in TABLE_COLUMNS[table]}


def test_price_item_fields_are_the_staged_row():
    python_type = {
        contract.TEXT: ("str", "str | None"),
        contract.MONEY: ("Decimal",),
        contract.TOKENS: ("int",),
        contract.TIME: ("datetime | None",),
    }
    fields = {f.name: f.type for f in dataclasses.fields(PriceItem)}
    assert set(fields) == set(contract.PRICE_COLUMNS)
    for column in contract.PRICE_ROW:
        assert fields[column.name] in python_type[column.type], column.name


def test_page_price_is_the_staged_row_without_crawl_provenance():
    row = page_price(
        vendor="v", model_name="M", price_key="input", unit="per_1k_tokens", price=Decimal("1"), source_field="f"
    )
    assert set(row) == set(contract.PRICE_COLUMNS) - {"source", "source_url"}


def _item(**changes) -> dict:
    row = contract.price_row(source="s", vendor="v", model="m", price_key="input", unit="per_token", price=Decimal(1))
    row.update(changes)
    return row


def test_validation_accepts_every_contract_value():
    for key in contract.PRICE_KEYS:
        check(_item(price_key=key))
    for unit in (*contract.UNITS, *contract.PUBLISHED_UNITS):
        check(_item(unit=unit))
    for tier in contract.SERVICE_TIERS:
        check(_item(service_tier=tier))
    for currency in contract.CURRENCIES:
        check(_item(currency=currency))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"unit": "per_fortnight"}, "unknown_unit"),
        ({"price_key": "vibes"}, "unknown_price_key"),
        ({"service_tier": "turbo"}, "unknown_tier"),
        ({"currency": "XBT"}, "unknown_currency"),
        # 1e-31 per token is 1e-25 per 1M tokens: one decimal more than DECIMAL(38,24) holds
        ({"price": Decimal("1E-31")}, "too_precise"),
    ],
)
def test_validation_rejects_values_outside_the_contract(changes, reason):
    with pytest.raises(InvalidPrice) as err:
        check(_item(**changes))
    assert err.value.reason == reason


def test_unit_factors_to_the_stored_unit():
    assert contract.unit_scale("per_1k_tokens") == ("usd_per_1m_tokens", Decimal(1000))
    assert contract.unit_scale("per_token") == ("usd_per_1m_tokens", Decimal(1_000_000))
    assert contract.unit_scale("per_image") == ("per_image", Decimal(1))
    assert contract.unit_scale("per_fortnight") is None
    for published, (stored, factor) in contract.PUBLISHED_UNITS.items():
        assert published not in contract.UNITS and stored in contract.UNITS and factor > 0
    assert normalize_price(Decimal("3E-7"), "per_token") == (Decimal("0.3"), "usd_per_1m_tokens")
    assert normalize_price(Decimal("0.005"), "per_query") == (Decimal("5"), "per_1k_queries")


def _readme_list(name: str) -> set[str]:
    """The backticked values of the README's ``- `name`: ...`` vocabulary bullet (SQL views section)."""
    text = (REPO / "README.md").read_text()
    match = re.search(rf"^- `{name}`: (.*?)(?=^- `|^$)", text, re.S | re.M)
    assert match, f"README has no `{name}` bullet"
    return set(re.findall(r"`([a-z0-9_]+)`", re.sub(r"\([^)]*\)", "", match.group(1))))


def test_readme_lists_the_contract_vocabulary():
    assert _readme_list("price_key") == set(contract.PRICE_KEYS)
    assert _readme_list("unit") == set(contract.UNITS)
    assert _readme_list("service_tier") == set(contract.SERVICE_TIERS)


@pytest.mark.parametrize(
    "changes",
    [{}, {"currency": "CNY"}, {"time_window": "16:30-00:30"}, {"context_min_tokens": 200_000, "region": "eu"}],
)
def test_the_sql_identity_id_is_the_contracts_price_id(tmp_path, changes):
    """Migrations that re-key stored prices compute ids with the ``identity_id`` macro: the loader's ids."""
    row = contract.price_row(source="s", vendor="v", model="m", price_key="input", unit="usd_per_1m_tokens",
                             price=Decimal(1), **changes)  # fmt: skip
    con = connect(tmp_path / "w.duckdb")
    columns = ", ".join(f"${c}" for c in contract.IDENTITY_COLUMNS)
    (got,) = con.execute(f"SELECT identity_id({columns})", {c: row[c] for c in contract.IDENTITY_COLUMNS}).fetchone()
    con.close()
    assert got == contract.price_id(row)
