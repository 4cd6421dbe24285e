"""The incremental registry reader: every JSON spelling of a key, pieces that fall back one at a time (never the
whole file), and the same changelog as an independent whole-file diff on a synthetic series."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from aiprices.crawler.extract.litellm import EntryReport, RegistryUnreadable, entry_rows
from aiprices.crawler.extract.litellm_reader import RegistryReader
from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect
from helpers.registry_series import independent_changelog, synthesize, warehouse_changelog

# Every spelling seen in the real copies, and more: no space or a space before the colon, the colon and the
# brace on lines of their own, keys indented 0, 3, 5 spaces or a tab (each hides a boundary, so it is read with
# the entry before it), a space after a brace, escaped characters, a nested key at the top-level indentation,
# and numbers as decimals, exponents and integers.
SPELT = r"""{
    "plain/a": {
        "input_cost_per_token": 1e-06,
        "litellm_provider": "openai"
    },
    "tight/b":{
        "input_cost_per_token": 0.000002,
        "litellm_provider": "openai"
    },
    "spaced/c" : {
        "input_cost_per_token": 3E-06,
        "litellm_provider": "openai"
    },
    "two/lines"
    :
    {
        "input_cost_per_token": 4e-6,
        "litellm_provider": "openai"
    },
   "indent/three": {
        "input_cost_per_token": 5e-06,
        "litellm_provider": "openai"
    },
    "normal/d": {"input_cost_per_token": 1.1e-05, "litellm_provider": "openai"},
"indent/zero": {
        "input_cost_per_token": 6e-06,
        "litellm_provider": "openai"
    },
    "normal/e": {"input_cost_per_token": 1.2e-05, "litellm_provider": "openai"},
     "indent/five": {"input_cost_per_token": 7e-06, "litellm_provider": "openai"},
    "normal/f": {"input_cost_per_token": 1.3e-05, "litellm_provider": "openai"},
	"tab/indent": {"input_cost_per_token": 8e-06, "litellm_provider": "openai"},
    "esc\/aped \"q\" caf\u00e9 \\": {
        "input_cost_per_token": 9e-06,
        "litellm_provider": "openai",
    "search_context_cost_per_query": {"search_context_size_low": 0.005},
        "mode": "chat"
    },
    "zero/int": {"input_cost_per_token": 0, "litellm_provider": "openai"}
}
"""
SPELT = SPELT.replace('"indent/three": {', '"indent/three": { ')  # a space after the brace, as in 2024-11-28
VARIANTS = {
    "as written": SPELT,
    "CRLF": SPELT.replace("\n", "\r\n"),
    "compact": json.dumps(json.loads(SPELT)),
    "compact, no spaces": json.dumps(json.loads(SPELT), separators=(",", ":")),
    "2-space indent": json.dumps(json.loads(SPELT), indent=2),
}


def _prices(changed: dict) -> dict:
    return {key: sorted(row["price"] for _, row in rows) for key, rows in changed.items()}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_spelling_reads_as_json_loads_reads_it(variant):
    text = VARIANTS[variant]
    read = RegistryReader().read(text.encode(), "copy", EntryReport())
    expected = {k: entry_rows(k, v, EntryReport()) for k, v in json.loads(text, parse_float=Decimal).items()}
    assert _prices(read.changed) == _prices(expected)
    assert 'esc/aped "q" café \\' in read.changed and read.vanished == set()


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_changed_entry_is_read_alone_whatever_the_spelling(variant):
    text = VARIANTS[variant]
    reader = RegistryReader()
    reader.read(text.encode(), "day 1", EntryReport())
    for old, new, key in (("9e-06", "9.5e-06", 'esc/aped "q" café \\'), ("1e-06", "1.5e-06", "plain/a")):
        assert old in text
        text = text.replace(old, new)
        read = reader.read(text.encode(), "day 2", EntryReport())
        assert list(read.changed) == [key] and read.vanished == set()
        assert Decimal(new) in _prices(read.changed)[key] and Decimal(old) not in _prices(read.changed)[key]


def test_a_hidden_boundary_costs_one_piece_not_the_file():
    # "indent/zero" is not at the first key's indentation: it is read with the entry before it, and only them.
    reader = RegistryReader()
    reader.read(SPELT.encode(), "day 1", EntryReport())
    read = reader.read(SPELT.replace("6e-06", "6.5e-06").encode(), "day 2", EntryReport())
    assert set(read.changed) == {"normal/d", "indent/zero"}


def test_unchanged_copy_reads_nothing_and_a_removed_entry_vanishes():
    reader = RegistryReader()
    reader.read(SPELT.encode(), "day 1", EntryReport())
    assert reader.read(SPELT.encode(), "day 2", EntryReport()).changed == {}
    without = json.loads(SPELT)
    del without["tight/b"]
    read = reader.read(json.dumps(without, indent=4).encode(), "day 3", EntryReport())
    assert read.vanished == {"tight/b"}


@pytest.mark.parametrize(
    "broken",
    [
        SPELT.replace('"openai"\n    },\n    "tight/b"', '"openai"\n    }\n    "tight/b"'),  # a comma missing
        SPELT.replace('"openai"}\n}', '"openai"},\n}'),  # a trailing comma
        SPELT.replace('"tight/b":{', '"tight/b":{{'),  # a brace too many
        SPELT.rstrip()[:-1],  # the closing brace missing
    ],
)
def test_a_file_json_refuses_is_refused_piece_reading_or_not(broken):
    with pytest.raises(ValueError):
        json.loads(broken)
    reader = RegistryReader()
    reader.read(SPELT.encode(), "day 1", EntryReport())
    with pytest.raises(RegistryUnreadable, match="day 2: not valid JSON"):
        reader.read(broken.encode(), "day 2", EntryReport())


def test_synthetic_series_gives_the_changelog_of_an_independent_whole_file_diff(tmp_path, registry_dir):
    series = tmp_path / "series"
    synthesize(60, series, registry_dir / "2025-12-07.json.gz", seed=20, entries=300)
    texts = [p.read_text() for p in sorted(series.iterdir())]
    patterns = (
        r'":\{',
        r'" : \{',
        r'"\n    : \{',
        r'\n   "',
        r'\n"',
        r"\{ \n",
        r"\\/",
        r"\\u00e9",
        r"\de-[1-9]\b",
        r"\dE-0",
        r"0\.0000",
    )  # every key spelling, and numbers 3e-6, 3E-06, 0.000003
    for pattern in patterns:
        assert any(re.search(pattern, t) for t in texts), pattern
    members = [json.loads(t, object_pairs_hook=lambda pairs: pairs) for t in texts]
    assert any(len(dict(m)) < len(m) for m in members)  # duplicate keys in some copies
    con = connect(tmp_path / "w.duckdb")
    result = backfill(con, series)
    assert result.loaded == 60
    assert con.execute("SELECT DISTINCT status FROM runs").fetchall() == [("ok",)]
    assert warehouse_changelog(con) == independent_changelog(series)
    con.close()
