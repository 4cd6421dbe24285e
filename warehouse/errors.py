"""Typed warehouse errors: each carries a one-line message the CLI prints as is."""


class WarehouseError(Exception):
    """Base of every error the warehouse raises on purpose."""


class WarehouseLocked(WarehouseError):
    """Another process holds the write lock (transient: retry later)."""


class LoadRefused(WarehouseError):
    """A load that would corrupt history (e.g. older than what is loaded) was refused; nothing changed."""


class BadInput(WarehouseError):
    """An input file is unreadable, truncated, not JSON, or badly named; nothing changed."""


class UnknownModel(WarehouseError):
    """A model name matched nothing; the message lists the closest names."""


class ReadOnlyViolation(WarehouseError):
    """A write statement was sent to the read-only SQL interface."""
