"""`aiprices review` through the real entry point (in process): list, accept, reject, correct, one-line errors."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from aiprices.warehouse.connection import connect
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from helpers.cli import run_aiprices


def aiprices(*args: str, db: Path) -> subprocess.CompletedProcess:
    return run_aiprices(*args, env={"AIPRICES_DB": str(db), "AIPRICES_DEBUG": None})


def row(model: str, price: str) -> dict:
    return {
        "source": "mistral", "vendor": "mistral", "model": model, "source_model_key": model,
        "price_key": "output", "unit": "usd_per_1m_tokens", "service_tier": "standard",
        "context_min_tokens": 0, "region": "", "variant": "", "currency": "USD", "price": Decimal(price),
        "source_url": "https://mistral.test/pricing", "source_field": "price_dollar", "inferred_rule": None,
    }  # fmt: skip


def test_review_list_accept_reject_correct(migrated_db):
    con = connect(migrated_db)
    for day, prices in ((1, ("6", "2", "1")), (2, ("6000", "0.002", "1.2"))):
        at = datetime(2026, 2, day, tzinfo=UTC)
        rows = [row(m, p) for m, p in zip(("large", "small", "tiny"), prices, strict=True)]
        load_run(con, StagedRun(RunRecord(f"m{day}", "mistral", "crawl", at, at, at), rows))
    con.close()
    listed = json.loads(aiprices("review", "list", "--json", db=migrated_db).stdout)
    ids = {h["model"]: h["change_id"] for h in listed}
    assert set(ids) == {"large", "small"} and {h["status"] for h in listed} == {"pending"}
    text = aiprices("review", "list", db=migrated_db).stdout
    assert "mistral:large output" in text and "6 -> 6000 USD" in text.replace("  ", " ")
    out = aiprices("review", "accept", str(ids["large"]), "--note", "new flagship pricing", db=migrated_db)
    assert out.returncode == 0 and out.stdout.startswith(f"accepted change {ids['large']}: mistral:large")
    assert aiprices("review", "reject", str(ids["small"]), db=migrated_db).returncode == 0
    again = aiprices("review", "reject", str(ids["small"]), db=migrated_db)
    assert again.returncode == 1 and again.stderr.strip().startswith("error: change")
    assert "already decided: rejected" in again.stderr and "Traceback" not in again.stderr
    assert "no quarantined changes pending" in aiprices("review", "list", db=migrated_db).stdout
    current = json.loads(
        aiprices(
            "sql", "SELECT model, price FROM prices_current ORDER BY model", "--format", "json", db=migrated_db
        ).stdout
    )
    assert [(r["model"], Decimal(str(r["price"]))) for r in current] == [
        ("large", Decimal("6000")), ("small", Decimal("2")), ("tiny", Decimal("1.2")),
    ]  # fmt: skip
    # tiny's 1 -> 1.2 was a fix of a wrong price: history before the change now reads 1.2.
    (cid,) = [
        r["change_id"]
        for r in json.loads(
            aiprices("sql", "SELECT change_id FROM price_changes WHERE model = 'tiny' AND kind = 'changed'",
                     "--format", "json", db=migrated_db).stdout
        )
    ]  # fmt: skip
    fixed = aiprices("review", "correct", str(cid), "--note", "typo on the page", db=migrated_db)
    assert fixed.returncode == 0 and "marked as a correction" in fixed.stdout
    on_day1 = json.loads(
        aiprices("sql", "SELECT price FROM prices_on('2026-02-01') WHERE model = 'tiny'", "--format", "json",
                 db=migrated_db).stdout
    )  # fmt: skip
    assert [Decimal(str(r["price"])) for r in on_day1] == [Decimal("1.2")]
    assert aiprices("doctor", db=migrated_db).returncode == 0
    missing = aiprices("review", "accept", "424242", db=migrated_db)
    assert missing.returncode == 1 and "no such change: 424242" in missing.stderr
    query = (
        "SELECT min(change_id) AS id FROM price_changes "
        "WHERE change_id NOT IN (SELECT change_id FROM quarantined_changes)"
    )
    (published,) = [r["id"] for r in json.loads(aiprices("sql", query, "--format", "json", db=migrated_db).stdout)]
    plain = aiprices("review", "accept", str(published), db=migrated_db)
    assert plain.returncode == 1 and f"change {published} is not quarantined" in plain.stderr
