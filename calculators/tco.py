"""Total cost of ownership in seed 003's five categories, one-time and run-rate kept apart.

Each budget line lands in one category (its ``category``, or by kind: token/inference/image lines are model
/ API usage, GPU-hour fine-tunes are compute, hosted fine-tunes are model / API usage); the first-year view
adds one-time setup to twelve months of run-rate (with growth where a line has it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import CalcError
from .plan import ZERO

CATEGORIES: dict[str, str] = {
    "model": "model / API usage",
    "compute": "compute & infrastructure",
    "engineering": "engineering & people",
    "security": "security & compliance",
    "monitoring": "monitoring & operations",
}
_ALIASES = {
    "api": "model",
    "model_api": "model",
    "model/api usage": "model",
    "model / api usage": "model",
    "infrastructure": "compute",
    "compute & infrastructure": "compute",
    "people": "engineering",
    "engineering & people": "engineering",
    "compliance": "security",
    "security & compliance": "security",
    "operations": "monitoring",
    "monitoring & operations": "monitoring",
}


def category_of(name: str) -> str:
    """The canonical category key for a name or alias; one clear error otherwise."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in CATEGORIES:
        raise CalcError(f"unknown TCO category {name!r} (use one of {', '.join(CATEGORIES)})")
    return key


@dataclass
class Amounts:
    one_time: Decimal = ZERO
    monthly: Decimal = ZERO
    first_year: Decimal = ZERO

    def add(self, other: Amounts) -> None:
        self.one_time += other.one_time
        self.monthly += other.monthly
        self.first_year += other.first_year


@dataclass
class TCO:
    categories: dict[str, Amounts] = field(default_factory=lambda: {k: Amounts() for k in CATEGORIES})
    total: Amounts = field(default_factory=Amounts)


def tco(lines: Iterable[tuple[str, Amounts]]) -> TCO:
    """Sum (category, amounts) pairs into the five categories and a total."""
    out = TCO()
    for category, amounts in lines:
        out.categories[category_of(category)].add(amounts)
        out.total.add(amounts)
    return out
