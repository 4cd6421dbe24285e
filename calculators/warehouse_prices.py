"""The warehouse at one instant as a price lookup for one-off answers (``calc --model``, ``PriceBook``).

Every answer comes from the warehouse's one resolver (``warehouse.resolve``): which offer answers, and whether
a published price or its documented fallback (cached input = 10% of input, ...) is used, is decided there.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from aiprices.warehouse.catalogue import OFFERS_OF, offers_of
from aiprices.warehouse.errors import UnknownModel
from aiprices.warehouse.resolve import ASK_SCHEMA, Resolved, asks_table, name_facts, priced_span, resolve

from .errors import MissingPriceError, UnknownModelError
from .lookup import TOKENS
from .plan import PriceRef
from .variants import Spellings, spell, stored_spellings

_REF_COLUMNS = ASK_SCHEMA.names[ASK_SCHEMA.names.index("price_key") :]


def ref_fields(ref: PriceRef) -> tuple:
    """A price ref as the resolver's ask columns: price_key .. variant, its fallback (or NULLs), time of day."""
    infer = ref.fallback or (None, None, None, None)
    return (ref.price_key, ref.unit, ref.tier, ref.context, ref.variant, *infer, ref.time_window)


def ref_ask(ask_id: int, as_of: datetime, name: str, ref: PriceRef, **filters) -> dict:
    """One resolver ask (``warehouse.resolve.asks_table`` row) for ``ref`` of ``name`` at ``as_of``."""
    return dict(zip(_REF_COLUMNS, ref_fields(ref), strict=True)) | {
        "ask_id": ask_id,
        "as_of": as_of,
        "name": name,
        **filters,
    }


def end_of_day(con, day: date) -> datetime:
    """The instant the resolver calls "on ``day``" (the end of that UTC day)."""
    return con.execute("SELECT end_of_day(?)", [day]).fetchone()[0]


def check_known(con, model: str) -> None:
    """An unknown name is an error that lists the closest known names."""
    if model not in name_facts(con, [model]):
        try:
            offers_of(con, model)
        except UnknownModel as exc:
            raise UnknownModelError(str(exc)) from None


class WarehousePrices:
    """The warehouse at ``at`` (UTC), optionally one source / vendor only; answers are cached per question."""

    def __init__(self, con, at: datetime, *, source: str | None = None, vendor: str | None = None) -> None:
        self.con, self.at, self.source, self.vendor = con, at, source, vendor
        self._answers: dict[tuple[str, PriceRef], Resolved | None] = {}
        self._spellings: dict[str, Spellings] = {}

    @classmethod
    def on(cls, con, day: date, **filters) -> WarehousePrices:
        return cls(con, end_of_day(con, day), **filters)

    def check_model(self, model: str) -> None:
        """Unknown names get suggestions; a known name with no price at ``at`` says when it had one."""
        check_known(self.con, model)
        (n,) = self.con.execute(
            f"SELECT count(*) FROM prices_at(?) WHERE (source, source_model_key) IN ({OFFERS_OF})", [self.at, model]
        ).fetchone()
        if not n:
            first, last = priced_span(self.con, model)
            raise MissingPriceError(
                f"{model!r} has no prices on {self.at:%Y-%m-%d} (priced from {first} to {last or 'now'})"
            )

    def resolved(self, model: str, ref: PriceRef) -> Resolved | None:
        """The interval that answers ``ref`` for ``model``, or None."""
        return self.resolved_all(model, [ref])[ref]

    def resolved_all(self, model: str, refs: list[PriceRef]) -> dict[PriceRef, Resolved | None]:
        """Every ref answered for ``model``, the ones not asked before in one query."""
        new = [ref for ref in dict.fromkeys(refs) if (model, ref) not in self._answers]
        if new:
            filters = {"want_source": self.source, "want_vendor": self.vendor}
            if model not in self._spellings:
                self._spellings[model] = stored_spellings(self.con, [model])
            spelled = [spell(ref, model, self._spellings[model], self.source) for ref in new]
            asks = [ref_ask(i, self.at, model, ref, **filters) for i, ref in enumerate(spelled)]
            found = resolve(self.con, asks_table(asks))
            self._answers.update(((model, ref), found.get(i)) for i, ref in enumerate(new))
        return {ref: self._answers[(model, ref)] for ref in refs}

    def answer(self, model: str | None, ref: PriceRef) -> tuple[Decimal | None, str | None]:
        """(price, the fallback rule used or None), as ``plan.resolve`` asks a ranking lookup."""
        found = self.resolved(model, ref) if model else None
        return (found.price, found.rule) if found else (None, None)

    def price(self, model, price_key, unit=TOKENS, tier="standard", context=0, variant="") -> Decimal | None:
        """A published price only (the protocol's question)."""
        return self.answer(model, PriceRef(price_key, unit, tier, context, variant))[0]
