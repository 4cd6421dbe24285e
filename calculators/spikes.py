"""Cost spikes: a day whose actual cost is over ``factor`` times the mean of the days before it.

The trailing mean is over the ``window`` calendar days before the checked day that have imported usage (a day
not imported is unknown, not $0); a day with no earlier usage has no mean and is never a spike. Each day's
cost is its usage at that day's prices (``usage_cost``); usage with no price is listed, never counted as $0,
so an unpriced day is reported beside the check rather than hiding inside it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from aiprices.warehouse.usage_store import usage_rows

from .errors import CalcError
from .usage_cost import price_usage

DEFAULT_FACTOR = Decimal(2)
DEFAULT_WINDOW = 7
ZERO = Decimal(0)


@dataclass(frozen=True)
class DayCheck:
    """One checked day: its cost, the trailing mean (None: no earlier usage), and whether it is a spike."""

    day: date
    cost: Decimal
    mean: Decimal | None
    factor: Decimal

    @property
    def spike(self) -> bool:
        return self.mean is not None and self.mean > 0 and self.cost > self.factor * self.mean

    @property
    def ratio(self) -> Decimal | None:
        return self.cost / self.mean if self.mean else None

    def __str__(self) -> str:
        from .money import fmt_usd

        times = f"{self.ratio:.2f}x" if self.ratio is not None else "no earlier usage"
        return f"{self.day}: {fmt_usd(self.cost)} vs trailing mean {fmt_usd(self.mean)} ({times})"


@dataclass
class SpikeCheck:
    """The checked days, and the usage that could not be priced in the days looked at."""

    days: list[DayCheck]
    unpriced: list[str] = field(default_factory=list)

    @property
    def spikes(self) -> list[DayCheck]:
        return [d for d in self.days if d.spike]


def check_spikes(
    con,
    *,
    last: date | None = None,
    days: int = 1,
    factor: Decimal = DEFAULT_FACTOR,
    window: int = DEFAULT_WINDOW,
    usage_source: str | None = None,
) -> SpikeCheck:
    """Check the ``days`` days up to ``last`` (default: the newest day with usage) against their windows."""
    if not (factor.is_finite() and factor > 0):
        raise CalcError(f"factor must be above 0 ({factor})")
    if window < 1 or days < 1:
        raise CalcError("window and days must be at least 1")
    last = last or _newest(con, usage_source)
    first = last - timedelta(days=days - 1 + window)
    costs: dict[date, Decimal] = defaultdict(lambda: ZERO)
    unpriced = []
    for priced in price_usage(con, usage_rows(con, first, last, usage_source)):
        costs[priced.usage.day] += priced.amount or ZERO
        if priced.amount is None:
            unpriced.append(f"{priced.usage.day} {priced.reason}")
    checks = []
    for offset in range(days - 1, -1, -1):
        day = last - timedelta(days=offset)
        before = [costs[d] for d in (day - timedelta(days=i) for i in range(1, window + 1)) if d in costs]
        mean = sum(before, ZERO) / len(before) if before else None
        checks.append(DayCheck(day, costs.get(day, ZERO), mean, factor))
    return SpikeCheck(checks, unpriced)


def _newest(con, usage_source: str | None) -> date:
    (newest,) = con.execute(
        "SELECT max(day) FROM usage_days WHERE usage_source = coalesce(?, usage_source)", [usage_source]
    ).fetchone()
    if newest is None:
        raise CalcError("no usage imported: run `aiprices usage import FILE` first")
    return newest
