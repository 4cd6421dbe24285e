"""The Python API: price a call, or look a model up, from your own code, with the CLI's warehouse and resolver.

    from aiprices import PriceBook

    with PriceBook() as book:                       # $AIPRICES_DB, else the CLI's default file
        cost = book.cost("gpt-4o-mini", input_tokens=1200, output_tokens=300, cached_tokens=1000)
        cost.total                                  # Decimal, USD, exact
        [(p.label, p.amount, p.row.source_model_key) for p in cost.parts]

Every price comes from the warehouse's one resolver (``warehouse.resolve``), as ``calc --model`` and the
budget commands get theirs: which offer answers, and when a documented fallback is used (cached input = 10%
of input, batch = 50% of standard), is decided there. A price the model does not have is an error
(``MissingPriceError``), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Context, Decimal, localcontext
from pathlib import Path
from types import TracebackType

from aiprices.warehouse.catalogue import OFFERS_OF
from aiprices.warehouse.connection import connect
from aiprices.warehouse.location import default_path
from aiprices.warehouse.resolve import Resolved

from .errors import CalcError, MissingPriceError
from .lookup import TOKENS
from .money import plain
from .plan import COUNTED, REQUEST_FEE, PriceRef, check_counts, check_tier, describe, token_ref
from .response_usage import Usage, usage_from_response
from .warehouse_prices import WarehousePrices, check_known

_EXACT = Context(prec=80)  # counts up to 10^15 x 38-digit prices, divided by 10^6: never rounded
_IDENTITIES = f"""
SELECT DISTINCT price_key, unit, service_tier, context_min_tokens, variant
FROM prices_at(?)
WHERE (source, source_model_key) IN ({OFFERS_OF}) AND region = '' AND currency = 'USD'
  AND source = coalesce(?, source) AND vendor = coalesce(?, vendor)
ORDER BY ALL
"""


@dataclass(frozen=True)
class CostPart:
    """One price of a call: how many units, at what price, for how much, and where the price came from.

    ``quantity`` is in the unit's own count (tokens, requests); ``price`` is per the stored unit (per 1M
    tokens, per 1K requests); ``rule`` is the documented fallback used, if any; ``row`` is the warehouse
    interval that priced it (source, key, price_key, tier, valid_from, source_url, source_field, ...).
    """

    label: str
    quantity: Decimal
    price: Decimal
    amount: Decimal
    rule: str | None
    row: Resolved


@dataclass(frozen=True)
class Cost:
    """What one call cost, exactly, in ``currency``, and every part of it."""

    model: str
    at: datetime
    total: Decimal
    parts: tuple[CostPart, ...]
    currency: str = "USD"

    @property
    def inferred(self) -> list[str]:
        """The documented fallbacks that priced a part (e.g. "cached input = 10% of input")."""
        return [p.rule for p in self.parts if p.rule]


class PriceBook:
    """Prices from a warehouse file (read-only); ``PriceBook()`` opens the CLI's default one."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._con = None

    @property
    def con(self):
        """The read-only connection, opened on first use."""
        if self._con is None:
            self._con = connect(self.path, read_only=True)
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> PriceBook:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def price(
        self, model: str, at: datetime | None = None, *, source: str | None = None, vendor: str | None = None
    ) -> list[Resolved]:
        """Every price of ``model`` in effect at ``at`` (default now, UTC), one per price the model has (key,
        unit, tier, long-context threshold, variant), each the resolver's answer with its provenance."""
        look = self._lookup(model, at, source, vendor)
        rows = self.con.execute(_IDENTITIES, [look.at, model, source, vendor]).fetchall()
        refs = [PriceRef(key, unit, tier, threshold + 1 if threshold else 0, variant)
                for key, unit, tier, threshold, variant in rows]  # fmt: skip
        answers = {}  # one per interval: two asks can be answered by the same one
        for found in look.resolved_all(model, refs).values():
            if found is not None:
                found = _tidy_row(found)
                answers.setdefault((found.source, found.source_model_key, found.price_key, found.unit,
                                    found.service_tier, found.context_min_tokens, found.variant), found)  # fmt: skip
        return list(answers.values())

    def cost(
        self,
        model: str,
        *,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
        tier: str = "standard",
        at: datetime | None = None,
        source: str | None = None,
        vendor: str | None = None,
    ) -> Cost:
        """The exact cost of one call of ``model`` at ``at`` (default now, UTC).

        ``input_tokens`` is the whole prompt, of which ``cached_tokens`` were read from the prompt cache and
        ``cache_write_tokens`` written to it; ``output_tokens`` include reasoning / thinking tokens. The prompt
        size picks the long-context tier (the whole call pays it); ``tier`` is standard, batch, flex or
        priority. A per-request fee is added where the model has one.
        """
        parts = _call_parts(input_tokens, output_tokens, cached_tokens, cache_write_tokens, tier)
        look = self._lookup(model, at, source, vendor)
        found = look.resolved_all(model, [ref for _label, ref, _quantity in parts])
        priced = []
        with localcontext(_EXACT):  # every product and the sum exact
            for label, ref, quantity in parts:
                row = found[ref]
                if row is None:
                    if ref.optional or not quantity:
                        continue
                    raise MissingPriceError(f"{model!r} has no {describe(ref)} price at {look.at:%Y-%m-%d %H:%M} UTC")
                amount = quantity * row.price / COUNTED[ref.unit][0]  # per 1M tokens, per 1K requests
                priced.append(CostPart(label, quantity, _tidy(row.price), _tidy(amount), row.rule, _tidy_row(row)))
            total = sum((p.amount for p in priced), Decimal(0))
        return Cost(model, look.at, _tidy(total), tuple(priced))

    def cost_of(
        self, response, *, at: datetime | None = None, tier: str = "standard", model: str | None = None
    ) -> Cost:
        """The cost of the call an OpenAI, Anthropic or Gemini API response describes (its model unless
        ``model`` is given)."""
        usage = usage_from_response(response)
        name = model or usage.model
        if not name:
            raise CalcError("the response names no model: pass model=")
        return self.cost(name, **_token_counts(usage), tier=tier, at=at)

    def _lookup(self, model: str, at: datetime | None, source: str | None, vendor: str | None) -> WarehousePrices:
        check_known(self.con, model)
        return WarehousePrices(self.con, _instant(at), source=source, vendor=vendor)


