"""Page extractors: one module per source, each a pure function from a fetched body to page prices.

Every source module exposes::

    def extract(body: bytes, url: str, kind: str = "") -> Extraction

``kind`` is the capture kind from the archive file name (``docs.md``, ``jina.md``, ``html``, ``zh.html``, ...)
or "" for a live fetch; an extractor may use it (and the body itself) to choose the page format.

Extractors know nothing of Scrapy or the warehouse: spiders call them and yield ``Extraction.items``;
item pipelines validate, normalise units, infer derived prices, map names to canonical ids and stage them.
A source is the little code its layout needs: labels mean what ``crawler/vocabulary.py`` says, amounts are
read by ``crawler/parsers/price_text.py``, prices are written through ``emitter.Emitter`` (which keeps the
first of a repeated price and audits the page's priced rows), and the base spider refuses bot challenges.

Units are emitted as the page publishes them (``per_1k_tokens``, ``per_token``, ``per_image``, ...): the names
are those of the price contract (``warehouse/contract.py``: ``UNITS`` and ``PUBLISHED_UNITS``), which the
normalise pipeline uses to convert them to the stored unit; the crawler never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


class LayoutChanged(Exception):
    """The page no longer has the structure the extractor reads (no price table found)."""


def page_price(
    *,
    vendor: str,
    model_name: str,
    price_key: str,
    unit: str,
    price: Decimal,
    source_field: str,
    currency: str = "USD",
    service_tier: str = "standard",
    context_min_tokens: int = 0,
    region: str = "",
    variant: str = "",
    time_window: str = "",
    effective_from: datetime | None = None,
    effective_to: datetime | None = None,
    model: str | None = None,
) -> dict:
    """One price as the page publishes it.

    ``model_name`` is the page's own name for the model (kept as ``source_model_key``); ``model`` is the
    canonical id when the page gives one (an API id), else None and the alias pipeline maps the name.
    ``source_field`` is the column header / JSON field the value came from (provenance).
    ``time_window`` is the time of day the price applies ('' = all day, else ``HH:MM-HH:MM`` UTC);
    ``effective_from`` / ``effective_to`` the start and end the page states (UTC; None = not stated).
    """
    if not isinstance(price, Decimal):
        raise TypeError(f"price must be Decimal, got {type(price).__name__} for {model_name} {price_key}")
    return {
        "vendor": vendor,
        "source_model_key": model_name,
        "model": model,
        "price_key": price_key,
        "unit": unit,
        "price": price,
        "currency": currency,
        "service_tier": service_tier,
        "context_min_tokens": int(context_min_tokens),
        "region": region,
        "variant": variant,
        "time_window": time_window,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "source_field": source_field,
        "inferred_rule": None,
    }


@dataclass
class Extraction:
    """What one page yielded.

    ``unmapped_columns`` lists page columns/fields that looked like prices but were not mapped to a
    price key: tests assert it is empty for every capture, and the crawl reports it. The audit
    (``rows_seen``, ``rows_priced``, ``unpriced``) counts the page's rows that look priced (a money amount
    next to a model name or in a price column) against those that produced a price (see ``emitter``).
    """

    items: list[dict] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_seen: int = 0
    rows_priced: int = 0
    unpriced: list[str] = field(default_factory=list)
    # For paginated APIs: absolute URL of the next page to fetch, if any.
    next_url: str | None = None
