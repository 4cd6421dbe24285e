"""Bad values never cost a good price (issue 13 item 3): a registry value that is not a finite non-negative
number keeps the last good price and is reported with its key; an object where a price belongs is skipped
with a warning, never read as prices; a crawled page price too large for DECIMAL(38,24) is rejected in
validation, the reason named in the run's error; a local .gz copy inflates against a cap."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from aiprices.schedules.registry_copies import read_copy_file
from aiprices.schedules.runs import CrawlRequest, crawl
from aiprices.warehouse.connection import connect
from aiprices.warehouse.errors import BadInput
from click.testing import CliRunner
from helpers.built_once import build_once, copy_warehouse

from aiprices.commands.registry import registry

GOOD = '{"litellm_provider": "openai", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05}'


def refresh(db: Path, name: str, bad_entry: str):
    """Refresh ``db`` from a copy (beside it) holding ``bad`` and nine good entries (so no guard holds the copy)."""
    entries = [f'    "m{i}": {GOOD}' for i in range(9)] + [f'    "bad": {bad_entry}']
    (db.parent / name).write_text("{\n" + ",\n".join(entries) + "\n}")
    return CliRunner().invoke(registry, ["refresh", "--file", str(db.parent / name), "--db", str(db)])


def _refresh_good(folder: Path) -> None:
    assert refresh(folder / "prices.duckdb", "a.json", GOOD).exit_code == 0


@pytest.fixture(scope="module")
def good_loaded(tmp_path_factory) -> Path:
    """A warehouse refreshed once from the copy whose values are all good (built once; tests take a copy)."""
    return build_once(tmp_path_factory, "guards-values-good", _refresh_good) / "prices.duckdb"


def prices(db: Path, key: str) -> dict[str, Decimal]:
    con = connect(db, read_only=True)
    try:
        rows = con.execute(
            "SELECT price_key || coalesce('/' || nullif(variant, ''), ''), price FROM prices_current "
            "WHERE source_model_key = ?",
            [key],
        ).fetchall()
        removed = con.execute("SELECT count(*) FROM price_changes WHERE kind = 'removed'").fetchone()[0]
    finally:
        con.close()
    assert removed == 0
    return dict(rows)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-2e-06", "-0.000002"),
        ("null", "null"),
        ('"cheap"', '"cheap"'),
        ("true", "true"),
        ("[1]", "[1]"),
        ('{"a": 1}', '{"a": 1}'),
        ("1e20", "1E+20"),
    ],
)
def test_a_bad_value_keeps_the_last_good_price_and_names_its_key(good_loaded, db_path, value, shown):
    copy_warehouse(good_loaded, db_path)  # refreshed from the good copy a.json
    changed = GOOD.replace("2.5e-06", value).replace("1e-05", "2e-05")
    result = refresh(db_path, "b.json", changed)
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert f"skipped values: bad.input_cost_per_token: {shown} is " in line
    assert line.endswith("(a price loaded before keeps its last good value)")
    # The input price keeps its last good value; the output price changes as the copy says.
    assert prices(db_path, "bad") == {"input": Decimal("2.5"), "output": Decimal("20")}


def test_an_object_where_a_price_belongs_is_never_read_as_prices(migrated_db):
    result = refresh(migrated_db, "a.json", '{"litellm_provider": "openai", "input_cost_per_token": {"a": 1}}')
    assert result.exit_code == 0
    assert 'bad.input_cost_per_token: {"a": 1} is not a valid price' in result.stderr
    assert prices(migrated_db, "bad") == {}  # not $1,000,000 per 1M tokens under variant "a"


def test_known_nested_shapes_still_give_one_price_per_member(migrated_db):
    nested = '{"litellm_provider": "openai", "search_context_cost_per_query": {"search_context_size_low": 0.03}}'
    assert refresh(migrated_db, "a.json", nested).exit_code == 0
    assert prices(migrated_db, "bad") == {"search/low": Decimal("30")}


def _meter(name: str, price: float) -> dict:
    return {
        "serviceName": "Foundry Models", "productName": "Azure OpenAI", "meterName": name, "unitOfMeasure": "1K",
        "retailPrice": price, "type": "Consumption", "tierMinimumUnits": 0, "currencyCode": "USD",
        "armRegionName": "eastus",
    }  # fmt: skip


def test_a_crawled_price_too_large_to_store_is_rejected_with_its_reason(tmp_path, db_path):
    folder = tmp_path / "pages" / "azure"
    folder.mkdir(parents=True)
    meters = [_meter("gpt 9 Inp glbl Tokens", 1e20), _meter("gpt 9 Outp glbl Tokens", 0.01)]
    (folder / "2026-01-01.retail-items.json").write_text(json.dumps(meters))
    (result,) = crawl(CrawlRequest(db_path, ["azure"], from_archive=tmp_path / "pages", on=date(2026, 1, 1))).results
    assert (result.status, result.items, result.rejected) == ("partial", 1, 1)
    assert result.error == (
        "rejected in validation: azure gpt 9 input: price 1E+20 is too large (a price must stay below 10^14 once "
        "scaled)"
    )
    con = connect(db_path, read_only=True)
    assert con.execute("SELECT price_key, price FROM prices_current").fetchall() == [("output", Decimal("10"))]
    con.close()


# Local .gz copies (registry refresh --file, backfill) are inflated against a cap, as --url bodies are.


def _gzip_bomb(path, inflated: int) -> None:
    """A gzip file of ``inflated`` zero bytes, written in pieces (never held inflated in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "wb") as fh:
        for _ in range(inflated >> 20):
            fh.write(packer.compress(bytes(1 << 20)))
        fh.write(packer.flush())


def test_a_gzip_bomb_stops_at_the_cap(tmp_path):
    bomb = tmp_path / "2026-01-01.json.gz"
    _gzip_bomb(bomb, 8 << 20)
    with pytest.raises(BadInput, match=r"^2026-01-01.json.gz: cannot read \(larger than 1 MiB once decompressed"):
        read_copy_file(bomb, max_bytes=1 << 20)
    assert len(read_copy_file(bomb, max_bytes=8 << 20)) == 8 << 20  # exactly the cap is allowed


def test_a_plain_copy_over_the_cap_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "copy.json"
    big.write_bytes(b" " * ((1 << 20) + 1))
    with pytest.raises(BadInput, match=r"^copy.json: cannot read \(larger than 1 MiB, refused\)$"):
        read_copy_file(big, max_bytes=1 << 20)


def test_gz_copies_through_the_cli_corrupt_truncated_and_two_members(tmp_path, migrated_db):
    body = b'{\n    "m": {"litellm_provider": "openai", "input_cost_per_token": 1e-06}\n}'
    whole = gzip.compress(body)
    cases = {
        "truncated.json.gz": (whole[: len(whole) // 2], "truncated.json.gz: cannot read (the gzip data is truncated)"),
        "corrupt.json.gz": (
            whole[:12] + b"\xff" * 40 + whole[52:],
            "corrupt.json.gz: cannot read (the gzip data is corrupt",
        ),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        result = CliRunner().invoke(registry, ["refresh", "--file", str(tmp_path / name), "--db", str(migrated_db)])
        assert result.exit_code == 1 and str(result.exception).startswith(message)
    # Two concatenated members (as `cat a.gz b.gz` makes) are one copy, as gzip reads it.
    (tmp_path / "two.json.gz").write_bytes(gzip.compress(body[:20]) + gzip.compress(body[20:]))
    assert read_copy_file(tmp_path / "two.json.gz") == body
