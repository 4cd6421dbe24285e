"""A small warehouse written by the tests themselves: three dated registry copies with awkward model names.

Used by the terminal-view and report tests, so they need no third-party capture. The names cover what a
file name or a page must survive: markup, slashes, dots, colons, case and unicode.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from aiprices.schedules.registry import backfill
from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

HOSTILE = "<img src=x onerror=alert(1)>"
TRICKY_NAMES = ("acme/Model.v1:0", "acme/model.v1:0", "modèle-ü", "../../etc/passwd")


def _entry(provider: str, input_per_token: str, output_per_token: str, **extra) -> dict:
    return {"litellm_provider": provider, "mode": "chat", "input_cost_per_token": float(input_per_token),
            "output_cost_per_token": float(output_per_token), **extra}  # fmt: skip


def copies() -> dict[str, dict]:
    """Registry copies by date: gpt-4o gets cheaper, a batch price appears, one model goes away."""
    first = {
        "gpt-4o": _entry("openai", "2.5e-06", "1e-05"),
        "azure/gpt-4o": _entry("azure", "2.75e-06", "1.1e-05"),
        "retired-model": _entry("openai", "1e-06", "2e-06"),
        HOSTILE: _entry("openai", "1e-06", "3e-06"),
        **{name: _entry("openai", "5e-07", "1.5e-06") for name in TRICKY_NAMES},
    }
    second = {**first, "gpt-4o": _entry("openai", "2e-06", "8e-06", input_cost_per_token_batches=1e-06)}
    third = {k: v for k, v in second.items() if k != "retired-model"}
    third["gpt-4o"] = {**second["gpt-4o"], "output_cost_per_token": 1e-05}
    return {"2025-01-01": first, "2025-03-01": second, "2025-06-01": third}


BUDGET = f"""# written by the tests: a budget priced before gpt-4o got cheaper, named like an attack
name: "<script>alert(2)</script> bot"
priced_on: 2025-01-15
lines:
  - name: chat
    kind: inference
    model: gpt-4o
    calls_per_day: 1000
    input_tokens: 1000
    output_tokens: 100
  - name: {HOSTILE}
    kind: fixed
    category: engineering
    monthly: "$100"
"""


def budgets(folder: Path) -> Path:
    """A budgets folder: one budget that drifted, one file that cannot be read."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bot.yaml").write_text(BUDGET, encoding="utf-8")
    (folder / "broken.yaml").write_text("name: broken\nlines: [\n", encoding="utf-8")
    return folder


def _page_row(source: str, key: str, price_key: str, price: str, url: str) -> dict:
    return {
        "source": source, "vendor": "openai", "model": "gpt-4o", "source_model_key": key, "price_key": price_key,
        "unit": "usd_per_1m_tokens", "service_tier": "standard", "context_min_tokens": 0, "region": "",
        "variant": "", "currency": "USD", "price": Decimal(price), "source_url": url, "source_field": price_key,
        "inferred_rule": None,
    }  # fmt: skip


def crawl_pages(con) -> None:
    """A vendor page crawled on 2025-06-14 (its input disagrees with the registry) and an aggregator's list."""
    at = datetime(2025, 6, 14, 6, 15, tzinfo=UTC)
    page = "https://developers.openai.com/api/docs/pricing"
    rows = [_page_row("openai", "gpt-4o", "input", "2.5", page), _page_row("openai", "gpt-4o", "output", "10", page)]
    load_run(con, StagedRun(RunRecord("crawl-openai", "openai", "crawl", at, at, at, pages=1, items=2), rows))
    listing = [_page_row("openrouter", "openai/gpt-4o", "input", "2.5", "https://openrouter.ai/api/v1/models")]
    run = RunRecord("crawl-openrouter", "openrouter", "crawl", at, at, at, pages=1, items=1, aggregator=True)
    load_run(con, StagedRun(run, listing))


def build(folder: Path) -> Path:
    """Write the copies under ``folder/copies``, backfill them into ``folder/small.duckdb`` and add a crawl."""
    src = folder / "copies"
    src.mkdir(parents=True, exist_ok=True)
    for day, data in copies().items():
        (src / f"{day}.json").write_text(json.dumps(data), encoding="utf-8")
    db = folder / "small.duckdb"
    con = connect(db)
    backfill(con, src)
    crawl_pages(con)
    con.close()
    return db
