"""When a page says a price starts or ends: date phrases in any source's text, as UTC instants.

Pages date prices in a model cell ("Claude Sonnet 5 through August 31, 2026", "Gemini 3.8 Flash Starting
January 1, 2027"), in a footnote ("offered at a 75% discount, extended until 2026/05/31 15:59 UTC", "takes
effect from 2026/4/26 12:15 UTC") or as a range ("from March 1 to March 31, 2026"). ``find_dates`` reads the
phrase, ``strip_dates`` also removes it from a name. A date without a time means the whole UTC day: a start is
that day's 00:00, an end the next day's 00:00 (an end is exclusive, like ``valid_to``). A stated offset
(``UTC+8``, 北京时间) is honoured; otherwise times are UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = (
    r"(?:,?\s*(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})"
    r"(?:\s*(?P<tz>UTC|GMT)(?:\s*(?P<off>[+-]\d{1,2})(?::?\d{2})?)?)?)?"
)
# One date: "August 31, 2026" | "31 August 2026" | "2026-08-31" | "2026/4/26" | "2026年7月24日", with an optional time.
_DATE = (
    r"(?:(?P<cn>北京时间)\s*)?(?:"
    rf"{_MONTH}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH.replace('mon', 'mon2')}\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})[-/.](?P<m3>\d{1,2})[-/.](?P<d3>\d{1,2})"
    r"|(?P<y4>\d{4})年(?P<m4>\d{1,2})月(?P<d4>\d{1,2})日"
    rf"){_TIME}"
)
_ENDS = r"(?:through|thru|until|till|up\s+to|ends?(?:\s+on)?|ending(?:\s+on)?|expires?(?:\s+on)?|to|至|截至|到)"
_STARTS = (
    r"(?:starting(?:\s+(?:on|from))?|starts?(?:\s+on)?|beginning(?:\s+on)?|effective(?:\s+(?:from|on|as\s+of))?"
    r"|takes\s+effect(?:\s+(?:from|on))?|as\s+of|from|after|on\s+and\s+after|自|从)"
)
_RANGE = re.compile(rf"(?:\bfrom\s+)?(?P<a>{_DATE.replace('?P<', '?P<a_')})\s*(?:-|–|—|\bto\b|\buntil\b|\bthrough\b)\s*"
                    rf"(?P<b>{_DATE.replace('?P<', '?P<b_')})", re.I)  # fmt: skip
_PHRASE = re.compile(
    rf"(?P<word>\b{_ENDS}\b|\b{_STARTS}\b|{_ENDS}|{_STARTS})\s*:?\s*(?P<date>{_DATE})(?P<qi>\s*起)?", re.I
)
_QI = re.compile(rf"(?P<date>{_DATE})\s*(?:起|开始)")


@dataclass(frozen=True)
class Dates:
    """What a text states: a start and/or an end (UTC; an end is exclusive), and where the phrase is."""

    starts: datetime | None = None
    ends: datetime | None = None
    span: tuple[int, int] = (0, 0)


def _instant(m: re.Match, p: str = "") -> tuple[datetime, bool] | None:
    """The date (and whether a time was given) of a match of ``_DATE`` whose groups carry prefix ``p``."""
    g = {k[len(p) :]: v for k, v in m.groupdict().items() if k.startswith(p) and v is not None}
    try:
        if "mon" in g:
            y, mo, d = int(g["y1"]), _MONTHS[g["mon"].lower()], int(g["d1"])
        elif "mon2" in g:
            y, mo, d = int(g["y2"]), _MONTHS[g["mon2"].lower()], int(g["d2"])
        elif "y3" in g:
            y, mo, d = int(g["y3"]), int(g["m3"]), int(g["d3"])
        else:
            y, mo, d = int(g["y4"]), int(g["m4"]), int(g["d4"])
        offset = 8 if "cn" in g else int(g.get("off") or 0)
        tz = timezone(timedelta(hours=offset))
        if "h" in g:
            return datetime(y, mo, d, int(g["h"]), int(g["mi"]), tzinfo=tz).astimezone(UTC), True
        return datetime(y, mo, d, tzinfo=tz).astimezone(UTC), False
    except (ValueError, KeyError):
        return None  # "February 30": not a date


def _end(found: tuple[datetime, bool]) -> datetime:
    """An end as an exclusive instant: a bare date ends at the next day's start."""
    when, timed = found
    return when if timed else when + timedelta(days=1)


def find_dates(text: str) -> Dates | None:
    """The first date phrase of ``text`` (a range, "through X", "starting X", "X起", ...); None if it has none."""
    m = _RANGE.search(text)
    if m:
        a, b = _instant(m, "a_"), _instant(m, "b_")
        if a and b:
            return Dates(a[0], _end(b), m.span())
    m = _PHRASE.search(text)
    if m:
        found = _instant(m)
        if found:
            word = m.group("word").lower()
            if m.group("qi") or re.fullmatch(_STARTS, word, re.I):
                starts = _end(found) if word == "after" else found[0]
                return Dates(starts=starts, span=m.span())
            return Dates(ends=_end(found), span=m.span())
    m = _QI.search(text)
    if m and (found := _instant(m)):
        return Dates(starts=found[0], span=m.span())
    return None


def strip_dates(name: str) -> tuple[str, Dates | None]:
    """A name cell without its date phrase ("Gemini 3.8 Flash* through December 31, 2026" -> "Gemini 3.8
    Flash*"), and the dates it stated."""
    found = find_dates(name)
    if found is None:
        return name, None
    start, end = found.span
    return f"{name[:start].rstrip(' ,;(-–—')} {name[end:].lstrip(' ,;)')}".strip(), found


def footnote_dates(text: str) -> dict[str, Dates]:
    """Dates stated by a page's numbered notes ("(3) ... extended until 2026/05/31 15:59 UTC."), by marker
    ("3"), for the prices that carry the marker."""
    notes = re.finditer(r"(?:^|\s)\((\d{1,2})\)\s+(.+?)(?=\s\(\d{1,2}\)\s|$)", text, re.S)
    return {m.group(1): found for m in notes if (found := find_dates(m.group(2)))}


_WINDOW = re.compile(
    r"(?:(?P<pre>UTC|GMT)\s*)?(?P<a>[01]?\d|2[0-3]):(?P<am>[0-5]\d)\s*(?:-|–|—|~|to)\s*"
    r"(?P<b>[01]?\d|2[0-3]):(?P<bm>[0-5]\d)(?:\s*(?P<post>UTC|GMT))?",
    re.I,
)


def time_window(text: str) -> str | None:
    """A time-of-day window stated in UTC ("UTC 16:30-00:30", "16:30–00:30 UTC") as ``HH:MM-HH:MM``."""
    m = _WINDOW.search(text)
    if m is None or not (m.group("pre") or m.group("post")):
        return None
    return f"{int(m.group('a')):02d}:{m.group('am')}-{int(m.group('b')):02d}:{m.group('bm')}"