def _tidy(value: Decimal) -> Decimal:
    """The same exact value without trailing zeros or an exponent (``0.000285``, not ``2.850E-4``)."""
    return Decimal(plain(value))  # plain() keeps every digit


def _tidy_row(row: Resolved) -> Resolved:
    return replace(row, price=_tidy(row.price), row_price=_tidy(row.row_price))


def _token_counts(usage: Usage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
    }


def _instant(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise CalcError(f"at={at.isoformat()} has no time zone: pass an aware datetime (e.g. tzinfo=UTC)")
    return at.astimezone(UTC)


def _call_parts(
    input_tokens: int, output_tokens: int, cached_tokens: int, cache_write_tokens: int, tier: str
) -> list[tuple[str, PriceRef, Decimal]]:
    """(label, price, quantity) of one call: fresh, cached and cache-written input, output, the request."""
    counts = {"input_tokens": input_tokens, "output_tokens": output_tokens, "cached_tokens": cached_tokens,
              "cache_write_tokens": cache_write_tokens}  # fmt: skip
    for name, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int):
            raise CalcError(f"{name} must be a whole number of tokens ({count!r})")
    check_counts(**counts)
    check_tier(tier)
    if cached_tokens + cache_write_tokens > input_tokens:
        raise CalcError(
            f"cached_tokens + cache_write_tokens ({cached_tokens + cache_write_tokens}) exceed input_tokens "
            f"({input_tokens}): input_tokens is the whole prompt"
        )
    named = "" if tier == "standard" else f"{tier} "
    fresh = input_tokens - cached_tokens - cache_write_tokens
    parts = [
        (f"{named}input", token_ref("input", tier=tier, context=input_tokens), fresh),
        (f"{named}cached input", token_ref("cache_read", tier=tier, context=input_tokens), cached_tokens),
        (f"{named}cache write", PriceRef("cache_write", TOKENS, tier, input_tokens), cache_write_tokens),
        (f"{named}output", token_ref("output", tier=tier, context=input_tokens), output_tokens),
    ]
    return [(label, ref, Decimal(n)) for label, ref, n in parts if n] + [("request", REQUEST_FEE, Decimal(1))]
