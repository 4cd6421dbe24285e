"""The daily stale-budget check: every budget in a folder repriced from its pricing date to today (UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

DEFAULT_THRESHOLD = Decimal(10)


@dataclass
class BudgetCheck:
    """Which budgets drifted beyond the threshold (``name (file)``), and the full drift report."""

    checked: int = 0
    stale: list[str] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per budget file that could not be read


def check_budgets(db: Path, folder: Path, threshold: Decimal = DEFAULT_THRESHOLD) -> BudgetCheck:
    """Reprice every budget in ``folder`` that loads to today; each bad file is reported in ``errors``."""
    from aiprices.calculators.budget_file import load_budgets
    from aiprices.calculators.reprice import drift_report, reprice
    from aiprices.warehouse.connection import connect

    budgets, bad = load_budgets(folder)
    today = datetime.now(UTC).date()
    con = connect(db, read_only=True)
    try:
        report = drift_report(reprice(con, budgets, [[b.budget.priced_on, today] for b in budgets], changes=True),
                              threshold_pct=threshold)  # fmt: skip
    finally:
        con.close()
    stale = [f"{data['budget']} ({data['file']})" for data in report if data.get("stale")]
    return BudgetCheck(len(budgets), stale, report, [str(e) for e in bad])
