"""The one way an extractor writes prices: first identity wins, and every priced-looking row is audited.

An extractor names each row (or model entry) of the page that looks priced with ``row`` and emits what it
read from it with ``add``. Pages repeat a table (another viewport, another tab, an SSR table and its data
island): the first price of an identity is kept and a different repeat is a warning. ``finish`` counts the
rows seen against the rows that produced a price, so a run can say what share of a page it read and name the
rows it did not (the completeness audit in ``crawl_runs``). A model name that states when its price starts or
ends ("Claude Sonnet 5 through August 31, 2026") loses the phrase and dates the price (``parsers.dates``), for
every extractor alike; an extractor that reads dates elsewhere (a footnote) passes ``starts`` / ``ends``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aiprices.crawler.extract import Extraction, page_price
from aiprices.crawler.parsers.dates import strip_dates
from aiprices.crawler.parsers.price_text import is_free, money_amounts


class Emitter:
    """Collects one page's prices for ``vendor`` into an ``Extraction``."""

    def __init__(self, vendor: str, out: Extraction | None = None) -> None:
        self.vendor = vendor
        self.out = out if out is not None else Extraction()
        self._prices: dict[tuple, Decimal] = {}
        self._rows: dict[str, bool] = {}
        self._row: str | None = None

    def row(self, label: str, *texts: str, priced: bool | None = None) -> bool:
        """Start the next row: it is audited when ``priced`` or when any of ``texts`` holds a money amount
        (or says "Free").

        ``label`` names the row in the audit (table and model); the same label twice is one row.
        """
        looks = priced if priced is not None else any(money_amounts(t) or is_free(t) for t in texts if t)
        self._row = label if looks else None
        if looks:
            self._rows.setdefault(label, False)
        return looks

    def add(
        self,
        name: str,
        key: str,
        unit: str,
        price: Decimal,
        field: str,
        *,
        model: str | None = None,
        tier: str = "standard",
        context: int = 0,
        region: str = "",
        variant: str = "",
        currency: str = "USD",
        time_window: str = "",
        starts: datetime | None = None,
        ends: datetime | None = None,
    ) -> None:
        """One price of the current row (``name`` is the page's model name, ``field`` its column or label)."""
        if self._row is not None:
            self._rows[self._row] = True
        name, dates = strip_dates(name)
        if dates is not None:
            starts, ends = starts or dates.starts, ends or dates.ends
        ident = (name, model, key, unit, tier, context, region, variant, currency, time_window, starts, ends)
        first = self._prices.get(ident)
        if first is not None:
            if first != price:
                self.out.warnings.append(f"{name} {key} ({field}): {price} repeats {first}; kept the first")
            return
        self._prices[ident] = price
        self.out.items.append(
            page_price(
                vendor=self.vendor,
                model_name=name,
                model=model,
                price_key=key,
                unit=unit,
                price=price,
                source_field=field,
                currency=currency,
                service_tier=tier,
                context_min_tokens=context,
                region=region,
                variant=variant,
                time_window=time_window,
                effective_from=starts,
                effective_to=ends,
            )
        )

    def finish(self) -> Extraction:
        """The extraction with its audit: rows seen, rows that produced a price, and the others by label."""
        self.out.rows_seen = len(self._rows)
        self.out.rows_priced = sum(self._rows.values())
        self.out.unpriced = [label for label, priced in self._rows.items() if not priced]
        return self.out
