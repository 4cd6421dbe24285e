"""The warehouse as a price lookup on one date (``prices_on``), for one-off answers and per-line pricing.

Which row wins when several match (documented in the README):
1. the line's ``source`` if it names one (only that source), else ``litellm`` first, then sources A-Z;
2. within a source, the row whose ``source_model_key`` is exactly the name asked for, then keys A-Z;
3. within that key, the highest long-context tier the prompt exceeds (``context_min_tokens < prompt``).
Only global (``region = ''``), USD rows are used; a line's ``vendor`` filters rows to that vendor.
"""

from __future__ import annotations

import difflib
from datetime import date
from decimal import Decimal

from .errors import MissingPriceError, UnknownModelError
from .lookup import TOKENS

_ROWS = """
SELECT source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, variant, price
FROM prices_on(CAST(? AS DATE))
WHERE (model = ? OR source_model_key = ?) AND region = '' AND currency = 'USD'
"""


def known_names(con) -> list[str]:
    """Every model name and source key the warehouse has ever priced."""
    rows = con.execute(
        "SELECT DISTINCT model FROM price_history UNION SELECT DISTINCT source_model_key FROM price_history"
    ).fetchall()
    return sorted(r[0] for r in rows)


def suggest(con, name: str) -> UnknownModelError:
    names = known_names(con)
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    hint = f"closest: {', '.join(close)}" if close else "no close names; see `aiprices sql` on prices_current"
    return UnknownModelError(f"unknown model {name!r} ({hint})")


def source_rank(source: str) -> tuple[int, str]:
    return (0 if source == "litellm" else 1, source)


class WarehouseLookup:
    """Prices in effect at the end of ``on`` (UTC); rows are fetched once per model and cached."""

    def __init__(self, con, on: date, *, source: str | None = None, vendor: str | None = None) -> None:
        self.con, self.on, self.source, self.vendor = con, on, source, vendor
        self._rows: dict[str, list[tuple]] = {}

    def for_line(self, source: str | None, vendor: str | None) -> WarehouseLookup:
        """The same date and cache, filtered to a line's source / vendor."""
        other = WarehouseLookup(self.con, self.on, source=source, vendor=vendor)
        other._rows = self._rows
        return other

    def _fetch(self, model: str) -> list[tuple]:
        if model not in self._rows:
            self._rows[model] = self.con.execute(_ROWS, [self.on, model, model]).fetchall()
        return self._rows[model]

    def check_model(self, model: str) -> None:
        """Unknown names get suggestions; known names without prices on the date say so."""
        if self._fetch(model):
            return
        (n,) = self.con.execute(
            "SELECT count(*) FROM price_history WHERE model = ? OR source_model_key = ?", [model, model]
        ).fetchone()
        if not n:
            raise suggest(self.con, model)
        first, last = self.con.execute(
            "SELECT min(valid_from)::DATE, max(coalesce(valid_to, now()))::DATE FROM price_history "
            "WHERE model = ? OR source_model_key = ?",
            [model, model],
        ).fetchone()
        raise MissingPriceError(f"{model!r} has no prices on {self.on} (priced from {first} to {last})")

    def price(self, model, price_key, unit=TOKENS, tier="standard", context=0, variant="") -> Decimal | None:
        if model is None:
            return None
        best = None
        for source, vendor, key, pkey, u, t, ctx, var, price in self._fetch(model):
            if (pkey, u, t, var) != (price_key, unit, tier, variant):
                continue
            if self.source and source != self.source or self.vendor and vendor != self.vendor:
                continue
            if ctx and not context > ctx:
                continue
            rank = (source_rank(source), key != model, key, -ctx)
            if best is None or rank < best[0]:
                best = (rank, price)
        return best[1] if best else None
