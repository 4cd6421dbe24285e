"""Repricing across a real price change in the shared LiteLLM registry copies.

Read from the copies themselves: ``claude-3-5-haiku-20241022`` is $1 / $5 per 1M tokens (input / output) in
2025-01-03.json.gz and $0.80 / $4 in 2025-06-01.json.gz.
"""

from __future__ import annotations

from datetime import date

from aiprices.calculators.budget_file import parse_budget
from aiprices.calculators.reprice import drift_report, reprice
from aiprices.warehouse.connection import connect

BUDGET = """\
name: haiku-bot
priced_on: 2025-01-03
lines:
  - name: chat
    kind: inference
    model: claude-3-5-haiku-20241022
    calls_per_day: 10000
    input_tokens: 1000
    output_tokens: 200
"""


def test_haiku_price_cut_is_attributed(registry_warehouse):
    con = connect(registry_warehouse.path, read_only=True)  # every shared copy, backfilled once per session
    bf = parse_budget(BUDGET, "haiku-bot.yaml")
    (report,) = drift_report(reprice(con, [bf], [[date(2025, 1, 3), date(2025, 6, 30)]], changes=True))
    line = report["lines"][0]
    # 300,000 calls a month: 300M input x $1 + 60M output x $5 = $600 -> $480 after the cut
    assert line["from"]["monthly"] == "600.00" and line["to"]["monthly"] == "480.00"
    assert line["drift"]["pct"] == "-20.00" and report["stale"] is True
    causes = {(c["price_key"], c["old_price"], c["new_price"]) for c in line["changes"]}
    assert causes == {("input", "1", "0.8"), ("output", "5", "4")}
    assert {c["source"] for c in line["changes"]} == {"litellm"}
    con.close()
