"""Raw-page archive (content-addressed, indexed by run) and the SQL cross-check against LiteLLM rows."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.crawler.archive import Archive, ArchiveError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.crosscheck import record_crosschecks
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun


def test_archive_stores_each_body_once_and_indexes_every_fetch(tmp_path):
    archive = Archive(tmp_path / "archive")
    a = archive.put(b"<html>prices</html>", run_id="r1-openai", source="openai", url="https://x/p", kind="html")
    b = archive.put(b"<html>prices</html>", run_id="r2-openai", source="openai", url="https://x/p", kind="html")
    c = archive.put(b"{}", run_id="r2-azure", source="azure", url="https://y/", kind="")
    assert a.sha256 == b.sha256 != c.sha256
    objects = sorted((tmp_path / "archive" / "objects").rglob("*.gz"))
    assert len(objects) == 2
    assert gzip.decompress(archive.object_path(a.sha256).read_bytes()) == b"<html>prices</html>"
    assert [e.run_id for e in archive.for_run("r2")] == ["r2-openai", "r2-azure"]
    assert archive.get(c.sha256) == b"{}"
    archive.object_path(c.sha256).write_bytes(gzip.compress(b"tampered"))
    with pytest.raises(ArchiveError, match="corrupt"):
        archive.get(c.sha256)
    with pytest.raises(ArchiveError, match="missing"):
        archive.get("0" * 64)


def _run(run_id, source, day, kind="replay"):
    at = datetime(2026, 1, day, tzinfo=UTC)
    return RunRecord(run_id=run_id, source=source, kind=kind, observed_at=at, started_at=at, finished_at=at)


def _price(source, vendor, model, price, key="input", region="", registry_key=None, **kw):
    """One per-1M-token price row; ``registry_key`` is the registry's own key (default: the model)."""
    return price_row(
        source=source,
        vendor=vendor,
        model=model,
        source_model_key=registry_key or model,
        price_key=key,
        unit="usd_per_1m_tokens",
        region=region,
        price=Decimal(price),
        source_field="f",
        **kw,
    )


def test_crosscheck_statuses(migrated_db):
    con = connect(migrated_db)
    registry = [
        _price("litellm", "openai", "gpt-9", "2.5"),
        _price("litellm", "openai", "gpt-9", "9", registry_key="openai/gpt-9"),  # the canonical key wins
        _price("litellm", "openai", "gpt-9", "10", key="output"),
        _price("litellm", "openai", "gpt-9", "0.25", key="cache_read"),
        _price("litellm", "azure", "gpt-9", "1", key="reasoning_output", registry_key="azure/gpt-9"),
    ]
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    page = [
        _price("openai", "openai", "gpt-9", "2.5"),
        _price("openai", "openai", "gpt-9", "12", key="output"),
        _price("openai", "openai", "gpt-9", "1.25", service_tier="batch"),
        _price("openai", "openai", "gpt-9", "3", key="cache_write", inferred_rule="made up for the test"),
    ]
    load_run(con, StagedRun(_run("crawl-1-openai", "openai", 2), page))
    counts = record_crosschecks(con, "crawl-1-openai")
    assert counts == {"match": 1, "mismatch": 1, "missing_in_registry": 1, "missing_on_page": 1}
    rows = con.execute(
        "SELECT price_key, service_tier, status, page_price, registry_price, registry_model_key, delta "
        "FROM crosschecks WHERE run_id = 'crawl-1-openai' ORDER BY price_key, service_tier"
    ).fetchall()
    assert rows == [
        ("cache_read", "standard", "missing_on_page", None, Decimal("0.25"), "gpt-9", None),
        ("input", "batch", "missing_in_registry", Decimal("1.25"), None, None, None),
        ("input", "standard", "match", Decimal("2.5"), Decimal("2.5"), "gpt-9", Decimal(0)),
        ("output", "standard", "mismatch", Decimal("12"), Decimal("10"), "gpt-9", Decimal("2")),
    ]
    assert record_crosschecks(con, "crawl-1-openai") == counts  # idempotent: replaced, not appended
    (n,) = con.execute("SELECT count(*) FROM crosschecks").fetchone()
    assert n == 4
    con.close()


def test_crosscheck_bridges_registry_naming_and_nothing_else(migrated_db):
    con = connect(migrated_db)
    registry = [
        # Bedrock: provider prefix and version suffix; unprefixed = us-east-1 for in-region models ...
        _price("litellm", "bedrock", "openai.gpt-oss-120b-1:0", "0.15"),
        # ... but for a model with global keys the unprefixed key repeats the global price
        _price("litellm", "bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0", "1"),
        _price("litellm", "bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0", "1", region="global"),
        # Azure Data Zone deployments are the registry's us/eu keys
        _price("litellm", "azure", "gpt-5.4", "2.75", region="us", registry_key="azure/us/gpt-5.4"),
        _price("litellm", "azure", "gpt-5.4", "2.75", region="eu", registry_key="azure/eu/gpt-5.4"),
        # the registry keeps the vendor's capitals
        _price("litellm", "together", "zai-org/GLM-5.3", "1", registry_key="together_ai/zai-org/GLM-5.3"),
        # a different model that only looks alike stays apart
        _price("litellm", "together", "zai-org/glm-5.3-flash", "0.15"),
    ]
    load_run(con, StagedRun(_run("reg-1", "litellm", 1, kind="registry"), registry))
    pages = {
        "bedrock": [
            _price("bedrock", "bedrock", "gpt-oss-120b", "0.15", region="us-east-1"),
            _price("bedrock", "bedrock", "claude-haiku-4-5", "1", region="global"),
            _price("bedrock", "bedrock", "claude-haiku-4-5", "1.1", region="us-east-1"),
        ],
        "azure": [_price("azure", "azure", "gpt-5.4", "2.75", region="datazone")],
        "together": [_price("together", "together", "zai-org/glm-5.3", "1")],
    }
    for source, rows in pages.items():
        load_run(con, StagedRun(_run(f"crawl-{source}", source, 2), rows))
        record_crosschecks(con, f"crawl-{source}")
    got = con.execute(
        "SELECT source, model, region, status, registry_model_key FROM crosschecks "
        "WHERE page_price IS NOT NULL ORDER BY ALL"
    ).fetchall()
    assert got == [
        ("azure", "gpt-5.4", "datazone", "match", "azure/eu/gpt-5.4"),
        ("bedrock", "claude-haiku-4-5", "global", "match", "anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("bedrock", "claude-haiku-4-5", "us-east-1", "missing_in_registry", None),
        ("bedrock", "gpt-oss-120b", "us-east-1", "match", "openai.gpt-oss-120b-1:0"),
        ("together", "zai-org/glm-5.3", "", "match", "together_ai/zai-org/GLM-5.3"),
    ]
    con.close()
