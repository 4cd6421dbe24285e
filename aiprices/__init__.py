"""aiprices: daily AI price history in DuckDB, and budgets repriced against it.

The Python API (``from aiprices import PriceBook``) is imported on first use, so ``import aiprices`` and
``aiprices --help`` stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Cost", "CostPart", "PriceBook", "Usage", "__version__", "usage_from_response"]

# name -> module that defines it
_API = {
    "PriceBook": "aiprices.calculators.pricebook",
    "Cost": "aiprices.calculators.pricebook",
    "CostPart": "aiprices.calculators.pricebook",
    "Usage": "aiprices.calculators.response_usage",
    "usage_from_response": "aiprices.calculators.response_usage",
}

if TYPE_CHECKING:
    from aiprices.calculators.pricebook import Cost, CostPart, PriceBook
    from aiprices.calculators.response_usage import Usage, usage_from_response


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'aiprices' has no attribute {name!r}")
