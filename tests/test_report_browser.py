"""The report in a real browser: Debian's Chromium driven by Playwright, every page type opened from file://.

Skips with the reason when Chromium or Playwright is missing (CI installs both: see .ci/run). Screenshots of
the index, a model page, the changes page and a budget page go to tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from aiprices.report import build_report
from aiprices.warehouse.connection import connect
from click.testing import CliRunner
from helpers.small_warehouse import HOSTILE, budgets

from aiprices.cli import cli

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
# Chromium without the calls home a headless test has no use for (and no network to make them on).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps"]  # fmt: skip

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory, small_db):
    root = tmp_path_factory.mktemp("browser")
    con = connect(small_db, read_only=True)
    build_report(con, root / "site", budgets=budgets(root / "budgets"), now=NOW)
    con.close()
    return root / "site", small_db


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def opened(browser):
    """Each page of the built site loaded once for the module and kept open: the tests that only read a page
    share its one load (Plotly's start is most of a page load's CPU); a test that changes a page loads its own."""
    visits: dict[Path, Visit] = {}

    def visit(path: Path) -> Visit:
        if path not in visits:
            visits[path] = Visit(browser, path)
        return visits[path]

    return visit


class Visit:
    """One page load: console errors, page errors and dialogs are collected while it is open."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def internal_links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            "a[href], script[src], link[href]", "els => els.map(e => e.href || e.src)"
        )
        return [h for h in hrefs if h.startswith("file://")]


def _model_page(site_dir: Path, prefix: str) -> Path:
    return next(p for p in (site_dir / "models").glob(f"{prefix}-*.html") if p.stem.rsplit("-", 1)[0] == prefix)


def _every_page_type(site_dir: Path) -> list[Path]:
    fixed = ["index.html", "changes/index.html", "changes/litellm.html", "models/index.html", "crosscheck.html",
             "runs.html", "inferred.html", "budgets/index.html"]  # fmt: skip
    return [site_dir / p for p in fixed] + [
        _model_page(site_dir, "gpt-4o"),
        _model_page(site_dir, "img-src-x-onerror-alert-1"),
        next((site_dir / "budgets").glob("bot-yaml-*.html")),
    ]


def test_every_page_loads_without_errors_and_its_links_resolve(site, opened):
    site_dir, _ = site
    for path in _every_page_type(site_dir):
        visit = opened(path)
        assert visit.errors == [] and visit.dialogs == [], (path, visit.errors, visit.dialogs)
        for link in visit.internal_links():
            target = Path(unquote(urlsplit(link).path))
            assert target.is_file(), f"{path.relative_to(site_dir)} links to missing {target}"


def _expected_series(db: Path, model: str) -> dict[str, list[int]]:
    """Per axis (unit, currency): the number of validity intervals of each price identity of the model."""
    con = connect(db, read_only=True)
    rows = con.execute(
        "SELECT unit, currency, count(*) FROM price_history WHERE model = ? GROUP BY unit, currency, source, "
        "source_model_key, price_key, service_tier, context_min_tokens, region, variant ORDER BY ALL",
        [model],
    ).fetchall()
    con.close()
    out = defaultdict(list)
    for unit, currency, n in rows:
        out[f"{unit} {currency}"].append(n)
    return out


def test_charts_render_every_series_as_steps(site, opened):
    site_dir, db = site
    visit = opened(_model_page(site_dir, "gpt-4o"))
    charts = visit.page.eval_on_selector_all(
        ".chart.js-plotly-plot",
        """els => els.map(gd => ({
            traces: gd.data.map(t => ({points: t.y.filter(v => v !== null).length, shape: t.line.shape,
                                       visible: t.visible})),
            drawn: gd.querySelectorAll('.scatterlayer .trace').length,
            ytitle: gd.layout.yaxis.title.text}))""",
    )
    expected = _expected_series(db, "gpt-4o")
    assert len(charts) == len(expected) == 1
    (chart,) = charts
    (intervals,) = expected.values()
    assert sorted(t["points"] for t in chart["traces"]) == sorted(2 * n for n in intervals)
    assert {t["shape"] for t in chart["traces"]} == {"hv"} and chart["ytitle"] == "USD per 1M tokens"
    assert chart["drawn"] == sum(t["visible"] is True for t in chart["traces"]) >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "report-model.png"), full_page=True)


def test_model_page_numbers_equal_aiprices_price(site, opened):
    site_dir, db = site
    visit = opened(_model_page(site_dir, "gpt-4o"))
    shown = visit.page.eval_on_selector_all(
        "#current-prices tbody tr[data-price]",
        "rows => rows.map(r => [...JSON.parse(r.dataset.id), r.dataset.price, r.cells[3].textContent])",
    )
    result = CliRunner().invoke(cli, ["price", "gpt-4o", "--on", "2025-06-15", "--format", "json", "--db", str(db)])
    keys = ("source", "source_model_key", "price_key", "unit", "service_tier", "context_min_tokens", "region",
            "variant", "currency", "price")  # fmt: skip
    expected = sorted([r[k] for k in keys] for r in json.loads(result.output))
    assert sorted(row[:10] for row in shown) == expected and len(expected) == 8
    assert all(row[10].startswith(row[9] + " USD/") for row in shown)  # the visible text shows the same number


def test_hostile_model_name_is_text(site, browser, opened):
    site_dir, _ = site
    for path in (_model_page(site_dir, "img-src-x-onerror-alert-1"), site_dir / "changes" / "index.html"):
        visit = opened(path)
        assert visit.dialogs == [] and visit.errors == []
        assert visit.page.locator("img").count() == 0 and visit.page.locator("main a[href^='javascript']").count() == 0
        assert HOSTILE in visit.page.inner_text("main")
    legend = opened(_model_page(site_dir, "img-src-x-onerror-alert-1"))
    title = legend.page.eval_on_selector(".gtitle", "e => e.textContent")
    assert title == f"{HOSTILE}: prices in USD per 1M tokens"
    visit = Visit(browser, site_dir / "index.html")  # its own load: typing changes the page the screenshot shows
    visit.page.fill("#search", "onerror")
    assert visit.page.inner_text("#search-results").startswith(HOSTILE)
    assert visit.page.locator("#search-results img").count() == 0 and visit.dialogs == []


def test_changes_filter_and_screenshots(site, opened):
    site_dir, _ = site
    visit = opened(site_dir / "changes" / "index.html")
    visit.page.select_option("#filter-kind", "removed")
    assert visit.page.inner_text("#filter-count") == "2 shown"
    visit.page.select_option("#filter-kind", "")
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "report-changes.png"))
    opened(site_dir / "index.html").page.screenshot(path=str(ARTIFACTS / "report-index.png"))
    budget = opened(next((site_dir / "budgets").glob("bot-yaml-*.html")))
    assert budget.page.eval_on_selector(".chart.js-plotly-plot", "gd => gd.data[0].type") == "waterfall"
    budget.page.screenshot(path=str(ARTIFACTS / "report-budget.png"), full_page=True)


def test_site_opens_after_being_moved(site, browser, tmp_path):
    """Self-contained: every link is relative, so a copy elsewhere (or on any static host) still works."""
    site_dir, _ = site
    moved = shutil.copytree(site_dir, tmp_path / "elsewhere")
    visit = Visit(browser, _model_page(moved, "gpt-4o"))
    assert visit.errors == [] and visit.page.locator(".chart.js-plotly-plot").count() == 1
