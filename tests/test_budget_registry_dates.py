"""Budgets on a warehouse backfilled from the shared LiteLLM registry copies (read from the copies):

- ``claude-3-5-haiku-20241022`` is $1 / $5 per 1M tokens until 2025-06-01, $0.80 / $4 until the 2026-04-26
  copy, which no longer has it;
- ``o1-mini`` (key ``o1-mini``, vendor openai) is $1.10 / $4.40 from 2025-06-01 and gone from 2026-04-26,
  while ``azure/o1-mini`` stays: $1.21 / $4.84 from 2025-06-01, $1.10 / $4.40 from 2026-10-03.

``budget price --on D`` and ``budget reprice --to D`` value every example budget identically, line by line,
because both ask the one resolver with the same pins; a line without a price is unpriced, never $0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiprices.commands.budget import UNPRICED_EXIT, budget

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "budgets"
AMOUNTS = ("one_time", "monthly", "first_year")
HAIKU = "claude-3-5-haiku-20241022"
# Before the haiku price cut, on its day, between, after the 2025-12-07 copy, and after haiku left.
DATES = ("2024-12-15", "2025-06-01", "2025-09-30", "2026-01-15", "2026-05-01", "2026-11-12")
O1_MINI = """\
name: reasoning
priced_on: 2025-06-01
{fallback}lines:
  - name: planner
    kind: inference
    model: o1-mini
    calls_per_day: 1000
    input_tokens: 2000
    output_tokens: 1000
