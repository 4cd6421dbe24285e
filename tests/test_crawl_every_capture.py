"""Every dated capture in ../shared/vendor-pages through the real Scrapy engine over loopback.

Captures are replayed in rounds (the k-th capture of every source together, one crawler process per round)
so each source's spider, its kind-based format choice and the item pipelines see every page the shared
folder holds. The per-capture prices themselves are asserted in ``test_extract_<source>.py``; here the
engine must yield exactly what the extractor reads, stage it all, and leave no column unmapped.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from aiprices.schedules.captures import Capture, list_captures
from aiprices.schedules.runs import REPLAY_SETTINGS, plan_replay
from aiprices.schedules.spawn import run_spiders
from helpers.shared import shared_root

ROUNDS = 6  # the most captures any source has (anthropic); a larger folder adds rounds below
# Captures a source fails on purpose, and the reason it gives.
UNSUPPORTED = {
    "openai/2026-05-08.blocked.html": "bot challenge",  # a Cloudflare challenge instead of the page
    "gemini/2025-10-15.jina.md": "no model heading",  # a render that dropped the model headings
}


def _rounds(pages: Path) -> list[dict[str, Capture]]:
    by_source: dict[str, list[Capture]] = {}
    for cap in list_captures(pages):
        by_source.setdefault(cap.source, []).append(cap)
    depth = max(len(caps) for caps in by_source.values())
    return [{s: caps[k] for s, caps in by_source.items() if k < len(caps)} for k in range(depth)]


def _extracted(cap: Capture) -> int:
    module = importlib.import_module(f"aiprices.crawler.extract.{cap.source}")
    return len(module.extract(cap.path.read_bytes(), f"http://127.0.0.1/{cap.path.name}", cap.kind).items)


def test_rounds_cover_every_capture(vendor_pages):
    rounds = _rounds(vendor_pages)
    assert len(rounds) <= ROUNDS, "more captures per source than rounds: raise ROUNDS"
    assert sum(len(r) for r in rounds) == len(list_captures(vendor_pages))


@pytest.mark.parametrize("k", range(ROUNDS))
def test_round_of_captures_through_the_engine(k, vendor_pages, tmp_path):
    rounds = _rounds(vendor_pages)
    if k >= len(rounds):
        pytest.skip(f"the shared folder at {shared_root()} has fewer than {k + 1} captures per source")
    captures = rounds[k]
    planned = plan_replay(captures, f"every-{k}", None)
    outcomes = run_spiders(
        planned, tmp_path / "stage", tmp_path / "archive", dict(REPLAY_SETTINGS), vendor_pages, processes=1
    )  # one crawler start per round: sharding over processes is test_crawl_engine's subject
    for source, cap in captures.items():
        run, details = outcomes[source].run, outcomes[source].details
        where = f"{source}/{cap.path.name}"
        if where in UNSUPPORTED:
            assert run.status == "failed" and UNSUPPORTED[where] in (run.error or ""), where
            assert run.items == 0 == len(outcomes[source].rows), where
            continue
        assert run.status == "ok", f"{where}: {run.error}"
        assert details["unmapped_columns"] == [], where
        assert run.rejected == 0, where
        assert details["yielded"] == _extracted(cap) > 0, where  # cohere's 2026-07-15 excerpt holds only two prices
        assert run.items == details["yielded"] + details["inferred"] == len(outcomes[source].rows), where
        assert run.observed_at.date() == cap.day, where
        # every capture carries its completeness audit, and the page it read
        assert 0 < run.rows_priced <= run.rows_seen, where
        assert len(details["unpriced"]) == run.rows_seen - run.rows_priced, where
        assert run.page_kind == cap.kind, where
