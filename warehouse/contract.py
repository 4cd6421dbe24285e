"""The price contract: one staged price row from page to budget, defined once.

Every producer (a crawled page through the item pipelines, LiteLLM's registry, a replay or a backfill) hands
the warehouse rows with exactly ``PRICE_COLUMNS``; each column has one DuckDB type and one Arrow type here.
The migrations' tables, the loader's Arrow schemas, ``crawler.items.PriceItem``, ``crawler.extract.page_price``
and the pipeline's checks (``pipeline.rows.check``) derive from this module or are checked against it
(``tests/test_contract.py``).
Money is ``decimal.Decimal`` in the row's ``currency``.

Extractors emit prices in *published* units (``per_1k_tokens``, ``per_token``, ...); the pipeline
(``pipeline.rows.normalize_price``) turns them into the *stored* unit through ``unit_scale``
(``per_1k_tokens`` x1,000 -> ``usd_per_1m_tokens``).

Table names: ``runs`` is the internal table of loads; the public contract is the ``crawl_runs`` view
(README "SQL views"), which lists runs of every kind (crawl, replay, registry) despite its name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Context, Decimal
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# Exact storage type for money: 14 integer digits, 24 fractional (registry floats like
# 3.3333333333333335e-11 per token stay exact after scaling to per-1M tokens).
PRICE_DIGITS = 38
PRICE_SCALE = 24
MAX_INTEGER_DIGITS = PRICE_DIGITS - PRICE_SCALE
# Wide enough for every storable price, so scaling, tidying or checking one never rounds it (the default context
# keeps 28 digits).
EXACT = Context(prec=PRICE_DIGITS)


def unstorable(price: Decimal, power: int = 0) -> tuple[str, str] | None:
    """Why a finite price of 0 or more, times 10^``power`` (its unit's factor), cannot be stored exactly:
    ``(reason, problem)`` (a short stats key; ``is too large ...``), else None. The magnitude is judged first, so
    the exactness test that follows can neither overflow nor round."""
    if not price:
        return None
    if price.adjusted() + power >= MAX_INTEGER_DIGITS:
        return "too_large", f"is too large (a price must stay below 10^{MAX_INTEGER_DIGITS} once scaled)"
    # Below 10^14 once scaled, the price rounded to 24 decimals has at most 38 digits: exact in EXACT.
    if price.quantize(Decimal(1).scaleb(-PRICE_SCALE - power), context=EXACT) != price:
        return "too_precise", f"has more than {PRICE_SCALE} decimals when scaled"
    return None


@dataclass(frozen=True)
class ColumnType:
    """One type, as DuckDB's DESCRIBE names it and as Arrow carries it into ``INSERT ... SELECT``.

    The Arrow type is built on first use, so producers that only write rows (a crawler process) never
    import pyarrow.
    """

    sql: str
    arrow_type: tuple  # pyarrow factory name and its arguments

    @cached_property
    def arrow(self) -> pa.DataType:
        import pyarrow

        name, *args = self.arrow_type
        return getattr(pyarrow, name)(*args)


TEXT = ColumnType("VARCHAR", ("string",))
MONEY = ColumnType(f"DECIMAL({PRICE_DIGITS},{PRICE_SCALE})", ("decimal128", PRICE_DIGITS, PRICE_SCALE))
TOKENS = ColumnType("BIGINT", ("int64",))
COUNT = ColumnType("INTEGER", ("int32",))
TIME = ColumnType("TIMESTAMP WITH TIME ZONE", ("timestamp", "us", "UTC"))
FLAG = ColumnType("BOOLEAN", ("bool_",))


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = False


# The staged price row. Identity first: ``source_model_key`` is part of the identity because one registry
# (or page) can list the same canonical model under several keys (``gpt-4o`` and ``openai/gpt-4o``) with
# different prices; each keeps its own history. ``currency`` is identity too: a CNY and a USD price are two
# offers, never a change of one. ``time_window`` is the time of day a price applies ('' = all day; else
# ``HH:MM-HH:MM`` in UTC, see ``TIME_WINDOW``), e.g. DeepSeek's off-peak prices.
IDENTITY: tuple[Column, ...] = (
    Column("source", TEXT),
    Column("vendor", TEXT),
    Column("model", TEXT),
    Column("source_model_key", TEXT),
    Column("price_key", TEXT),
    Column("unit", TEXT),
    Column("service_tier", TEXT),
    Column("context_min_tokens", TOKENS),
    Column("region", TEXT),
    Column("variant", TEXT),
    Column("currency", TEXT),
    Column("time_window", TEXT),
)
VALUE: tuple[Column, ...] = (Column("price", MONEY),)
# When the page says a price starts or ends ("through August 31, 2026", "Starting January 1, 2027"): the
# stated instants (UTC; NULL = not stated). The loader dates the price's interval by them (a stated end closes
# it, a stated start in the future schedules it); a price with no stated dates is dated by the run.
SCHEDULE: tuple[Column, ...] = (
    Column("effective_from", TIME, nullable=True),
    Column("effective_to", TIME, nullable=True),
)
PROVENANCE: tuple[Column, ...] = (
    Column("source_url", TEXT, nullable=True),
    Column("source_field", TEXT, nullable=True),
    Column("inferred_rule", TEXT, nullable=True),  # NULL = published; else the rule that derived it
)
PRICE_ROW: tuple[Column, ...] = IDENTITY + VALUE + SCHEDULE + PROVENANCE

IDENTITY_COLUMNS: tuple[str, ...] = tuple(c.name for c in IDENTITY)
SCHEDULE_COLUMNS: tuple[str, ...] = tuple(c.name for c in SCHEDULE)
# Identity columns added after the first release, with the value every earlier price has: ``price_id`` leaves
# a column out while it holds this value, so the ids of prices stored before the column existed stay valid.
IDENTITY_DEFAULTS: dict[str, str] = {"currency": "USD", "time_window": ""}
# A time-of-day window: start and end in UTC, the end may wrap past midnight (``16:30-00:30``).
TIME_WINDOW = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"
# What a reader asks for to get a price limited to a time of day (the resolver's ``time_window`` ask).
OFF_PEAK = "off-peak"
PRICE_COLUMNS: tuple[str, ...] = tuple(c.name for c in PRICE_ROW)

# The metadata of one run (one load of one source), as stored in ``runs`` (public view ``crawl_runs``).
RUN_ROW: tuple[Column, ...] = (
    Column("run_id", TEXT),
    Column("source", TEXT),
    Column("kind", TEXT),  # crawl | replay | registry
    Column("observed_at", TIME),  # when the prices were read (copy date, crawl time)
    Column("started_at", TIME),
    Column("finished_at", TIME, nullable=True),
    Column("status", TEXT),  # ok | partial | failed
    Column("pages", COUNT),
    Column("items", COUNT),
    Column("rejected", COUNT),
    Column("added", COUNT),
    Column("changed", COUNT),
    Column("removed", COUNT),
    Column("error", TEXT, nullable=True),
    Column("warnings", TEXT, nullable=True),
    Column("source_url", TEXT, nullable=True),
    Column("content_sha256", TEXT, nullable=True),
    Column("page_kind", TEXT, nullable=True),  # the page format read ('' live); None: no page (registry)
    Column("rows_seen", COUNT, nullable=True),  # the completeness audit: rows that look priced
    Column("rows_priced", COUNT, nullable=True),  # ... and those that gave a price
    Column("aggregator", FLAG, nullable=True),  # the source lists other vendors' models (vendor_status)
)
RUN_COLUMNS: tuple[str, ...] = tuple(c.name for c in RUN_ROW)

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

# Units as stored (and shown by every view). Token prices are stored per 1M tokens in ``TOKEN_UNIT``.
TOKEN_UNIT = "usd_per_1m_tokens"
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

# Units a source may publish that are not stored as such: published unit -> (stored unit, factor).
# The stored price is the published price times the factor, exactly; every factor is a power of ten.
PUBLISHED_UNITS: dict[str, tuple[str, Decimal]] = {
    "per_1m_tokens": (TOKEN_UNIT, Decimal(1)),
    "per_1k_tokens": (TOKEN_UNIT, Decimal(1_000)),
    "per_token": (TOKEN_UNIT, Decimal(1_000_000)),
    "dbu_per_token": ("dbu_per_1m_tokens", Decimal(1_000_000)),
    "per_character": ("per_1m_characters", Decimal(1_000_000)),
    "per_pixel": ("per_1m_pixels", Decimal(1_000_000)),
    "per_query": ("per_1k_queries", Decimal(1_000)),
    "per_call": ("per_1k_requests", Decimal(1_000)),  # an API call (LiteLLM's *_cost_per_request)
}

# Stored units that are exact multiples of each other: unit -> (the coarser unit both are compared in, its size in
# this unit). The cross-check compares prices across them; a unit not listed is compared only with itself.
UNIT_BRIDGES: dict[str, tuple[str, Decimal]] = {
    "per_second": ("per_hour", Decimal(3600)),
    "per_minute": ("per_hour", Decimal(60)),
    "per_hour": ("per_hour", Decimal(1)),
    "per_request": ("per_1k_requests", Decimal(1000)),
    "per_1k_requests": ("per_1k_requests", Decimal(1)),
}

SERVICE_TIERS: tuple[str, ...] = ("standard", "batch", "flex", "priority", "ultrafast", "balanced", "decisions")

CURRENCIES: tuple[str, ...] = ("USD", "CNY", "EUR", "DBU")

# Documented shares for prices a vendor offers but does not publish (shared/seeds): derived rows carry
# ``inferred_rule``; the calculators use the same shares when a budget needs an unpublished price.
CACHED_INPUT_SHARE = Decimal("0.1")  # cached input = 10% of input
BATCH_SHARE = Decimal("0.5")  # batch = 50% of the standard price


# Every unit the contract knows -> (stored unit, factor); a stored unit is its own, times one.
UNIT_SCALES: dict[str, tuple[str, Decimal]] = {**{u: (u, Decimal(1)) for u in UNITS}, **PUBLISHED_UNITS}


def unit_scale(unit: str) -> tuple[str, Decimal] | None:
    """``(stored unit, factor)`` for a published or stored unit; None when the unit is not in the contract."""
    return UNIT_SCALES.get(unit)


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
    time_window: str = "",
    effective_from: datetime | None = None,
    effective_to: datetime | None = None,
    source_url: str = "",
    source_field: str = "",
    inferred_rule: str | None = None,
) -> dict:
    """Build one stored price row with the defaults the warehouse expects (keyword-only, so typos fail)."""
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
        "time_window": time_window,
        "price": price,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "source_url": source_url,
        "source_field": source_field,
        "inferred_rule": inferred_rule,
    }


def price_id(row: dict) -> str:
    """Stable surrogate key of a price's identity (one join column instead of twelve): the md5 of its identity
    columns, leaving out a later-added column that holds its default (``IDENTITY_DEFAULTS``). Migration 011
    computes the same in SQL for stored rows."""
    parts = (str(row[c]) for c in IDENTITY_COLUMNS if IDENTITY_DEFAULTS.get(c) != row[c])
    return hashlib.md5("\x1f".join(parts).encode()).hexdigest()
