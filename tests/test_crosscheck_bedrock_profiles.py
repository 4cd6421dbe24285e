"""A page's in-region Bedrock price is compared with LiteLLM's geographic cross-region profile of that region when
the registry has no price of the region itself (warehouse/bedrock_profiles.py): AWS prices a geographic profile
at the calling Region's on-demand price; the global profile is its own, lower price."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pytest
from aiprices.crawler.extract import bedrock
from aiprices.pipeline.aliases import canonical
from aiprices.pipeline.rows import stage_rows
from aiprices.warehouse.bedrock_profiles import region_rank
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.crosscheck import record_crosschecks
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.cli import cli

SONNET = "anthropic.claude-sonnet-4-6"


def _run(run_id: str, source: str, day: int, kind: str = "replay") -> RunRecord:
    at = datetime(2026, 1, day, tzinfo=UTC)
    return RunRecord(run_id=run_id, source=source, kind=kind, observed_at=at, started_at=at, finished_at=at)


def _registry(key: str, price: str, region: str, vendor: str = "bedrock") -> dict:
    return price_row(source="litellm", vendor=vendor, model=SONNET, source_model_key=key, price_key="input",
                     unit="usd_per_1m_tokens", region=region, price=Decimal(price), source_field="f")  # fmt: skip


def _page(region: str, price: str, vendor: str = "bedrock") -> dict:
    return price_row(source=vendor, vendor=vendor, model="claude-sonnet-4-6", source_model_key="Claude Sonnet 4.6",
                     price_key="input", unit="usd_per_1m_tokens", region=region, price=Decimal(price),
                     source_field="f")  # fmt: skip


def _check(db, registry: list[dict], page: list[dict], source: str = "bedrock") -> dict[str, tuple]:
    """region -> (status, registry price, registry key) of each page price."""
    con = connect(db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    load_run(con, StagedRun(_run(f"crawl-1-{source}", source, 2), page))
    record_crosschecks(con, f"crawl-1-{source}")
    rows = con.execute(
        "SELECT region, status, registry_price, registry_model_key FROM crosschecks_current "
        "WHERE page_price IS NOT NULL"
    ).fetchall()
    con.close()
    return {region: (status, price, key) for region, status, price, key in rows}


@pytest.mark.parametrize(
    ("page_region", "registry_region", "rank"),
    [
        ("us-east-1", "us-east-1", 0),
        ("us-west-2", "us", 1),
        ("us-gov-west-1", "us-gov", 1),
        ("us-gov-west-1", "us", None),
        ("eu-central-1", "eu", 1),
        ("ap-northeast-1", "jp", 1),
        ("ap-northeast-1", "apac", 2),
        ("ap-southeast-2", "au", 1),
        ("ap-south-1", "apac", 1),
        ("ap-south-1", "jp", None),
        ("ca-central-1", "ca", 1),
        ("us-east-1", "eu", None),
        ("global", "us", None),
        ("us-east-1", "global", None),
        ("sa-east-1", "us", None),
    ],
)
def test_a_region_is_stood_for_by_its_own_price_then_its_geographys_profile(page_region, registry_region, rank):
    sql = region_rank("'bedrock'", "$p", "$r")
    assert duckdb.execute(f"SELECT {sql}", {"p": page_region, "r": registry_region}).fetchone()[0] == rank


def test_other_vendors_compare_the_same_region_only():
    sql = region_rank("'azure'", "$p", "$r")
    assert duckdb.execute(f"SELECT {sql}", {"p": "us-east-1", "r": "us"}).fetchone()[0] is None
    assert duckdb.execute(f"SELECT {sql}", {"p": "eastus", "r": "eastus"}).fetchone()[0] == 0


def test_an_in_region_price_is_compared_with_its_geographic_profile(migrated_db):
    registry = [
        _registry(SONNET, "3", ""),  # the unprefixed key of a model with a global profile: not a region's price
        _registry(f"global.{SONNET}", "3", "global"),
        _registry(f"us.{SONNET}", "3.3", "us"),
        _registry(f"eu.{SONNET}", "3.3", "eu"),
        _registry(f"jp.{SONNET}", "3.3", "jp"),
        _registry(f"apac.{SONNET}", "3.4", "apac"),
    ]
    page = [_page("us-east-1", "3.3"), _page("eu-west-3", "3.63"), _page("ap-northeast-1", "3.3"),
            _page("ap-south-1", "3.3"), _page("global", "3"), _page("sa-east-1", "3.3")]  # fmt: skip
    got = _check(migrated_db, registry, page)
    assert got["us-east-1"] == ("match", Decimal("3.3"), f"us.{SONNET}")
    assert got["eu-west-3"] == ("mismatch", Decimal("3.3"), f"eu.{SONNET}")
    assert got["ap-northeast-1"] == ("match", Decimal("3.3"), f"jp.{SONNET}")  # Japan's profile before APAC's
    assert got["ap-south-1"] == ("mismatch", Decimal("3.4"), f"apac.{SONNET}")
    assert got["global"] == ("match", Decimal("3"), f"global.{SONNET}")
    assert got["sa-east-1"][:2] == ("missing_in_registry", None)  # no geography profile covers São Paulo


def test_the_regions_own_price_wins_over_its_geographic_profile(migrated_db):
    registry = [_registry(f"bedrock/us-east-1/{SONNET}", "3.1", "us-east-1"), _registry(f"us.{SONNET}", "3.3", "us")]
    got = _check(migrated_db, registry, [_page("us-east-1", "3.1")])
    assert got["us-east-1"] == ("match", Decimal("3.1"), f"bedrock/us-east-1/{SONNET}")


def test_a_profile_the_page_matches_is_not_missing_on_page(migrated_db):
    registry = [_registry(f"us.{SONNET}", "3.3", "us"), _registry(f"eu.{SONNET}", "3.3", "eu")]
    con = connect(migrated_db)
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    load_run(con, StagedRun(_run("crawl-1-bedrock", "bedrock", 2), [_page("us-east-1", "3.3")]))
    record_crosschecks(con, "crawl-1-bedrock")
    only_registry = con.execute(
        "SELECT region FROM crosschecks_current WHERE status = 'missing_on_page'"
    ).fetchall()  # fmt: skip
    con.close()
    assert only_registry == [("eu",)]


def test_the_real_bedrock_list_meets_litellms_us_profile(migrated_db, vendor_pages, registry_dir):
    """The 2026-10-04 AWS price list (us-east-1 and global usage types) against the 2026-11-12 registry copy:
    Claude Sonnet 4.6's in-region input and output are LiteLLM's ``us.`` profile prices."""
    capture, copy = vendor_pages / "bedrock" / "2026-10-04.price-list-subset.json", registry_dir / "2026-11-12.json.gz"
    for needed in (capture, copy):
        if not needed.is_file():
            pytest.skip(f"shared file {needed} is absent")
    refreshed = CliRunner().invoke(cli, ["registry", "refresh", "--file", str(copy), "--db", str(migrated_db)])
    assert refreshed.exit_code == 0, refreshed.output
    url = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/index.json"
    items = bedrock.extract(capture.read_bytes(), url).items
    for item in items:
        item["model"] = canonical(item["vendor"], item["source_model_key"], item.get("model"))[0]
    rows = stage_rows(enumerate(items), source="bedrock", source_url=url, rejected=[])
    con = connect(migrated_db)
    at = datetime(2026, 11, 13, tzinfo=UTC)
    load_run(con, StagedRun(RunRecord("crawl-bedrock", "bedrock", "replay", at, at, at), rows))
    record_crosschecks(con, "crawl-bedrock")
    rows = con.execute(
        "SELECT price_key, region, status, page_price, registry_model_key FROM crosschecks_current "
        "WHERE source = 'bedrock' AND model = 'claude-sonnet-4-6' AND service_tier = 'standard' "
        "AND price_key IN ('input', 'output') AND variant = '' AND region = 'us-east-1' ORDER BY price_key"
    ).fetchall()
    mantle = con.execute(
        "SELECT model, price_key, status, registry_model_key FROM crosschecks_current WHERE source = 'bedrock' "
        "AND variant = 'mantle' AND service_tier = 'standard' AND page_price IS NOT NULL ORDER BY ALL"
    ).fetchall()
    con.close()
    assert rows == [
        ("input", "us-east-1", "match", Decimal("3.3"), f"us.{SONNET}"),
        ("output", "us-east-1", "match", Decimal("16.5"), f"us.{SONNET}"),
    ]
    # LiteLLM's bedrock_mantle/ keys are the Mantle endpoint the price list files as bedrock-mantle usage
    assert mantle == [
        (model, key, "match", f"bedrock_mantle/openai.{model}")
        for model in ("gpt-oss-120b", "gpt-oss-20b")
        for key in ("input", "output")
    ]
