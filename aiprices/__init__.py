"""aiprices: daily AI price history in DuckDB, and budgets repriced against it."""

__version__ = "0.1.0"
