"""A crawled item as a row dict, cheaply: the validate and stage pipelines copy every price this way."""

from __future__ import annotations

from dataclasses import is_dataclass

from itemadapter import ItemAdapter


def item_row(item) -> dict:
    """A shallow dict of ``item``'s fields. Our spiders' items are dataclasses (``crawler/items.py``), read
    directly: ``dict(ItemAdapter(item))`` walks ``dataclasses.fields`` for every key (~15 µs a price, and each
    price is copied twice); any other item type goes through ItemAdapter."""
    if is_dataclass(item) and not isinstance(item, type) and hasattr(item, "__dict__"):
        return dict(vars(item))
    return dict(ItemAdapter(item))
