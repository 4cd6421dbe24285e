"""Offers for the platform comparison: one row per (vendor, model) with standard input and output prices
on a date, chosen by the same rule as ``warehouse_lookup`` (litellm first, exact key first)."""

from __future__ import annotations

from datetime import date

from .compare import Offer

_OFFERS = """
WITH p AS (
    SELECT source, vendor, model, source_model_key, price_key, price
    FROM prices_on(CAST(? AS DATE))
    WHERE price_key IN ('input', 'output') AND unit = 'usd_per_1m_tokens' AND service_tier = 'standard'
      AND context_min_tokens = 0 AND region = '' AND variant = '' AND currency = 'USD'
),
io AS (
    SELECT source, vendor, model, source_model_key,
           max(price) FILTER (WHERE price_key = 'input') AS input_price,
           max(price) FILTER (WHERE price_key = 'output') AS output_price
    FROM p GROUP BY ALL
)
SELECT source, vendor, model, input_price, output_price FROM io
WHERE input_price IS NOT NULL AND output_price IS NOT NULL AND (input_price > 0 OR output_price > 0)
  AND (? IS NULL OR vendor = ?)
QUALIFY row_number() OVER (PARTITION BY vendor, model
    ORDER BY (source <> 'litellm'), source, (source_model_key <> model), source_model_key) = 1
"""


def offers_on(con, on: date, vendor: str | None = None) -> list[Offer]:
    """Every model with both token prices on ``on`` (free and zero-priced entries left out)."""
    return [Offer(*row) for row in con.execute(_OFFERS, [on, vendor, vendor]).fetchall()]
