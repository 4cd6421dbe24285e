"""The data contract between producers (registry importer, crawler pipelines) and the warehouse.

A *price row* is a plain dict with the keys of ``PRICE_COLUMNS``. Producers import this module; the
warehouse owns it. Money is ``decimal.Decimal`` in the row's ``currency``; token prices are per 1M tokens.
"""

from __future__ import annotations

from decimal import Decimal

# Identity of one price. ``source_model_key`` is part of the identity because one registry (or page)
# can list the same canonical model under several keys (``gpt-4o`` and ``openai/gpt-4o``) with
# different prices; each keeps its own history.
IDENTITY_COLUMNS: tuple[str, ...] = (
    "source",
    "vendor",
    "model",
    "source_model_key",
    "price_key",
    "unit",
    "service_tier",
    "context_min_tokens",
    "region",
    "variant",
)

VALUE_COLUMNS: tuple[str, ...] = ("currency", "price")

PROVENANCE_COLUMNS: tuple[str, ...] = ("source_url", "source_field", "inferred_rule")

PRICE_COLUMNS: tuple[str, ...] = IDENTITY_COLUMNS + VALUE_COLUMNS + PROVENANCE_COLUMNS

# Exact storage type for money: 14 integer digits, 24 fractional (registry floats like
# 3.3333333333333335e-11 per token stay exact after scaling to per-1M tokens).
PRICE_SQL_TYPE = "DECIMAL(38,24)"
PRICE_SCALE = 24

# The documented vocabulary. Extending it is deliberate: add the key here and to the README.
PRICE_KEYS: dict[str, str] = {
    "input": "uncached input (text unless the unit says otherwise)",
    "output": "output",
    "cache_read": "cached input read (cache hit)",
    "cache_write": "cache write, default TTL (5 minutes where the vendor has TTLs)",
    "cache_write_1h": "cache write with a 1-hour TTL",
    "cache_write_12h": "cache write with a 12-hour TTL",
    "cache_storage": "keeping a context cache, per 1M cached tokens per hour",
    "reasoning_output": "reasoning / thinking output tokens",
    "input_audio": "audio input",
    "output_audio": "audio output",
    "cache_read_audio": "cached audio input",
    "cache_write_audio": "audio cache write",
    "input_image": "image input",
    "output_image": "image output (per image or per image token)",
    "cache_read_image": "cached image input",
    "input_video": "video input",
    "output_video": "video output",
    "citation": "citation tokens",
    "training": "fine-tuning training",
    "request": "per request",
    "query": "per query (rerank, search)",
    "search": "web search / search context, per query",
    "maps_grounding": "map grounding, per query",
    "text_message": "per text message",
    "ocr": "OCR",
    "annotation": "document annotation",
    "code_interpreter": "code interpreter session",
    "file_search": "file search calls",
    "file_search_storage": "file search storage",
    "vector_store": "vector store storage",
    "computer_use_input": "computer-use input tokens",
    "computer_use_output": "computer-use output tokens",
    "guardrail": "guardrail policy unit",
    "usage": "time-based usage (provisioned throughput)",
    "hosting": "hosting a fine-tuned or dedicated model",
    "unknown": "a field the importer does not know; the field name is in variant and source_field",
}

UNITS: dict[str, str] = {
    "usd_per_1m_tokens": "per 1,000,000 tokens (the name is historical: the currency column rules)",
    "dbu_per_1m_tokens": "Databricks DBUs per 1,000,000 tokens (currency DBU, not money)",
    "per_1m_characters": "per 1,000,000 characters",
    "per_1m_pixels": "per 1,000,000 pixels",
    "per_1m_tokens_hour": "per 1,000,000 tokens per hour (cache storage)",
    "per_image": "per image",
    "per_frame": "per video frame",
    "per_request": "per request (one generation, e.g. a song)",
    "per_second": "per second",
    "per_minute": "per minute",
    "per_hour": "per hour",
    "per_1k_requests": "per 1,000 requests",
    "per_1k_queries": "per 1,000 queries",
    "per_message": "per message",
    "per_page": "per page",
    "per_credit": "per credit",
    "per_session": "per session",
    "per_unit": "per unit (see variant)",
    "per_gb_day": "per GB per day",
    "per_gb_month": "per GB per month",
    "unknown": "unit not known (the raw field value is kept)",
}

SERVICE_TIERS: tuple[str, ...] = ("standard", "batch", "flex", "priority", "ultrafast", "balanced", "decisions")

CURRENCIES: tuple[str, ...] = ("USD", "CNY", "EUR", "DBU")


def price_row(
    *,
    source: str,
    vendor: str,
    model: str,
    price_key: str,
    unit: str,
    price: Decimal,
    source_model_key: str | None = None,
    service_tier: str = "standard",
    context_min_tokens: int = 0,
    region: str = "",
    variant: str = "",
    currency: str = "USD",
    source_url: str = "",
    source_field: str = "",
    inferred_rule: str | None = None,
) -> dict:
    """Build one price row with the defaults the warehouse expects (keyword-only, so typos fail)."""
    return {
        "source": source,
        "vendor": vendor,
        "model": model,
        "source_model_key": source_model_key if source_model_key is not None else model,
        "price_key": price_key,
        "unit": unit,
        "service_tier": service_tier,
        "context_min_tokens": int(context_min_tokens),
        "region": region,
        "variant": variant,
        "currency": currency,
        "price": price,
        "source_url": source_url,
        "source_field": source_field,
        "inferred_rule": inferred_rule,
    }


def identity(row: dict) -> tuple:
    """The identity tuple of a price row."""
    return tuple(row[c] for c in IDENTITY_COLUMNS)
