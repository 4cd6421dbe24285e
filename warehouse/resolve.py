"""The Python face of the one resolver (``sql/006_resolver.sql``): ask which price answers a question.

Callers describe what they need as *asks* (``ASK_SCHEMA``: a model name, the price wanted, optional source /
vendor filters, a pinned offer and the documented fallback) at instants, and the ``resolve_prices`` macro
picks one interval for each. Nothing outside the warehouse ranks prices itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

ASK_SCHEMA = pa.schema(
    [
        ("ask_id", pa.int64()),
        ("as_of", pa.timestamp("us", tz="UTC")),
        ("name", pa.string()),
        ("want_source", pa.string()),
        ("want_vendor", pa.string()),
        ("pin_source", pa.string()),
        ("pin_key", pa.string()),
        ("pin_scope", pa.string()),  # key | source | any
        ("price_key", pa.string()),
        ("unit", pa.string()),
        ("service_tier", pa.string()),
        ("context", pa.int64()),
        ("variant", pa.string()),
        ("infer_key", pa.string()),
        ("infer_tier", pa.string()),
        ("infer_factor", pa.decimal128(18, 6)),
        ("infer_rule", pa.string()),
        ("time_window", pa.string()),  # '' all day | 'off-peak': any price the vendor limits to a time of day
    ]
)
PIN_SCOPES = ("key", "source", "any")
_ASK_DEFAULTS = {"pin_scope": "any", "service_tier": "standard", "context": 0, "variant": "", "time_window": ""}


@dataclass(frozen=True)
class Resolved:
    """The interval that answered one ask: its price (x the fallback factor when ``rule`` is set)."""

    ask_id: int
    as_of: datetime
    price: Decimal
    rule: str | None
    pinned: bool
    source: str
    vendor: str
    model: str
    source_model_key: str
    price_key: str
    unit: str
    service_tier: str
    context_min_tokens: int
    region: str
    variant: str
    currency: str
    row_price: Decimal
    valid_from: datetime
    valid_to: datetime | None
    source_url: str | None
    source_field: str | None
    inferred_rule: str | None
    run_id: str
    last_verified_at: datetime | None
    time_window: str = ""


def asks_table(asks: list[dict]) -> pa.Table:
    """Asks as the resolver reads them; a column left out is NULL (or its default: any offer, standard tier,
    no prompt size, no variant, all day)."""
    return pa.Table.from_pylist([{**_ASK_DEFAULTS, **ask} for ask in asks], schema=ASK_SCHEMA)


def resolve(con, asks: pa.Table) -> dict[int, Resolved]:
    """Answer a few asks (one instant each): ``ask_id`` -> the interval that answers it."""
    con.register("resolver_asks", asks)
    try:
        rows = con.execute("SELECT * FROM resolve_prices('resolver_asks')").fetchall()
    finally:
        con.unregister("resolver_asks")
    return {row[0]: Resolved(*row) for row in rows}


def resolve_into(con, asks: str, table: str) -> None:
    """Set-based: answer every ask of the relation named ``asks`` into the temp table ``table``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM resolve_prices('{asks}')")


@dataclass(frozen=True)
class NameFacts:
    """What any offer of a name (any id of its model in the catalogue) has ever had: its long-context thresholds
    (ascending) and its price keys. Enough to ask each distinct question once, and to skip optional ones."""

    thresholds: tuple[int, ...]
    price_keys: frozenset[str]


def name_facts(con, names: list[str]) -> dict[str, NameFacts]:
    """Facts per name, in one query; a name the warehouse has never priced is absent."""
    rows = con.execute(
        """
        WITH hits AS (
            SELECT DISTINCT n.name, i.source, i.source_model_key, i.price_key, i.context_min_tokens
            FROM name_entries(?) AS n JOIN price_intervals AS i USING (source, source_model_key)
        )
        SELECT name, list(DISTINCT context_min_tokens ORDER BY context_min_tokens)
                         FILTER (WHERE context_min_tokens > 0),
               list(DISTINCT price_key)
        FROM hits GROUP BY name
        """,
        [names],
    ).fetchall()
    return {name: NameFacts(tuple(thresholds or ()), frozenset(keys)) for name, thresholds, keys in rows}


def prompt_class(thresholds: list[int], context: int) -> int:
    """The smallest prompt that asks the same question as ``context``: one more than the highest threshold it
    exceeds, else 0. Prompts between the same two thresholds get the same answer, so they can share one ask."""
    exceeded = [t for t in thresholds if context > t]
    return exceeded[-1] + 1 if exceeded else 0


def priced_span(con, name: str, source: str | None = None, key: str | None = None) -> tuple[date, date | None]:
    """First and last day a name (or one source's key) had any price; last is None while it still has one."""
    first, last, open_ = con.execute(
        "SELECT min(valid_from)::DATE, max(valid_to)::DATE, bool_or(valid_to IS NULL) FROM price_intervals "
        "WHERE (source, source_model_key) IN (SELECT source, source_model_key FROM name_entries([$name])) "
        "AND source = coalesce($source, source) "
        "AND source_model_key = coalesce($key, source_model_key)",
        {"name": name, "source": source, "key": key},
    ).fetchone()
    return first, None if open_ else last
