"""A real capture's prices as a crawl stages them (extractor, canonical model, staged rows), without Scrapy: for
tests that load real pages many ways."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from aiprices.pipeline.aliases import canonical
from aiprices.pipeline.rows import stage_rows


def captured_rows(source: str, capture: Path) -> list[dict]:
    """The staged rows of ``source``'s capture ``capture`` (``<date>.<kind>.<ext>``)."""
    kind = capture.name.split(".", 1)[1]
    url = f"https://{source}.example/{capture.name}"
    items = import_module(f"aiprices.crawler.extract.{source}").extract(capture.read_bytes(), url, kind).items
    for item in items:
        item["model"] = canonical(item["vendor"], item["source_model_key"], item.get("model"))[0]
    return stage_rows(enumerate(items), source=source, source_url=url, rejected=[])
