"""The item pipelines' steps for rows that do not come through Scrapy (a LiteLLM registry copy).

A crawled page's items get provenance from the spider, then ``ValidatePipeline`` and ``NormalizePipeline``;
rows read outside the engine get the same three steps here, with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiprices.pipeline.normalize import normalize_price
from aiprices.pipeline.validate import InvalidPrice, check


def stage_rows(rows: Iterable[dict], *, source: str, source_url: str, rejected: list[str]) -> list[dict]:
    """``rows`` (page prices) as staged rows: provenance set, invalid ones left out and described in
    ``rejected``, prices in their stored unit."""
    out = []
    for row in rows:
        row["source"] = source
        row["source_url"] = source_url
        try:
            check(row)
        except InvalidPrice as exc:
            rejected.append(f"{row['source_model_key']}.{row['source_field']}: {exc}")
            continue
        row["price"], row["unit"] = normalize_price(row["price"], row["unit"])
        out.append(row)
    return out
