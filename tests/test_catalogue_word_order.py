"""The catalogue's word-order rule (warehouse/sql/015_crosscheck_like_with_like.sql): a family name and its version
in either order are one model, and nothing else merges."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from aiprices.warehouse.catalogue import spellings
from aiprices.warehouse.connection import connect
from helpers.shared import shared_path

NEWEST = "2026-11-12.json.gz"
# family-words-version and family-version-words, as the registry writes both (versions of 1-2 digit numbers)
_WORDS_FIRST = re.compile(r"^([a-z]+)((?:-[a-z]+)+)-((?:[1-9]\d?|0)(?:[.-](?:[1-9]\d?|0))*)(-.*)?$")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return connect(tmp_path_factory.mktemp("word-order") / "catalogue.duckdb")


def _key(con, a: str) -> str:
    return spellings(con, [a])[a][1]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("claude-4-sonnet", "claude-sonnet-4"),
        ("claude-4-opus-20250514", "claude-opus-4-20250514"),
        ("claude-3-5-sonnet", "claude-sonnet-3.5"),
        ("claude-4.5-haiku", "claude-haiku-4-5"),
        ("flux-1.1-pro", "flux-pro-1.1"),
        ("gemini-2.0-flash-lite", "gemini-flash-lite-2.0"),
        ("anthropic.claude-4-sonnet-20250514-v1:0", "claude-sonnet-4-20250514"),
    ],
)
def test_family_and_version_in_either_order_are_one_model(con, a, b):
    assert _key(con, a) == _key(con, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("claude-sonnet-4", "claude-sonnet-4-5"),  # another version
        ("claude-4-sonnet", "claude-4-5-sonnet"),
        ("claude-sonnet-4", "claude-opus-4"),  # another name
        ("claude-haiku-3", "claude-haiku-4-5"),
        ("llama-guard-3-8b", "llama-guard-4-12b"),  # another version and size
        ("text-embedding-3-small", "text-embedding-3-large"),
        ("claude-instant-1", "claude-1"),  # words are not dropped
        ("gemini-2.0-flash", "gemini-2.0-flash-lite"),
        ("gemini-flash-2.0", "gemini-flash-2.5"),
        ("gpt-4o", "gpt-4"),  # a token mixing digits and letters is no version
        ("mistral-large-2", "mistral-large-2411"),  # a snapshot is no version
        ("command-r-08-2024", "command-08-r-2024"),  # a dated suffix never moves
    ],
)
def test_pairs_that_must_not_merge(con, a, b):
    assert _key(con, a) != _key(con, b)


def test_dated_snapshots_keep_their_undated_base(con):
    """The snapshot rule (010_catalogue.sql snapshot_base) still finds the undated key after the reorder."""
    names = ["claude-sonnet-4-20250514", "command-r-08-2024", "mistral-small-3-1-2503"]
    rows = con.execute("SELECT n, snapshot_base(model_key(n)) FROM (SELECT unnest(?) AS n)", [names]).fetchall()
    assert dict(rows) == {
        "claude-sonnet-4-20250514": _key(con, "claude-4-sonnet"),
        "command-r-08-2024": _key(con, "command-r"),
        "mistral-small-3-1-2503": _key(con, "mistral-small-3-1"),
    }


def test_every_registry_model_written_both_ways_is_one_model(con):
    """For every model id of the newest registry copy written family-words-version, the same id written
    family-version-words gets the same key (and the registry has such pairs: claude, flux)."""
    entries = json.loads(gzip.decompress(shared_path("litellm-registry", NEWEST).read_bytes()))
    ids = {key.rsplit("/", 1)[-1].lower().replace("@", "-") for key in entries if key != "sample_spec"}
    swapped = {}
    for name in ids:
        m = _WORDS_FIRST.match(name)
        if m:
            swapped[name] = f"{m[1]}-{m[3]}{m[2]}{m[4] or ''}"
    assert len(swapped) > 100
    both_ways = {n for n, s in swapped.items() if s in ids}
    assert {"claude-sonnet-4", "claude-opus-4"} <= {re.sub(r"-\d{8}$", "", n) for n in both_ways}
    keys = spellings(con, sorted(set(swapped) | set(swapped.values())))
    assert [n for n, s in swapped.items() if keys[n][1] != keys[s][1]] == []


def test_a_month_year_snapshot_needs_a_month_and_a_year(con):
    """``-08-2024`` is a month and a year; ``-20-0309`` (grok-4.20-0309) is a version and an MMDD snapshot
    (migration 020): Grok 4.20's snapshot belongs to grok-4.20, not to grok-4."""
    names = ["grok-4.20-0309", "grok-4-0709", "command-r-08-2024", "gpt-4o-2024-08-06"]
    rows = con.execute("SELECT n, snapshot_base(model_key(n)) FROM (SELECT unnest(?) AS n)", [names]).fetchall()
    assert dict(rows) == {
        "grok-4.20-0309": _key(con, "grok-4.20"),
        "grok-4-0709": _key(con, "grok-4"),
        "command-r-08-2024": _key(con, "command-r"),
        "gpt-4o-2024-08-06": _key(con, "gpt-4o"),
    }
    assert _key(con, "grok-4.20") != _key(con, "grok-4")
