"""Assertions shared by the HTML/RSC extractor tests (not a test module itself)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from aiprices.crawler.extract import Extraction
from aiprices.warehouse.contract import (
    CURRENCIES,
    IDENTITY_COLUMNS,
    PRICE_KEYS,
    SCHEDULE_COLUMNS,
    SERVICE_TIERS,
    unit_scale,
)


def run(module, pages: Path, source: str, name: str) -> Extraction:
    """Run ``module.extract`` on one capture, passing the kind from the file name as the spider would."""
    path = pages / source / name
    kind = name.split(".", 1)[1]
    return module.extract(path.read_bytes(), f"https://example.test/{source}", kind)


def assert_well_formed(ex: Extraction) -> None:
    """Every item has a known key/unit/tier/currency and a non-negative Decimal price; no duplicates."""
    assert ex.items, "no items"
    idents = set()
    for it in ex.items:
        assert isinstance(it["price"], Decimal), it
        assert it["price"] >= 0, it
        assert it["price_key"] in PRICE_KEYS, it
        assert unit_scale(it["unit"]) is not None, it
        assert it["service_tier"] in SERVICE_TIERS, it
        assert it["currency"] in CURRENCIES, it
        assert it["source_model_key"], it
        ident = tuple(it.get(k) for k in ("vendor", *IDENTITY_COLUMNS[3:], *SCHEDULE_COLUMNS))  # a dated price twice
        assert ident not in idents, f"duplicate identity {ident}"
        idents.add(ident)


def price_of(ex: Extraction, model_name: str, price_key: str, **filters) -> Decimal:
    """The one price matching the page's model name, key and item fields (default: standard, global, base)."""
    filters = {"service_tier": "standard", "variant": "", "context_min_tokens": 0, "region": ""} | filters
    found = [
        it["price"]
        for it in ex.items
        if it["source_model_key"] == model_name
        and it["price_key"] == price_key
        and all(it[k] == v for k, v in filters.items())
    ]
    assert len(found) == 1, f"{model_name} {price_key} {filters}: {found}"
    return found[0]
