"""Offers for the platform comparison: one row per (vendor, catalogue model) of one mode with standard input and
output prices on a date, both answered by the warehouse's one resolver (the offer that answers input also answers
output). The catalogue's model, not the source's spelling, so that one model is one row per vendor."""

from __future__ import annotations

from datetime import date

from aiprices.warehouse.resolve import Resolved, asks_table, resolve

from .compare import Offer
from .lookup import TOKENS
from .warehouse_prices import end_of_day

_MODELS = """
SELECT DISTINCT p.vendor, a.model FROM prices_on($on) AS p JOIN model_aliases AS a USING (source, source_model_key)
WHERE p.price_key = 'input' AND p.unit = 'usd_per_1m_tokens' AND p.service_tier = 'standard'
  AND p.context_min_tokens = 0 AND p.region = '' AND p.variant = '' AND p.currency = 'USD'
  AND p.vendor = coalesce($vendor, p.vendor) AND a.mode = coalesce($mode, a.mode)
ORDER BY 1, 2
"""


def _asks(at, models: list[tuple[str, str]], price_key: str, pins: dict[int, Resolved] | None = None) -> list[dict]:
    """One ask per (vendor, model); with ``pins``, only the offer that answered the pinned ask may answer."""
    asks = []
    for i, (vendor, model) in enumerate(models):
        ask = {"ask_id": i, "as_of": at, "name": model, "want_vendor": vendor, "price_key": price_key, "unit": TOKENS}
        if pins is not None:
            if i not in pins:
                continue
            ask |= {"pin_source": pins[i].source, "pin_key": pins[i].source_model_key, "pin_scope": "key"}
        asks.append(ask)
    return asks


def offers_on(con, on: date, vendor: str | None = None, mode: str | None = "chat") -> list[Offer]:
    """Every model of ``mode`` (None: any) with both token prices on ``on`` (free and zero-priced entries left
    out)."""
    models = con.execute(_MODELS, {"on": on, "vendor": vendor, "mode": mode}).fetchall()
    at = end_of_day(con, on)
    inputs = resolve(con, asks_table(_asks(at, models, "input")))
    outputs = resolve(con, asks_table(_asks(at, models, "output", inputs)))
    offers = []
    for i, (vendor_, model) in enumerate(models):
        price_in, price_out = inputs.get(i), outputs.get(i)
        if price_in and price_out and (price_in.price > 0 or price_out.price > 0):
            offers.append(Offer(price_in.source, vendor_, model, price_in.price, price_out.price))
    return offers
