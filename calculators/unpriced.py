"""Why a budget line has no value on a date, in one sentence: what is missing, from which offer, and when
that offer (or model) did have prices. An unpriced line is shown with this reason, never as $0."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from aiprices.warehouse.resolve import priced_span

if TYPE_CHECKING:
    from .budget import LinePlan
    from .valuation import LineAt, Offer


def _span(con, name: str, offer: Offer | None = None) -> str:
    first, last = priced_span(con, name, *((offer.source, offer.source_model_key) if offer else (None, None)))
    return "never priced" if first is None else f"priced {first} to {last or 'now'}"


def reason(con, plan: LinePlan, on: date, at: LineAt, *, priced_on: date, fallback: str) -> str:
    """One sentence per offer the missing prices were pinned to (usually one)."""
    models = {c.label: c.model or plan.model for c in plan.components}
    by_offer: dict[Offer | None, list[str]] = {}
    for label in at.unpriced:
        by_offer.setdefault(at.missing_from.get(label), []).append(label)
    sentences = []
    for offer, labels in by_offer.items():
        missing, name = ", ".join(labels), models[labels[0]]
        if offer is not None and fallback == "none":
            sentences.append(
                f"{offer} (the offer that priced it on priced_on {priced_on}) has no {missing} price on {on}; "
                f"{_span(con, name, offer)}; fallback: none"
            )
        elif offer is not None and fallback == "any-key":
            sentences.append(
                f"no {offer.source} key of {name} has a {missing} price on {on} (pinned to {offer} on priced_on "
                f"{priced_on}); fallback: any-key"
            )
        elif fallback == "any-source" or on == priced_on:
            sentences.append(f"no {missing} price for {name} on {on} from any source; {_span(con, name)}")
        else:
            sentences.append(
                f"no {missing} price for {name} on priced_on {priced_on}, so no offer to keep; "
                f"{_span(con, name)}; fallback: {fallback}"
            )
    return "; and ".join(sentences)
