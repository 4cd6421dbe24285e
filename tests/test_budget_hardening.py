"""Bad budget files (issue 13 item 5): bounded reading, one ``file:line: field: reason`` line for each case,
the same limit in ``budget price`` and ``budget reprice``, and a folder that keeps going past bad files."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from aiprices.calculators import budget_yaml
from aiprices.calculators.budget_file import load_budget, load_budgets, parse_budget
from aiprices.calculators.errors import BudgetError
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun
from click.testing import CliRunner

from aiprices.commands.budget import budget

ONE_LINE = re.compile(r"^\S+:\d+: [^:]+: .+$")  # file:line: field: reason
GOOD = """\
name: b
priced_on: 2025-03-01
saved_total: "$100"
lines:
  - name: chat
    kind: token
    prices: {input: "$1 per 1M tokens", output: "$2 per 1M tokens"}
    calls_per_day: 100
    input_tokens: 10
    output_tokens: 10
"""


def _error(text: str, name: str = "b.yaml") -> str:
    with pytest.raises(BudgetError) as info:
        parse_budget(text, name)
    message = str(info.value)
    assert ONE_LINE.match(message), message
    assert "\n" not in message
    return message


def _bomb(levels: int = 9) -> str:
    """The classic 'billion laughs': each level repeats the one before nine times (9^levels values)."""
    rows = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        rows.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(rows) + "\n"


def test_alias_bomb_fails_at_once_with_one_line():
    text = _bomb()
    assert len(text.encode()) < 500
    message = _error(text, "bomb.yaml")
    assert message.startswith("bomb.yaml:") and "(size): expands to more than 100,000 values through aliases" in message


def test_merge_key_bomb_is_bounded_too():
    rows = ["m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"]
    for i in range(1, 9):
        rows.append(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + "]}")
    assert "(size)" in _error("\n".join(rows) + "\n")


def test_a_few_aliases_are_fine():
    text = GOOD.replace("calls_per_day: 100", "calls_per_day: &calls 100\n    days_per_month: 30")
    text += (
        "  - {name: again, kind: token, prices: {input: $1 per 1M tokens}, input_tokens: 1, calls_per_day: *calls}\n"
    )
    assert parse_budget(text, "b.yaml").budget.lines[1].calls_per_day == 100


def test_alias_containing_itself():
    assert "b.yaml:1: (aliases): an alias refers to the value that contains it" == _error("a: &a [1, *a]\n")


def test_deep_nesting():
    text = "name: " + "[" * 40 + "]" * 40 + "\n"
    assert "(nesting): nested deeper than 32 levels" in _error(text)


def test_oversized_file(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (budget_yaml.MAX_BYTES + 1))
    with pytest.raises(BudgetError, match=r"big.yaml:1: \(file\): larger than 4 MB"):
        load_budget(big)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("calls_per_day: 100", "calls_per_day: .nan", "b.yaml:8: lines[0].calls_per_day: not a finite number (NaN)"),
        ("calls_per_day: 100", "calls_per_day: .inf", "lines[0].calls_per_day: not a finite number (Infinity)"),
        ("calls_per_day: 100", "calls_per_day: -.inf", "lines[0].calls_per_day: not a finite number (-Infinity)"),
        ("calls_per_day: 100", "calls_per_day: 1e999999", "lines[0].calls_per_day: must be at most 1,000,000,000"),
        ("calls_per_day: 100", "calls_per_day: 1.0e+999999", "b.yaml:8: lines[0].calls_per_day: must be at most"),
        ("input_tokens: 10", "input_tokens: .nan", "b.yaml:9: lines[0].input_tokens: not a finite number (NaN)"),
        ('"$1 per 1M tokens"', ".nan", "b.yaml:7: lines[0].prices.input: not a finite number (NaN)"),
        ('"$1 per 1M tokens"', ".inf", "b.yaml:7: lines[0].prices.input: not a finite number (Infinity)"),
        ('saved_total: "$100"', "saved_total: .nan", "b.yaml:3: saved_total: not a finite number (NaN)"),
        ('saved_total: "$100"', "saved_total: [1]", "b.yaml:3: saved_total: expected a price or amount"),
        (
            "priced_on: 2025-03-01",
            "priced_on: 2025-02-30",
            "b.yaml:2: priced_on: not a valid date (2025-02-30): day value is outside expected range",
        ),
        ("calls_per_day: 100", "calls_per_day: lots", "b.yaml:8: lines[0].calls_per_day: not a number ('lots')"),
        ("kind: token", "kind: token\n    tier: turbo", "b.yaml:7: lines[0].tier: 'turbo' is not one of 'standard'"),
        # Lax conversions that would be silent wrong values: true as 1, a number as seconds since 1970.
        ("input_tokens: 10", "input_tokens: true", "b.yaml:9: lines[0].input_tokens: not a number (True)"),
        ("priced_on: 2025-03-01", "priced_on: 0", "b.yaml:2: priced_on: not a valid date (0); write YYYY-MM-DD"),
        ("priced_on: 2025-03-01", "priced_on: 1.5e+9", "b.yaml:2: priced_on: not a valid date (1.5E+9); write"),
        ("priced_on: 2025-03-01", "priced_on: '20250301'", "b.yaml:2: priced_on: not a valid date (20250301); write"),
        ("input_tokens: 10", "input_tokens: 1" + "0" * 5000, "b.yaml:9: (yaml): not valid YAML (a number too long"),
    ],
)
def test_numbers_and_dates_name_the_field(old, new, expected):
    text = GOOD.replace(old, new)
    assert text != GOOD
    assert expected in _error(text)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("output_tokens: 10", "output_tokens: 10\n    input_tokens: 99", "b.yaml:11: input_tokens: written twice"),
        ("name: b\n", "name: b\nname: c\n", "b.yaml:2: name: written twice in one mapping (first on line 1); keep"),
    ],
)
def test_a_key_written_twice_is_an_error_not_the_last_one_silently(old, new, expected):
    text = GOOD.replace(old, new)
    assert text != GOOD
    assert expected in _error(text)


def test_merge_keys_still_merge():
    text = GOOD.replace("calls_per_day: 100", "calls_per_day: 100\n    <<: {days_per_month: 20}")
    assert parse_budget(text, "b.yaml").budget.lines[0].days_per_month == 20


def test_fixed_amount_infinity_and_beyond():
    text = "name: b\npriced_on: 2025-03-01\nlines:\n  - {name: x, kind: fixed, category: people, monthly: .inf}\n"
    assert _error(text) == "b.yaml:4: lines[0].monthly: not a finite number (Infinity)"
    huge = _error(text.replace(".inf", "1.0e+999999"))
    assert huge.startswith("b.yaml:4: lines[0].monthly: 1.0E+999999 is beyond any real price")


def test_huge_integer_is_a_documented_limit():
    message = _error(GOOD.replace("input_tokens: 10", f"input_tokens: {2**63}"))
    assert message == "b.yaml:9: lines[0].input_tokens: must be at most 1,000,000,000,000,000 (9223372036854775808)"


def test_non_utf8_file_names_file_and_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("name: chat", "name: caf\u00e9").encode("latin-1"))
    with pytest.raises(BudgetError) as info:
        load_budget(path)
    assert str(info.value) == (f"{path}:5: (encoding): not UTF-8 (byte 0xe9 at column 14); save the file as UTF-8")


def test_utf8_with_bom_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_budget(path).budget.name == "b"


def test_libyaml_parses_when_installed_and_keeps_lines():
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML is installed without libyaml here")
    assert issubclass(budget_yaml._Loader, yaml.CSafeLoader)
    bf = parse_budget(GOOD, "b.yaml")
    assert bf.where("lines", 0, "output_tokens") == "b.yaml:10: lines[0].output_tokens"


# --- the command line: one bad file among good ones, and the same limit in price and reprice ----------


@pytest.fixture
def db(migrated_db) -> str:
    con = connect(migrated_db)
    ts = datetime(2025, 3, 1, tzinfo=UTC)
    rows = [
        price_row(source="litellm", vendor="openai", model="gpt-4o-mini", price_key=key, unit="usd_per_1m_tokens",
                  price=Decimal(p))
        for key, p in (("input", "0.15"), ("output", "0.6"))
    ]  # fmt: skip
    load_run(con, StagedRun(RunRecord("r1", "litellm", "registry", ts, ts), rows))
    con.close()
    return str(migrated_db)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "budgets"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(GOOD)
    (folder / "b-bomb.yaml").write_text(_bomb())
    (folder / "c-nan.yaml").write_text(GOOD.replace("calls_per_day: 100", "calls_per_day: .nan"))
    (folder / "d-good.yaml").write_text(
        GOOD.replace("name: b", "name: d").replace("input_tokens: 10", "input_tokens: 20")
    )
    (folder / "e-latin1.yaml").write_bytes(GOOD.replace("name: chat", "name: caf\u00e9").encode("latin-1"))
    return folder


def test_load_budgets_keeps_the_good_ones(tmp_path):
    good, bad = load_budgets(_folder(tmp_path))
    assert [bf.budget.name for bf in good] == ["b", "d"]
    assert [Path(str(e).split(":")[0]).name for e in bad] == ["b-bomb.yaml", "c-nan.yaml", "e-latin1.yaml"]


@pytest.mark.parametrize("command", ["price", "reprice"])
def test_folder_with_bad_files_prices_the_good_ones_and_exits_1(tmp_path, db, command):
    folder = _folder(tmp_path)
    res = CliRunner().invoke(budget, [command, str(folder), "--db", db, "--json"])
    assert res.exit_code == 1
    priced = json.loads(res.stdout)
    assert [data["budget"] for data in priced] == ["b", "d"]
    errors = res.stderr.splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)
    assert all(ONE_LINE.match(line.removeprefix("error: ")) for line in errors)
    assert [Path(line.split(":")[1].strip()).name for line in errors] == ["b-bomb.yaml", "c-nan.yaml", "e-latin1.yaml"]


def test_folder_text_output_lists_good_then_bad(tmp_path, db):
    res = CliRunner().invoke(budget, ["price", str(_folder(tmp_path)), "--db", db])
    assert res.exit_code == 1
    assert res.stdout.count("priced on 2025-03-01") == 2
    assert "c-nan.yaml:8: lines[0].calls_per_day: not a finite number (NaN)" in res.stderr


@pytest.mark.parametrize("command", ["price", "reprice"])
def test_huge_integer_same_in_price_and_reprice(tmp_path, db, command):
    path = tmp_path / "huge.yaml"
    path.write_text(GOOD.replace("input_tokens: 10", f"input_tokens: {2**63}"))
    res = CliRunner().invoke(budget, [command, str(path), "--db", db])
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == (
        f"error: {path}:9: lines[0].input_tokens: must be at most 1,000,000,000,000,000 (9223372036854775808)\n"
    )


@pytest.mark.parametrize("command", ["price", "reprice"])
def test_largest_allowed_counts_price_and_reprice_alike(tmp_path, db, command):
    """At the limit, a model line prices in both commands to the same cents (no int64 overflow in DuckDB)."""
    path = tmp_path / "big.yaml"
    line = "{name: chat, kind: token, model: gpt-4o-mini, input_tokens: 1000000000000000, calls_per_day: 1}"
    path.write_text(f"name: big\npriced_on: 2025-03-01\nlines:\n  - {line}\n")
    to_day = ["--to", "2025-03-02"] if command == "reprice" else []
    res = CliRunner().invoke(budget, [command, str(path), "--db", db, "--json", *to_day])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    monthly = data["lines"][0]["monthly"] if command == "price" else data[0]["lines"][0]["to"]["monthly"]
    assert monthly == "4500000000.00"  # 10^15 tokens x 30 calls x $0.15 per 1M
