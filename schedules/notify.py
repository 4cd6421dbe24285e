"""Logging to a file and stderr, and a JSON post to a webhook when a run needs a human.

The file keeps full records (UTC time, level, tracebacks); stderr shows what the user reads, in the CLI's
style: ``error: …`` / ``warning: …``, one line each, never a traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

LOGGER = "aiprices.schedule"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_path: Path, level: int = logging.INFO) -> logging.Logger:
    """The schedule's logger, writing to ``log_path`` (only) and to stderr (idempotent)."""
    log = logging.getLogger(LOGGER)
    log.setLevel(level)
    wanted = str(Path(log_path).resolve())
    for h in [h for h in log.handlers if isinstance(h, logging.FileHandler) and h.baseFilename != wanted]:
        log.removeHandler(h)
        h.close()
    if not any(isinstance(h, logging.FileHandler) for h in log.handlers):
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(wanted, encoding="utf-8")
        fh.setFormatter(_formatter())
        log.addHandler(fh)
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        sh = _StderrHandler()
        sh.setFormatter(_OneLine())
        log.addHandler(sh)
    return log


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is logged (a test runner may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _formatter() -> logging.Formatter:
    fmt = logging.Formatter(FORMAT)
    fmt.converter = time.gmtime  # log times in UTC, like everything else
    return fmt


class _OneLine(logging.Formatter):
    """A record as one line in the CLI's style (the log file has the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage().strip()
        line = text.splitlines()[0] if text else record.levelname.lower()
        if record.levelno >= logging.ERROR:
            return f"error: {line}"
        return f"warning: {line}" if record.levelno >= logging.WARNING else line


def post_webhook(url: str, payload: dict, timeout: float = 10.0) -> str | None:
    """POST ``payload`` as JSON; returns an error text instead of raising (an alert must not fail a run)."""
    import requests

    try:
        resp = requests.post(url, json=payload, timeout=timeout)
    except requests.RequestException as exc:
        return f"webhook {url} failed: {type(exc).__name__}: {exc}"
    if resp.status_code >= 400:
        return f"webhook {url} answered HTTP {resp.status_code}"
    return None
