"""A small warehouse written by the tests themselves: three dated registry copies with awkward model names.

Used by the terminal-view and report tests, so they need no third-party capture. The names cover what a
file name or a page must survive: markup, slashes, dots, colons, case and unicode.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiprices.warehouse.connection import connect
from aiprices.warehouse.registry import backfill

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


def build(folder: Path) -> Path:
    """Write the copies under ``folder/copies`` and backfill them into ``folder/small.duckdb``."""
    src = folder / "copies"
    src.mkdir(parents=True, exist_ok=True)
    for day, data in copies().items():
        (src / f"{day}.json").write_text(json.dumps(data), encoding="utf-8")
    db = folder / "small.duckdb"
    con = connect(db)
    backfill(con, src)
    con.close()
    return db
