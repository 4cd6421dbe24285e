"""Typed calculator errors: each carries one clear line that the CLI prints as ``error: <message>``."""

from __future__ import annotations


class CalcError(ValueError):
    """Base of every error the calculators raise on purpose (bad inputs, missing prices)."""


class PriceFormatError(CalcError):
    """A price string that cannot be read exactly (e.g. ``"eight dollars"``)."""


class MissingPriceError(CalcError):
    """A needed price is not known for the model on the date (never priced silently as zero)."""


class UnknownModelError(CalcError):
    """A model name matched nothing; the message lists the closest known names."""


class BudgetError(CalcError):
    """A budget file is malformed; the message names the file, line and field."""
