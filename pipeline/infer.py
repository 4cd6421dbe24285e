"""Derived prices, only where the vendor offers a feature but the page we read publishes no price for it.

The convention (shared/seeds, ``warehouse.contract``): cached input = 10% of the input price; batch = 50% of
input and output.
A source may use a rule only if ``AIPRICES_INFER_OFFERS`` lists the feature for it ("cache", "batch");
every derived row carries ``inferred_rule`` so it is never mistaken for a published price.

Inference needs the whole page (is there *any* published batch price for this model?), so it runs on the
complete set of a source's rows when the staging pipeline closes, not item by item.
"""

from __future__ import annotations

from collections import defaultdict

from aiprices.pipeline.rows import tidy
from aiprices.warehouse.contract import BATCH_SHARE, CACHED_INPUT_SHARE, TOKEN_UNIT

CACHE_RULE = "cache_read = 10% of input"
BATCH_RULES = {"input": "batch input = 50% of input", "output": "batch output = 50% of output"}
FEATURES = frozenset({"cache", "batch"})


def _group(row: dict) -> tuple:
    return (
        row["vendor"],
        row["model"],
        row["source_model_key"],
        row["region"],
        row["variant"],
        row["context_min_tokens"],
        row["currency"],
        row.get("time_window", ""),
        row.get("effective_from"),
        row.get("effective_to"),
    )


def _derived(base: dict, **changes) -> dict:
    row = dict(base)
    row.update(changes)
    return row


def infer_rows(rows: list[dict], offers: set[str] | frozenset[str]) -> list[dict]:
    """The inferred rows to add to ``rows`` (a whole source snapshot, prices already per 1M tokens)."""
    unknown = set(offers) - FEATURES
    if unknown:
        raise ValueError(f"unknown inference features {sorted(unknown)}; known: {sorted(FEATURES)}")
    groups: dict[tuple, dict[tuple[str, str], dict]] = defaultdict(dict)
    has_cache: set[tuple] = set()
    has_batch: set[tuple] = set()
    for row in rows:
        g = _group(row)
        if row["price_key"] == "cache_read":
            has_cache.add(g)
        if row["service_tier"] == "batch":
            has_batch.add(g)
        if row["unit"] == TOKEN_UNIT:
            groups[g][(row["service_tier"], row["price_key"])] = row
    out: list[dict] = []
    for g, keys in groups.items():
        base_in = keys.get(("standard", "input"))
        if "cache" in offers and base_in is not None and g not in has_cache:
            out.append(
                _derived(
                    base_in,
                    price_key="cache_read",
                    price=tidy(base_in["price"] * CACHED_INPUT_SHARE),
                    inferred_rule=CACHE_RULE,
                )
            )
        if "batch" in offers and g not in has_batch:
            for key in ("input", "output"):
                base = keys.get(("standard", key))
                if base is not None:
                    out.append(
                        _derived(
                            base,
                            service_tier="batch",
                            price=tidy(base["price"] * BATCH_SHARE),
                            inferred_rule=BATCH_RULES[key],
                        )
                    )
    return out
