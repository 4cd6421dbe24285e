"""``build_report``: the whole static site from a warehouse, written to a temp folder and swapped in.

Pages are Jinja2 templates with autoescape on; data for scripts (charts, the search index) goes through
``tojson``, which escapes ``<``, ``>``, ``&`` and quotes, so nothing from a page, a registry copy or a
budget file can end a script or open a tag. plotly.js is copied once into ``assets/`` from the installed
``plotly`` package: no page needs a network.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

from aiprices.calculators.money import context_text, fmt_usd, money, price_text, unit_label
from jinja2 import Environment, PackageLoader, select_autoescape
from jinja2.utils import htmlsafe_json_dumps

from . import data
from .budgets import budget_pages
from .cells import model_link, price_id, price_terms, source_link
from .charts import price_charts, series_name
from .names import page_names, slug

MARKER = ".aiprices-report"  # marks a folder this command wrote, so a rebuild may replace it
CHANGES_PER_PAGE = 1000


class ReportError(Exception):
    """The report cannot be written (e.g. the output folder is something else)."""


@dataclass
class ReportSummary:
    """What a build wrote: the folder, how many pages and model pages, and how long it took."""

    out_dir: Path
    pages: int
    models: int
    seconds: float


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("aiprices.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"separators": (",", ":"), "ensure_ascii": False}
    # Pages repeat few distinct values (a few hundred run times, a few thousand prices) tens of thousands of
    # times: formatting each once is most of the saving.
    cached = {"money": money, "price": price_text, "context": context_text, "unit": unit_label, "utc": _utc,
              "day": _day}  # fmt: skip
    env.filters.update(
        {name: lru_cache(maxsize=65536)(f) for name, f in cached.items()}, terms=price_terms, price_id=price_id
    )
    env.globals.update(model_link=model_link, source_link=source_link)
    env.filters["usd"] = lambda amount: fmt_usd(None if amount is None else Decimal(amount))
    return env


def _utc(when: datetime | None) -> str:
    return "" if when is None else when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _day(when) -> str:
    return "" if when is None else (when.date() if isinstance(when, datetime) else when).isoformat()


class _Site:
    """Writes pages into one folder; every page gets the navigation context and its depth."""

    def __init__(self, root: Path, env: Environment, common: dict, progress: Callable[[int], None] | None = None):
        self.root, self.env, self.common, self.pages, self.progress = root, env, common, 0, progress

    def write(self, path: str, template: str, **context) -> None:
        depth = path.count("/")
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        html = self.env.get_template(template).render(**self.common, **context, root="../" * depth, page=path)
        target.write_text(html, encoding="utf-8")
        self.pages += 1
        if self.progress is not None:
            self.progress(self.pages)


def _write_assets(root: Path) -> None:
    assets = root / "assets"
    assets.mkdir()
    for name in ("site.css", "site.js"):
        (assets / name).write_bytes(resources.files("aiprices.report").joinpath("static", name).read_bytes())
    plotly_dir = Path(importlib.util.find_spec("plotly").submodule_search_locations[0])  # no import needed
    shutil.copyfile(plotly_dir / "package_data" / "plotly.min.js", assets / "plotly.min.js")


def _search_index(root: Path, models: dict[str, str], vendors: dict[str, list[str]]) -> None:
    """A script that sets the model list (JSON-encoded and escaped for a script context)."""
    entries = [[m, f"models/{models[m]}", vendors.get(m, [])] for m in sorted(models)]
    text = htmlsafe_json_dumps(entries, separators=(",", ":"), ensure_ascii=True)
    (root / "assets" / "search-index.js").write_text(f"window.AIPRICES_MODELS = {text};\n", encoding="utf-8")


def _changes_pages(site: _Site, changes: list[dict], names: dict[str, str]) -> dict[str, str]:
    """The newest changes on one page, then every source's changelog in pages of ``CHANGES_PER_PAGE``;
    returns each source's first page (without ``.html``)."""
    by_source: dict[str, list[dict]] = {}
    for row in changes:
        by_source.setdefault(row["source"], []).append(row)
    files = {s: f"changes/{slug(s)}" for s in by_source}
    common = {"names": names, "sources": sorted(by_source), "source_pages": files, "total": len(changes)}
    site.write("changes/index.html", "changes.html", rows=changes[:CHANGES_PER_PAGE], heading="Newest changes",
               part=None, **common)  # fmt: skip
    for source, rows in by_source.items():
        chunks = [rows[i : i + CHANGES_PER_PAGE] for i in range(0, len(rows), CHANGES_PER_PAGE)]
        for n, chunk in enumerate(chunks, start=1):
            path = f"{files[source]}{'' if n == 1 else f'-{n}'}.html"
            pager = {"n": n, "of": len(chunks), "base": files[source].split("/")[-1], "source": source}
            site.write(path, "changes.html", rows=chunk, heading=f"Changes of {source}", part=pager, **common)
    return files


