"""The price report: a static site of price history, changes, vendor status and budget drift.

Sits above ``calculators`` (budget repricing) and ``warehouse`` (public views), below ``schedules`` and the
CLI. ``build_report(con, out_dir, budgets=...)`` is the one entry point.
"""

from .site import ReportError, ReportSummary, build_report

__all__ = ["ReportError", "ReportSummary", "build_report"]
