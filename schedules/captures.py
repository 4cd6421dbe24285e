"""Archived captures: which files of a replay folder to replay, for which source, and in what order.

A replay folder is laid out ``<source>/<YYYY-MM-DD>.<kind>.<ext>``; a source has at most one capture per day
(the last by name). With ``--on D`` each source replays its newest capture on or before D, observed at D.
Without it, each source replays every capture newer than what the warehouse holds for it, oldest first,
each observed at its own date. What is not replayed is listed with the reason, one line per source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from aiprices.crawler.sources import SOURCES

from .errors import CrawlError

CAPTURE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(.+)$")


@dataclass(frozen=True)
class Capture:
    source: str
    day: date
    kind: str
    path: Path


@dataclass(frozen=True)
class NotReplayed:
    """A requested source left out of a replay: ``no capture``, or ``skipped`` (nothing newer than loaded)."""

    source: str
    status: str
    reason: str


@dataclass
class ReplayChoice:
    """Rounds of captures (the k-th capture of every source together) and the sources left out."""

    rounds: list[dict[str, Capture]] = field(default_factory=list)
    left_out: list[NotReplayed] = field(default_factory=list)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def list_captures(folder: Path) -> list[Capture]:
    """Every ``<source>/<YYYY-MM-DD>.<kind>.<ext>`` file under ``folder`` for a known source."""
    captures = []
    for src_dir in sorted(p for p in folder.iterdir() if p.is_dir() and p.name in SOURCES):
        for path in sorted(src_dir.iterdir()):
            m = CAPTURE_NAME.match(path.name)
            if not path.is_file() or not m:
                continue
            try:
                day = date.fromisoformat(m.group(1))
            except ValueError:
                continue
            captures.append(Capture(src_dir.name, day, m.group(2), path))
    return captures


def captures_by_source(folder: Path, sources: list[str]) -> dict[str, list[Capture]]:
    """Per requested source, one capture per day (the last by name), oldest first."""
    if not folder.is_dir():
        raise CrawlError(f"archive folder {folder} does not exist")
    by_day: dict[tuple[str, date], Capture] = {}
    for cap in list_captures(folder):
        if cap.source in sources:
            by_day[(cap.source, cap.day)] = cap  # sorted by name: the last one of a day wins
    out: dict[str, list[Capture]] = {}
    for (source, _), cap in sorted(by_day.items()):
        out.setdefault(source, []).append(cap)
    return out


def pick_captures(folder: Path, on: date | None, sources: list[str]) -> dict[str, Capture]:
    """Per source, the newest capture on or before ``on`` (the newest of all when ``on`` is None)."""
    picked = {}
    for source, caps in captures_by_source(folder, sources).items():
        eligible = [c for c in caps if on is None or c.day <= on]
        if eligible:
            picked[source] = eligible[-1]
    return picked


def choose_replays(folder: Path, sources: list[str], on: date | None, loaded: dict[str, datetime]) -> ReplayChoice:
    """What to replay from ``folder`` for ``sources``, given the newest loaded observation per source."""
    choice = ReplayChoice()
    by_source = captures_by_source(folder, sources)
    queues: dict[str, list[Capture]] = {}
    for source in sources:
        caps = by_source.get(source, [])
        last = loaded.get(source)
        if on is not None:
            caps = [c for c in caps if c.day <= on][-1:]
            if caps and last is not None and last > midnight(on):
                choice.left_out.append(NotReplayed(source, "skipped", f"{_loaded(last)}, newer than {on}"))
                continue
        newer = [c for c in caps if on is not None or last is None or midnight(c.day) > last]
        if not caps:
            when = f" on or before {on}" if on else ""
            choice.left_out.append(NotReplayed(source, "no capture", f"no capture{when} in {folder}"))
        elif len(newer) < len(caps):
            older = caps[: len(caps) - len(newer)]
            choice.left_out.append(NotReplayed(source, "skipped", _older(older, last)))
        if newer:
            queues[source] = newer
    depth = max((len(q) for q in queues.values()), default=0)
    choice.rounds = [{s: q[k] for s, q in sorted(queues.items()) if k < len(q)} for k in range(depth)]
    return choice


def _loaded(last: datetime) -> str:
    return f"the warehouse holds {last:%Y-%m-%d %H:%M}"


def _older(older: list[Capture], last: datetime) -> str:
    n = len(older)
    span = f"{older[0].day}" if n == 1 else f"{older[0].day} .. {older[-1].day}"
    return f"{n} capture{'s' if n > 1 else ''} ({span}) not newer than what is loaded; {_loaded(last)}"
