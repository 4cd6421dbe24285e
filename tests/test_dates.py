"""Date phrases and time-of-day windows as pages write them (crawler/parsers/dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiprices.crawler.parsers.dates import find_dates, footnote_dates, strip_dates, time_window


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "starts", "ends"),
    [
        ("Claude Sonnet 5 through August 31, 2026", None, utc(2026, 9, 1)),  # a bare date ends with its day
        ("Gemini 3.8 Flash Starting January 1, 2027", utc(2027, 1, 1), None),
        ("offered at a 75% discount, extended until 2026/05/31 15:59 UTC.", None, utc(2026, 5, 31, 15, 59)),
        ("This price adjustment takes effect from 2026/4/26 12:15 UTC.", utc(2026, 4, 26, 12, 15), None),
        ("from March 1, 2026 to March 31, 2026", utc(2026, 3, 1), utc(2026, 4, 1)),
        ("2026-03-01 – 2026-03-31", utc(2026, 3, 1), utc(2026, 4, 1)),
        ("Effective 1 October 2026", utc(2026, 10, 1), None),
        ("valid till Sept. 30th, 2026", None, utc(2026, 10, 1)),
        ("after August 31, 2026", utc(2026, 9, 1), None),  # after a day = from the next one
        ("2026年8月1日起", utc(2026, 8, 1), None),
        ("截至北京时间 2026/08/01 08:00", None, utc(2026, 8, 1)),  # Beijing time is UTC+8
        ("until 2026-08-01 10:00 UTC+2", None, utc(2026, 8, 1, 8)),
    ],
)
def test_phrases(text, starts, ends):
    found = find_dates(text)
    assert (found.starts, found.ends) == (starts, ends)


@pytest.mark.parametrize(
    "text", ["GPT-4o", "claude-3-5-haiku-20241022", "gpt-4o-2024-08-06", "valid until Feb 30, 2026", "Llama 3.1 8B"]
)
def test_no_phrase_or_no_real_date(text):
    assert find_dates(text) is None
    assert strip_dates(text) == (text, None)


def test_strip_dates_leaves_the_name():
    assert strip_dates("Gemini 3.8 Flash* through December 31, 2026")[0] == "Gemini 3.8 Flash*"
    assert strip_dates("Claude Sonnet 5 (starting September 1, 2026)")[0] == "Claude Sonnet 5"


def test_footnotes_by_marker():
    text = (
        "(1) The model names will be deprecated. (2) Reduced to 1/10. This price adjustment takes effect from "
        "2026/4/26 12:15 UTC. (3) The model is offered at a 75% discount, extended until 2026/05/31 15:59 UTC."
    )
    notes = footnote_dates(text)
    assert set(notes) == {"2", "3"}
    assert notes["2"].starts == utc(2026, 4, 26, 12, 15) and notes["3"].ends == utc(2026, 5, 31, 15, 59)


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("DISCOUNT PRICE (UTC 16:30-00:30)", "16:30-00:30"),
        ("Off-peak 16:30–00:30 UTC", "16:30-00:30"),
        ("优惠时段（北京时间 00:30-08:30）", None),  # not stated in UTC: not guessed
        ("12:00-13:00", None),
        ("Standard price", None),
    ],
)
def test_time_windows(text, window):
    assert time_window(text) == window
