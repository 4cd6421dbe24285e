"""`aiprices report`: the static site from a warehouse the tests write themselves (no browser needed here;
tests/test_report_browser.py opens the same pages in Chromium)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiprices.report import build_report
from aiprices.report.names import page_names
from aiprices.warehouse.connection import connect
from click.testing import CliRunner
from helpers.small_warehouse import HOSTILE, TRICKY_NAMES, budgets

from aiprices.cli import cli

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site(small_db, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    con = connect(small_db, read_only=True)
    build_report(con, root / "out", budgets=budgets(root / "budgets"), now=NOW)
    con.close()
    return root / "out"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


def internal_targets(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [t for t in parser.targets if not urlsplit(t).scheme]


def test_every_page_type_is_written(site):
    for page in ("index.html", "changes/index.html", "changes/litellm.html", "models/index.html",
                 "crosscheck.html", "runs.html", "inferred.html", "budgets/index.html"):  # fmt: skip
        assert (site / page).is_file(), page
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert len(list((site / "models").glob("*.html"))) == 1 + 8 - 1  # index + 7 canonical models
    assert len(list((site / "budgets").glob("*.html"))) == 2  # index + the readable budget


def test_every_internal_link_resolves(site):
    pages = list(site.rglob("*.html"))
    for page in pages:
        for target in internal_targets(page):
            path = (page.parent / urlsplit(target).path).resolve()
            assert path.is_file(), f"{page.relative_to(site)} links to missing {target}"


def test_hostile_names_are_text_everywhere(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html and "<script>alert" not in html, page
    model_pages = {p.name: p.read_text(encoding="utf-8") for p in (site / "models").glob("*.html")}
    hostile = [n for n, html in model_pages.items() if "&lt;img src=x onerror=alert(1)&gt;</h1>" in html]
    assert len(hostile) == 1 and hostile[0].startswith("img-src-x-onerror-alert-1-")
    index = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "<" not in index and "\\u003cimg src=x onerror=alert(1)\\u003e" in index


def test_file_names_are_safe_and_unique():
    ids = [*TRICKY_NAMES, HOSTILE, "GPT-4o", "gpt-4o", "a" * 300, "模型", "..", "con", ""]
    names = page_names(ids)
    assert len(set(names.values())) == len(ids) and len({n.lower() for n in names.values()}) == len(ids)
    for name in names.values():
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*-[0-9a-f]{10}\.html", name), name
        assert len(name) <= 80
    assert names["acme/Model.v1:0"] != names["acme/model.v1:0"]
    assert names["modèle-ü"].startswith("modele-u-")


def test_model_page_shows_the_prices_of_that_day(site):
    page = next(p for p in (site / "models").glob("gpt-4o-*.html"))
    html = page.read_text(encoding="utf-8")
    assert "Prices on 2025-06-15" in html
    assert 'data-id="[&#34;litellm&#34;, &#34;gpt-4o&#34;, &#34;output&#34;' in html and 'data-price="10"' in html
    assert "2 USD/1M tokens" in html and "0000" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_budget_drift_is_attributed_and_bad_files_listed(site):
    index = (site / "budgets" / "index.html").read_text(encoding="utf-8")
    assert "broken.yaml" in index and "unreadable" in index
    assert "&lt;script&gt;alert(2)&lt;/script&gt; bot" in index
    page = next(p for p in (site / "budgets").glob("bot-yaml-*.html")).read_text(encoding="utf-8")
    # since 2025-01-15 input went 2.5 -> 2; output went 10 -> 8 -> 10, so it explains nothing
    assert "chat: input" in page and "chat: output" not in page
    assert "2025-03-01 litellm:gpt-4o input: 2.5 → 2 (changed, -20.0%)" in page


def test_empty_warehouse_says_no_data_yet(tmp_path):
    con = connect(tmp_path / "new.duckdb")  # created and migrated, nothing loaded
    summary = build_report(con, tmp_path / "site", now=NOW)
    assert summary.models == 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No data yet" in index and "0 of 0" in index


def test_rebuild_swaps_and_refuses_foreign_folders(small_db, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["report", str(out), "--db", str(small_db)])
    assert result.exit_code == 0 and "report written to" in result.output
    (out / "stale.html").write_text("from an older build")
    failed = CliRunner().invoke(cli, ["report", str(out), "--db", str(small_db), "--budgets", str(tmp_path / "no")])
    assert failed.exit_code == 1 and "no such budgets folder" in failed.output
    assert (out / "stale.html").exists() and [p.name for p in tmp_path.iterdir()] == ["site"]  # old site intact
    assert CliRunner().invoke(cli, ["report", str(out), "--db", str(small_db)]).exit_code == 0
    assert not (out / "stale.html").exists() and (out / "index.html").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = CliRunner().invoke(cli, ["report", str(foreign), "--db", str(small_db)])
    assert refused.exit_code == 1 and "is not a report folder" in refused.output
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_the_headline_counts_vendors_verified_within_the_window_not_aggregators(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    # openai was crawled the day before NOW (within 2 days); openrouter is an aggregator, listed apart
    assert '<strong id="verified">1 of 1</strong>' in index
    others = index[index.index("Aggregators and registries") :]
    assert "openrouter" in others and "litellm" in others
