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


def check_budgets(db: Path, folder: Path, threshold: Decimal = DEFAULT_THRESHOLD) -> BudgetCheck:
    """Reprice every budget in ``folder`` to today; raises ``CalcError`` for a bad budget file."""
    from aiprices.calculators.budget_file import budget_paths, load_budget
    from aiprices.calculators.reprice import drift_report, reprice
    from aiprices.warehouse.connection import connect

    budgets = [load_budget(p) for p in budget_paths(folder)]
    today = datetime.now(UTC).date()
    con = connect(db, read_only=True)
    try:
        report = drift_report(reprice(con, budgets, [[b.budget.priced_on, today] for b in budgets], changes=True),
                              threshold_pct=threshold)  # fmt: skip
    finally:
        con.close()
    stale = [f"{data['budget']} ({data['file']})" for data in report if data.get("stale")]
    return BudgetCheck(len(budgets), stale, report)
