"""Reading prices as people write them, exactly, into Decimal (never float).

``"$8 per 1M tokens"``, ``"0.010 per 1K tokens"``, ``"$0.04 per image"``, ``"$2.50/hour"``, ``"$12,000"``.
Token prices are normalized to per 1M tokens (the warehouse unit), so a budget can mix written and
recorded prices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from .errors import PriceFormatError

CENT = Decimal("0.01")
MILLION = Decimal(1_000_000)
MAX_WRITTEN = Decimal(10**15)  # no real price or amount is beyond a quadrillion dollars: a typo, said so

_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_PRICE = re.compile(
    r"^\s*(?P<cur>\$|usd\s*)?\s*" + _NUMBER + r"\s*(?P<cur2>usd|\$)?\s*"
    r"(?:(?:per|/|an?)\s*(?P<per>.+?))?\s*$",
    re.IGNORECASE,
)
_COUNT = re.compile(r"^(?P<n>\d+(?:\.\d+)?)?\s*(?P<mult>k\b|m\b|thousand\b|million\b)?\s*(?P<what>.*)$", re.IGNORECASE)
_MULT = {"k": Decimal(1000), "thousand": Decimal(1000), "m": MILLION, "million": MILLION}

# Unit words -> our unit names (the warehouse vocabulary).
_UNIT_WORDS: dict[str, str] = {
    "token": "usd_per_1m_tokens",
    "tokens": "usd_per_1m_tokens",
    "image": "per_image",
    "images": "per_image",
    "hour": "per_hour",
    "hours": "per_hour",
    "hr": "per_hour",
    "gpu-hour": "per_hour",
    "gpu hour": "per_hour",
    "gpu-hours": "per_hour",
    "month": "per_month",
    "mo": "per_month",
    "year": "per_year",
    "call": "per_1k_requests",
    "request": "per_1k_requests",
    "requests": "per_1k_requests",
    "calls": "per_1k_requests",
}
# Units read per N and normalized to the warehouse's size: tokens per 1M, requests per 1K.
_NORMALIZED_SIZE: dict[str, Decimal] = {"usd_per_1m_tokens": MILLION, "per_1k_requests": Decimal(1000)}


@dataclass(frozen=True)
class Price:
    """An exact amount in USD and what it is per (None for a plain amount such as ``"$12,000"``)."""

    amount: Decimal
    unit: str | None = None


def parse_price(text: object, *, field: str = "price") -> Price:
    """Parse a written price; token prices come back per 1M tokens. Raises PriceFormatError."""
    if isinstance(text, bool) or text is None:
        raise PriceFormatError(f"{field}: expected a price like '$8 per 1M tokens', got {text!r}")
    if isinstance(text, int | Decimal):
        amount = Decimal(text)
        if not amount.is_finite():
            raise PriceFormatError(f"{field}: not a finite number ({text})")
        if amount < 0:
            raise PriceFormatError(f"{field}: price cannot be negative ({text})")
        return Price(_bounded(amount, text, field))
    if isinstance(text, float):
        raise PriceFormatError(f"{field}: write prices as text (e.g. '0.010 per 1K tokens'), not a float")
    raw = str(text)
    match = _PRICE.match(raw)
    if not match:
        raise PriceFormatError(
            f"{field}: cannot read price {raw!r} (write e.g. '$8 per 1M tokens', '$0.04 per image', '$12,000')"
        )
    try:
        amount = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise PriceFormatError(f"{field}: cannot read the number in {raw!r}") from None
    amount = _bounded(amount, raw, field)
    per = match["per"]
    if per is None:
        return Price(amount)
    return _with_unit(amount, per.strip().lower(), raw, field)


def _bounded(amount: Decimal, text: object, field: str) -> Decimal:
    if amount > MAX_WRITTEN:
        shown = repr(text) if isinstance(text, str) else str(text)
        raise PriceFormatError(f"{field}: {shown} is beyond any real price (at most $1,000,000,000,000,000)")
    return amount


def _with_unit(amount: Decimal, per: str, raw: str, field: str) -> Price:
    count = _COUNT.match(per.replace(",", ""))
    size = Decimal(1)
    what = per
    if count and (count["n"] or count["mult"]):
        size = Decimal(count["n"] or 1) * _MULT.get((count["mult"] or "").lower(), Decimal(1))
        what = count["what"].strip()
    unit = _UNIT_WORDS.get(what)
    if unit is None or size <= 0:
        raise PriceFormatError(
            f"{field}: unknown unit in {raw!r} (use tokens, image, hour, month, call; e.g. 'per 1M tokens')"
        )
    if unit in _NORMALIZED_SIZE:
        return Price(amount * _NORMALIZED_SIZE[unit] / size, unit)
    if size != 1:
        raise PriceFormatError(f"{field}: write {raw!r} per single {what} (e.g. '$0.04 per image')")
    return Price(amount, unit)


def parse_amount(text: object, *, field: str = "amount") -> Decimal:
    """A plain money amount (``"$12,000"``, ``12000``); a per-unit price here is an error."""
    price = parse_price(text, field=field)
    if price.unit not in (None, "per_month"):
        raise PriceFormatError(f"{field}: expected a plain amount like '$12,000', got {text!r}")
    return price.amount


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent, the way an invoice shows it."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=_wide(value))


def fmt_usd(value: Decimal | None) -> str:
    """``$1,080.00``; ``-`` for an unknown value."""
    if value is None:
        return "-"
    text = cents_text(value)
    whole, _, frac = text.lstrip("-").partition(".")
    return f"{'-' if text.startswith('-') else ''}${_grouped(whole)}.{frac}"


def cents_text(value: Decimal) -> str:
    """Money for JSON: an exact string with cents (``"1080.00"``; never ``"-0.00"`` or an exponent)."""
    rounded = cents(value)
    return format(rounded if rounded else abs(rounded), "f")


def plain(value: Decimal) -> str:
    """An exact number as people write it: ``7500000``, ``0.5``, ``0`` (never ``7.5E+6`` or ``0E+1``)."""
    text = format(value.normalize(_wide(value)), "f")
    return "0" if text in ("-0", "0") else text


def fmt_count(value: Decimal | int) -> str:
    """A count with thousands separators and no stray ``.0``: ``7,500,000``, ``1,234.5``."""
    whole, dot, frac = plain(Decimal(value)).partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{_grouped(whole.lstrip('-'))}{dot}{frac}"


def _wide(value: Decimal) -> Context:
    """A context with room for every digit of ``value`` and its cents: showing never rounds, rounding to the
    cent never fails (a price column holds 38 digits, more than the default 28)."""
    if not value.is_finite():
        return Context()
    return Context(prec=max(28, len(value.as_tuple().digits), value.adjusted() + 4))


def _grouped(digits: str) -> str:
    """``1234567`` -> ``1,234,567`` for any length (no int conversion, which caps at 4,300 digits)."""
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


# How a stored price reads as text (the CLI's tables and the report share these).


def money(value: Decimal | None) -> str:
    """Exact decimal text without trailing zeros or exponent: ``Decimal('0.800')`` -> ``0.8``; ``-`` for none.

    The digits come from ``plain`` (one definition, with room for all 38 digits a price column holds), so the
    CLI, the report and the calculators' JSON print a number the same way.
    """
    return "-" if value is None else plain(value)


def unit_label(unit: str) -> str:
    """A short reading of a unit code: ``usd_per_1m_tokens`` -> ``1M tokens``, ``per_image`` -> ``image``."""
    words = unit.removeprefix("usd_").removeprefix("dbu_").removeprefix("per_").split("_")
    return " ".join(w.upper() if w in ("1m", "1k", "gb") else w for w in words)


def price_text(price: Decimal | None, unit: str, currency: str) -> str:
    """``2.5 USD/1M tokens``; ``-`` when there is no price (an added or removed change)."""
    return "-" if price is None else f"{money(price)} {currency}/{unit_label(unit)}"


def context_text(tokens: int) -> str:
    """The long-context threshold of a price: blank for every length, ``>200K`` above 200,000 tokens."""
    if not tokens:
        return ""
    if tokens % 1_000_000 == 0:
        return f">{tokens // 1_000_000}M"
    return f">{tokens // 1000}K" if tokens % 1000 == 0 else f">{tokens}"
