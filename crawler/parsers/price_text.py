"""Money amounts from page text, as ``Decimal`` (never float).

Cells read like ``$1.25``, ``\\$15 / MTok``, ``$$1.5`` (RSC-escaped), ``1$``, ``0.02元``, ``$1,000``,
``$0.20$0.50`` (two cells glued by a text render) or ``$0.435 (75% off)$1.74``. Percentages are never
amounts.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# A number with an optional currency sign before or after it; a "%" right after it disqualifies it.
_AMOUNT = re.compile(
    r"(?P<pre>[$€¥￥]|US\$)?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<post>\s?(?:[$€元](?![\d.])|USD|CNY|EUR))?(?!\s?%)(?![\d.])"
)
_FREE = re.compile(r"^\s*(?:free(?: of charge)?|免费)\s*\*?\s*$", re.I)
_NONE = re.compile(r"^\s*(?:-|—|–|n/?a|not available|not supported|unavailable|tbd|coming soon)?\s*$", re.I)


class PriceTextError(ValueError):
    """A cell that should hold one price holds none or several."""


def to_decimal(num: str) -> Decimal:
    """``"1,000.50"`` -> ``Decimal("1000.50")``."""
    try:
        return Decimal(num.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex only passes digits
        raise PriceTextError(f"not a number: {num!r}") from exc


def _signed(text: str, require_sign: bool = True) -> tuple[str, list[re.Match[str]]]:
    text = text.replace("\\$", "$").replace("$$", "$")
    return text, [m for m in _AMOUNT.finditer(text) if not require_sign or m.group("pre") or m.group("post")]


def money_amounts(text: str, require_sign: bool = True) -> list[Decimal]:
    """Every money amount in ``text`` in order; with ``require_sign`` only numbers next to a currency sign."""
    return [to_decimal(m.group("num")) for m in _signed(text, require_sign)[1]]


def price_segments(text: str) -> list[tuple[Decimal, str]]:
    """Each money amount with the text after it, up to the next amount: what that amount is for.

    ``$0.25 (Global) $0.275 (Non-global)`` -> ``[(0.25, " (Global) "), (0.275, " (Non-global)")]``;
    ``$0.15 input$0.60 output`` -> ``[(0.15, " input"), (0.60, " output")]``; ``$0.20$0.50`` -> two amounts.
    """
    text, found = _signed(text)
    ends = [m.start() for m in found[1:]] + [len(text)]
    return [(to_decimal(m.group("num")), text[m.end() : end]) for m, end in zip(found, ends, strict=True)]


def is_free(text: str) -> bool:
    """The cell says only that the thing is free ("Free", "Free of charge", "免费"): a price of 0."""
    return bool(_FREE.match(text))


def is_blank(text: str) -> bool:
    """A cell meaning "no price" ("-", "N/A", "Not available", empty)."""
    return bool(_NONE.match(text))


def one_amount(text: str, require_sign: bool = True) -> Decimal | None:
    """The single amount in a cell; ``Decimal(0)`` for "Free"; None for blank cells.

    Several different amounts in one cell are an error: the caller must split such cells itself.
    """
    if is_blank(text):
        return None
    amounts = money_amounts(text, require_sign)
    if not amounts:
        if is_free(text):
            return Decimal(0)
        return None
    if len(set(amounts)) > 1:
        raise PriceTextError(f"several amounts in one cell: {text!r}")
    return amounts[0]