def _model_pages(site: _Site, histories: dict, current: dict, names: dict[str, str], end: datetime) -> None:
    for model, intervals in histories.items():
        charts = price_charts(model, intervals, end)
        site.write(f"models/{names[model]}", "model.html", model=model, charts=charts,
                   current=current.get(model, []), vendors=sorted({r["vendor"] for r in intervals}),
                   series_name=series_name)  # fmt: skip


def _swap(built: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``built`` with two renames (the old site is removed only afterwards)."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{time.time_ns()}")
        out_dir.rename(old)
    built.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MARKER).exists())):
        raise ReportError(f"{out_dir} exists and is not a report folder (no {MARKER}); choose an empty or new folder")


def build_report(con, out_dir: Path | str, *, budgets: Path | str | None = None, now: datetime | None = None,
                 fresh_days: int = 2, progress: Callable[[int], None] | None = None) -> ReportSummary:  # fmt: skip
    """Write the site for warehouse connection ``con`` into ``out_dir`` (built aside, then swapped in);
    ``progress`` hears the number of pages written after each one (the CLI's progress display)."""
    started = time.monotonic()
    out_dir = Path(out_dir).resolve()
    _check_target(out_dir)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    build_dir = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        summary = _build(con, build_dir, budgets, now, fresh_days, progress)
        (build_dir / MARKER).write_text(f"written by aiprices report at {now.isoformat()}\n", encoding="utf-8")
        _swap(build_dir, out_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return ReportSummary(out_dir, summary.pages, summary.models, time.monotonic() - started)


def _build(con, root: Path, budgets, now: datetime, fresh_days: int, progress) -> ReportSummary:
    env = _environment()
    overview = data.overview(con, now, fresh_days)
    histories = data.histories(con)
    names = page_names(histories)
    common = {"generated_at": now, "newest": overview.newest_observation, "has_budgets": budgets is not None,
              "empty": not histories}  # fmt: skip
    site = _Site(root, env, common, progress)
    _write_assets(root)
    vendors = {m: sorted({r["vendor"] for r in rows}) for m, rows in histories.items()}
    _search_index(root, names, vendors)
    current = data.prices_on(con, now.date())
    source_pages = _changes_pages(site, data.changes(con), names)
    site.write("index.html", "index.html", overview=overview, source_pages=source_pages)
    site.write("models/index.html", "models.html", names=names, vendors=vendors, histories=histories)
    _model_pages(site, histories, current, names, now)
    site.write("crosscheck.html", "crosscheck.html", rows=data.disagreements(con), names=names)
    site.write("runs.html", "runs.html", runs=data.recent_runs(con))
    inferred = [r for rows in current.values() for r in rows if r["inferred_rule"]]
    site.write("inferred.html", "inferred.html", rows=inferred, names=names, day=now.date())
    if budgets is not None:
        _budget_pages(site, con, Path(budgets), now)
    return ReportSummary(root, site.pages, len(histories), 0.0)


def _budget_pages(site: _Site, con, folder: Path, now: datetime) -> None:
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such budgets folder")
    pages = budget_pages(con, folder, now.date())
    files = page_names(str(p.file.name) for p in pages)
    site.write("budgets/index.html", "budgets.html", budgets=pages, files=files)
    for page in pages:
        if page.report is not None:
            site.write(f"budgets/{files[page.file.name]}", "budget.html", budget=page)
