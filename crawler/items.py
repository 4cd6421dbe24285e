"""The item a spider yields: one page price plus where it was read (pipelines see it via ItemAdapter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass
class PriceItem:
    """One published price. Fields mirror ``extract.page_price`` plus the crawl's provenance.

    ``model`` is None until the alias pipeline maps ``source_model_key`` to a canonical id.
    """

    source: str
    vendor: str
    source_model_key: str
    price_key: str
    unit: str
    price: Decimal
    currency: str = "USD"
    time_window: str = ""
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    service_tier: str = "standard"
    context_min_tokens: int = 0
    region: str = ""
    variant: str = ""
    source_field: str = ""
    source_url: str = ""
    model: str | None = None
    inferred_rule: str | None = None

    @classmethod
    def from_page_price(cls, row: dict, *, source: str, source_url: str) -> PriceItem:
        return cls(source=source, source_url=source_url, **row)
