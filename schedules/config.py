"""What the daily job needs to know, from options or environment variables (read only by the CLI layer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .runs import DEFAULT_LOCK_WAIT, CrawlRequest

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
DEFAULT_AT = "06:15"
DEFAULT_JITTER = 300
MISFIRE_GRACE = 6 * 3600


class ScheduleConfigError(ValueError):
    """A schedule option is malformed; the message says which and how to write it."""


def parse_at(text: str) -> tuple[int, int]:
    """``HH:MM`` (UTC) as ``(hour, minute)``."""
    m = TIME.match(text.strip())
    if not m:
        raise ScheduleConfigError(f"bad time {text!r}: write HH:MM in UTC, e.g. 06:15")
    return int(m.group(1)), int(m.group(2))


@dataclass
class ScheduleConfig:
    """One daily job: crawl, registry refresh, stale-budget check and the report, all against ``db``."""

    db: Path
    at: str = DEFAULT_AT
    jitter: int = DEFAULT_JITTER
    crawl: CrawlRequest | None = None  # default: every source, live, into ``db``
    registry: bool = True
    registry_file: Path | None = None
    budgets: Path | None = None
    report: Path | None = None  # write the static report here after each run (``aiprices report``)
    webhook_url: str | None = None
    spike_factor: Decimal | None = None  # check the newest usage day against factor x the trailing mean
    spike_window: int = 7
    log_file: Path | None = None
    lock_wait: float = DEFAULT_LOCK_WAIT  # for another crawl, then for the warehouse file

    def __post_init__(self) -> None:
        self.db = Path(self.db)
        if self.crawl is None:
            self.crawl = CrawlRequest(self.db, lock_wait=self.lock_wait)
        parse_at(self.at)
        if self.jitter < 0:
            raise ScheduleConfigError(f"bad jitter {self.jitter}: seconds, 0 or more")
        if self.spike_factor is not None and not (self.spike_factor.is_finite() and self.spike_factor > 0):
            raise ScheduleConfigError(f"bad spike factor {self.spike_factor}: a number above 0, e.g. 2")
        if self.budgets is not None and not Path(self.budgets).is_dir():
            raise ScheduleConfigError(f"budgets folder {self.budgets} does not exist")

    @property
    def hour_minute(self) -> tuple[int, int]:
        return parse_at(self.at)

    @property
    def history_path(self) -> Path:
        """Job history (JSON lines) beside the warehouse: readable while the warehouse is locked."""
        return self.db.with_name(self.db.name + ".schedule.jsonl")

    @property
    def state_path(self) -> Path:
        """The running scheduler's pid and next run time, for ``schedule status``."""
        return self.db.with_name(self.db.name + ".schedule-state.json")

    @property
    def log_path(self) -> Path:
        return Path(self.log_file) if self.log_file else self.db.with_name("aiprices-schedule.log")
