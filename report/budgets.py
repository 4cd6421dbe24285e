"""Saved budgets for the report: each repriced from its date to the report's date by the calculators, with
the drift split into the price changes that caused it. A file that cannot be read is listed with its error;
the other budgets still appear."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from aiprices.calculators.budget_file import budget_paths, load_budget
from aiprices.calculators.errors import BudgetError, CalcError
from aiprices.calculators.reprice import drift_report, reprice

from .charts import drift_chart


@dataclass
class BudgetPage:
    """One budget as the report shows it (``report`` is the documented ``budget reprice --json`` shape)."""

    file: Path
    report: dict | None = None
    error: str | None = None
    steps: list[dict] = field(default_factory=list)  # per cause: label, first-year delta, changes named
    chart: dict | None = None


def _steps(report: dict) -> list[dict]:
    """Each component whose price moved, with its first-year effect and the changes behind it. A line
    unpriced on either date is in neither total, so it has no step (its reason is listed with the lines)."""
    steps = []
    for line in report["lines"]:
        if line["drift"] is None:
            continue
        explained = Decimal(0)
        for component, moved in line["drift_by_component"].items():
            named = [c for c in line["changes"] if component in c["components"]]
            delta = Decimal(moved["first_year"])
            explained += delta
            steps.append({"label": f"{line['name']}: {component}", "delta": delta, "changes": named})
        rest = Decimal(line["drift"]["first_year"]) - explained
        if rest:
            steps.append({"label": f"{line['name']}: other", "delta": rest, "changes": line["changes"]})
    return steps


def budget_pages(con, folder: Path, on: date) -> list[BudgetPage]:
    """Every budget file in ``folder`` repriced from its ``priced_on`` to ``on``."""
    try:
        paths = budget_paths(folder)
    except BudgetError:  # a folder without budget files: the page says there are none
        return []
    pages = []
    for path in paths:
        page = BudgetPage(path)
        try:
            bf = load_budget(path)
            page.report = drift_report(reprice(con, [bf], [[bf.budget.priced_on, on]], changes=True))[0]
        except (CalcError, OSError) as exc:
            page.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            pages.append(page)
            continue
        page.steps = _steps(page.report)
        total = page.report["total"]
        page.chart = drift_chart(
            page.report["budget"], [(s["label"], s["delta"]) for s in page.steps],
            Decimal(total["from"]["first_year"]), Decimal(total["to"]["first_year"]),
            (page.report["from"], page.report["to"]),
        )  # fmt: skip
        pages.append(page)
    return pages