"""


@pytest.fixture(scope="module")
def registry_db(registry_warehouse) -> str:
    return str(registry_warehouse.path)  # the session's backfill of every shared copy; budget commands only read


def _run(args: list[str]) -> tuple[int, list[dict]]:
    res = CliRunner().invoke(budget, [*args, "--json"])
    assert res.exit_code in (0, UNPRICED_EXIT), res.output
    data = json.loads(res.output)
    return res.exit_code, data if isinstance(data, list) else [data]


def _figures(line: dict, side: str | None = None) -> dict | None:
    amounts = line[side] if side else (None if line["status"] == "unpriced" else {k: line[k] for k in AMOUNTS})
    return amounts


@pytest.mark.parametrize("day", DATES)
def test_price_on_and_reprice_to_agree_line_by_line(registry_db, day):
    code_p, priced = _run(["price", str(EXAMPLES), "--on", day, "--db", registry_db])
    code_r, repriced = _run(["reprice", str(EXAMPLES), "--to", day, "--db", registry_db])
    assert [b["budget"] for b in priced] == [b["budget"] for b in repriced]
    assert len(priced) == len(list(EXAMPLES.glob("*.yaml")))
    for p, r in zip(priced, repriced, strict=True):
        assert [line["name"] for line in p["lines"]] == [line["name"] for line in r["lines"]]
        for p_line, r_line in zip(p["lines"], r["lines"], strict=True):
            assert _figures(p_line) == _figures(r_line, "to"), (p["budget"], p_line["name"], day)
            assert p_line["priced_by"] == r_line["priced_by"]["to"]
        assert p["summary"]["unpriced"] == sum(line["to"] is None for line in r["lines"])
    haiku_gone = day >= "2026-04-26"
    assert (code_p, code_r) == ((UNPRICED_EXIT,) * 2 if haiku_gone else (0, 0))


def test_priced_on_is_the_reprice_starting_point(registry_db):
    _, priced = _run(["price", str(EXAMPLES), "--db", registry_db])
    _, repriced = _run(["reprice", str(EXAMPLES), "--to", "2025-09-30", "--db", registry_db])
    for p, r in zip(priced, repriced, strict=True):
        assert p["on"] == r["from"]
        assert [_figures(line) for line in p["lines"]] == [line["from"] for line in r["lines"]]
    haiku = next(b for b in priced if b["budget"] == "legal-assistant")["lines"][0]
    assert haiku["prices"]["input"] == "1" and haiku["prices"]["output"] == "5"
    assert haiku["monthly"] == "191.63"
    assert haiku["priced_by"] == [
        {"source": "litellm", "source_model_key": HAIKU, "components": list(haiku["prices"]), "fallback": False}
    ]


def test_a_model_that_lost_its_registry_price_is_unpriced_not_zero(registry_db):
    code, (report,) = _run(["reprice", str(EXAMPLES / "every-kind.yaml"), "--to", "2026-05-01", "--db", registry_db])
    assert code == UNPRICED_EXIT
    line = report["lines"][0]
    assert (line["model"], line["status"], line["to"], line["drift"]) == (HAIKU, "unpriced", None, None)
    assert line["from"]["monthly"] == "191.63"
    (why,) = line["unpriced"]
    assert why["on"] == "2026-05-01" and why["components"][:3] == ["input", "cached input", "output"]
    assert why["reason"].startswith(f"litellm:{HAIKU} (the offer that priced it on priced_on 2025-01-03) has no")
    assert "priced 2024-11-28 to 2026-04-26; fallback: none" in why["reason"]
    # the other eight lines are written prices: no drift at all, and none invented by the missing line
    assert report["total"]["drift"]["first_year"] == "0.00" and report["summary"] == {
        "lines": 9, "priced": 8, "unpriced": 1
    }  # fmt: skip
    assert report["stale"] and report["stale_reasons"] == [f"{line['name']}: unpriced on 2026-05-01: {why['reason']}"]
    # the causes are the pinned key's own changes: the cut, then its removal
    assert {(c["source_model_key"], c["kind"], c["changed_on"]) for c in line["changes"]} == {
        (HAIKU, "changed", "2025-06-01"), (HAIKU, "removed", "2026-04-26")
    }  # fmt: skip
    code, (priced,) = _run(["price", str(EXAMPLES / "every-kind.yaml"), "--on", "2026-05-01", "--db", registry_db])
    assert code == UNPRICED_EXIT and priced["lines"][0]["reason"] == why["reason"]
    assert priced["total"] == report["total"]["to"]


def _o1_mini(tmp_path: Path, fallback: str = "") -> str:
    path = tmp_path / "reasoning.yaml"
    path.write_text(O1_MINI.format(fallback=fallback))
    return str(path)


def test_o1_mini_stays_on_its_key_after_leaving_the_registry(registry_db, tmp_path):
    code, (report,) = _run(["reprice", _o1_mini(tmp_path), "--to", "2026-05-01", "--db", registry_db])
    line = report["lines"][0]
    assert code == UNPRICED_EXIT and line["status"] == "unpriced" and line["to"] is None
    # 30,000 calls a month: 60M input x $1.10 + 30M output x $4.40 on the o1-mini key
    assert line["from"]["monthly"] == "198.00"
    assert line["pinned"] == [
        {"source": "litellm", "source_model_key": "o1-mini", "components": ["input", "output"]}
    ]  # fmt: skip
    assert (
        "litellm:o1-mini (the offer that priced it on priced_on 2025-06-01) has no input, output price"
        in (line["unpriced"][0]["reason"])
    )
    assert line["priced_by"]["to"] == []  # never silently azure/o1-mini
    assert {c["source_model_key"] for c in line["changes"]} == {"o1-mini"}


@pytest.mark.parametrize("fallback", ["fallback: any-source\n", "fallback: any-key\n"])
def test_a_budget_that_allows_fallback_says_which_key_priced_each_date(registry_db, tmp_path, fallback):
    code, (report,) = _run(["reprice", _o1_mini(tmp_path, fallback), "--to", "2026-05-01", "--db", registry_db])
    line = report["lines"][0]
    assert code == 0 and line["status"] == "priced" and line["fallback"] == fallback.split()[1]
    assert line["from"]["monthly"] == "198.00" and line["to"]["monthly"] == "217.80"  # azure: $1.21 / $4.84
    assert [(o["source_model_key"], o["fallback"]) for o in line["priced_by"]["from"]] == [("o1-mini", False)]
    assert [(o["source_model_key"], o["fallback"]) for o in line["priced_by"]["to"]] == [("azure/o1-mini", True)]
    assert line["drift"]["pct"] == "10.00"


def test_fallback_per_line_overrides_the_budget(registry_db, tmp_path):
    path = Path(_o1_mini(tmp_path, "fallback: any-source\n"))
    path.write_text(path.read_text() + "    fallback: none\n")
    code, (report,) = _run(["reprice", str(path), "--to", "2026-05-01", "--db", registry_db])
    assert code == UNPRICED_EXIT and report["lines"][0]["fallback"] == "none"
