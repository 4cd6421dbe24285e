"""Typed warehouse errors: each carries a one-line message the CLI prints as is."""


class WarehouseError(Exception):
    """Base of every error the warehouse raises on purpose."""


class WarehouseLocked(WarehouseError):
    """Another process holds the file's lock (transient: retry later)."""


class WarehouseDamaged(WarehouseError):
    """The file is not a readable DuckDB database (checksum mismatch, not a DuckDB file); ``detail`` is
    DuckDB's own words."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class WalUnreplayable(WarehouseDamaged):
    """The file's write-ahead log cannot be replayed on open; ``aiprices doctor`` recovers it."""


class LoadRefused(WarehouseError):
    """A load that would corrupt history (e.g. older than what is loaded) was refused; nothing changed."""


class BadInput(WarehouseError):
    """An input file is unreadable, truncated, not JSON, or badly named; nothing changed."""


class UnknownModel(WarehouseError):
    """A model name matched nothing; the message lists the closest names."""


class ReadOnlyViolation(WarehouseError):
    """A write statement was sent to the read-only SQL interface."""
