"""A registry value the warehouse cannot hold is one warning naming the key and field, never an opaque error that
fails the whole copy (issue 13, item 5: "Decimal type with precision 15 does not fit", "cannot unpack
non-iterable int object", decimal.Overflow, int() of a bad tier range)."""

from __future__ import annotations

import json

import pytest
from aiprices.warehouse.connection import connect
from click.testing import CliRunner

from aiprices.commands.registry import registry

GOOD = {"litellm_provider": "openai", "input_cost_per_token": "2.5e-06"}


def refresh(db, text: str):
    copy = db.parent / "copy.json"
    copy.write_text(text)
    return CliRunner().invoke(registry, ["refresh", "--file", str(copy), "--db", str(db)])


def loaded_keys(db) -> set[str]:
    con = connect(db, read_only=True)
    try:
        return {k for (k,) in con.execute("SELECT DISTINCT source_model_key FROM prices_current").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize(
    ("bad_field", "warning"),
    [
        ('"input_cost_per_token": 1e20', "bad.input_cost_per_token: 1E+20 is too large"),
        ('"input_cost_per_token": 100000000000000', "bad.input_cost_per_token: 100000000000000 is too large"),
        ('"output_cost_per_second": 1e15', "bad.output_cost_per_second: 1E+15 is too large"),
        ('"input_cost_per_token": 1e999999', "bad.input_cost_per_token: 1E+999999 is too large"),
        ('"input_cost_per_token": "1e-999999999"', 'bad.input_cost_per_token: "1e-999999999" has more than 24'),
        ('"input_cost_per_token": NaN', "bad.input_cost_per_token: NaN is not a valid price"),
        ('"input_cost_per_token": -Infinity', "bad.input_cost_per_token: -Infinity is not a valid price"),
        ('"input_cost_per_token": ' + "9" * 5000, "bad.input_cost_per_token: 99999999"),
        (
            '"search_context_cost_per_query": {"search_context_size_low": 1e20}',
            "bad.search_context_cost_per_query.search_context_size_low: 1E+20 is too large",
        ),
        (
            '"tiered_pricing": [{"range": ["a", 5], "input_cost_per_token": 1e-6}]',
            'bad.tiered_pricing[0].range: ["a", 5] is not a list starting with a token count; tier skipped',
        ),
        (
            '"tiered_pricing": [{"range": [1.5e30, 5], "input_cost_per_token": 1e-6}]',
            "bad.tiered_pricing[0].range: [1.5E+30, 5] is not a list starting with a token count",
        ),
        (
            '"tiered_pricing": [{"range": [null], "input_cost_per_token": 1e-6}]',
            "bad.tiered_pricing[0].range: [null] is not a list starting with a token count",
        ),
        (
            '"tiered_pricing": [{"range": 5, "input_cost_per_token": 1e-6}]',
            "bad.tiered_pricing[0].range: 5 is not a list starting with a token count",
        ),
        (
            '"tiered_pricing": [{"range": [Infinity, 5], "input_cost_per_token": 1e-6}]',
            "bad.tiered_pricing[0].range: [Infinity, 5] is not a list starting with a token count",
        ),
        (
            '"tiered_pricing": [{"range": [0, 5], "input_cost_per_token": 1e30}]',
            "bad.tiered_pricing[0].input_cost_per_token: 1E+30 is too large",
        ),
    ],
)
def test_a_bad_value_is_one_warning_naming_key_and_field_and_the_rest_loads(migrated_db, bad_field, warning):
    text = '{\n    "good": ' + json.dumps(GOOD) + ',\n    "bad": {"litellm_provider": "openai", ' + bad_field + "}\n}"
    result = refresh(migrated_db, text)
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("warning: copy.json: skipped values: ") and warning in line
    assert len(line) < 300
    assert "good" in loaded_keys(migrated_db)


@pytest.mark.parametrize("text", ["[1, 2]", "[[1, 2]]", '["a", "b"]', "5", '"registry"'])
def test_a_registry_that_is_not_an_object_is_one_clear_error(migrated_db, text):
    result = refresh(migrated_db, text)
    assert result.exit_code == 1
    assert str(result.exception) == "copy.json: the registry must be a JSON object of model entries"
