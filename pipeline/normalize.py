"""Item pipeline: token prices (and every other published unit) to their stored unit, exactly.

The conversion is ``rows.normalize_price``, with the price contract's factors.
"""

from __future__ import annotations

from aiprices.pipeline.rows import normalize_price
from itemadapter import ItemAdapter


class NormalizePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["price"], adapter["unit"] = normalize_price(adapter["price"], adapter["unit"])
        return item
