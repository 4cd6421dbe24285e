"""The on-disk staged run: an exact round trip, and a half-written or tampered one refused in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiprices.warehouse.contract import IDENTITY_COLUMNS, price_row
from aiprices.warehouse.errors import BadInput
from aiprices.warehouse.staging import ROWS_FILE, RUN_FILE, RunRecord, StagedRun, read_staged_run, write_staged_run

AT = datetime(2026, 3, 1, 6, 15, tzinfo=UTC)


def _run(status: str = "ok") -> RunRecord:
    return RunRecord("r1-groq", "groq", "crawl", AT, AT, None, status, pages=2, items=2, warnings="w; x")


def _rows() -> list[dict]:
    return [
        price_row(source="groq", vendor="groq", model="m", price_key="input", unit="usd_per_1m_tokens",
                  price=Decimal("0.000000000000000000000001"), source_url="https://g.test/p", source_field="In"),
        price_row(source="groq", vendor="groq", model="m", price_key="output", unit="usd_per_1m_tokens",
                  price=Decimal("3.10"), context_min_tokens=200000, inferred_rule="batch output = 50% of output"),
    ]  # fmt: skip


def test_round_trip_is_exact(tmp_path):
    folder = write_staged_run(
        tmp_path / "groq", _run(), _rows(), complete=False, removed_keys={"gone"}, details={"yielded": 2}
    )
    staged = read_staged_run(folder)
    assert staged == StagedRun(_run(), _rows(), complete=False, removed_keys=frozenset({"gone"}),
                               details={"yielded": 2})  # fmt: skip
    assert str(staged.rows[1]["price"]) == "3.10" and isinstance(staged.rows[0]["price"], Decimal)
    assert '"price": "1E-24"' in (folder / ROWS_FILE).read_text()  # Decimal as text, never a float


def test_rewriting_replaces_the_staged_run(tmp_path):
    write_staged_run(tmp_path / "groq", _run(), _rows())
    write_staged_run(tmp_path / "groq", _run("failed"), [])
    staged = read_staged_run(tmp_path / "groq")
    assert (staged.run.status, staged.rows) == ("failed", [])
    assert [p.name for p in tmp_path.iterdir()] == ["groq"]


def test_a_writer_that_stops_midway_leaves_a_refused_run(tmp_path):
    rows = [*_rows(), {**_rows()[0], "variant": {"not", "text"}}]  # the third row cannot be written
    with pytest.raises(TypeError):
        write_staged_run(tmp_path / "groq", _run(), rows)
    with pytest.raises(BadInput, match=r"\.groq\.partial-[0-9a-f]+: half-written staged run .*; refused$"):
        read_staged_run(tmp_path / "groq")


def test_missing_metadata_or_rows_is_refused(tmp_path):
    folder = write_staged_run(tmp_path / "groq", _run(), _rows())
    (folder / RUN_FILE).unlink()
    with pytest.raises(BadInput, match="groq: half-written staged run"):
        read_staged_run(folder)
    with pytest.raises(BadInput, match="elsewhere: no staged run there"):
        read_staged_run(tmp_path / "elsewhere")


def test_truncated_rows_are_refused(tmp_path):
    folder = write_staged_run(tmp_path / "groq", _run(), _rows())
    lines = (folder / ROWS_FILE).read_text().splitlines(keepends=True)
    (folder / ROWS_FILE).write_text(lines[0])
    with pytest.raises(BadInput, match=f"holds 1 rows, {RUN_FILE} says 2; refused"):
        read_staged_run(folder)
    (folder / ROWS_FILE).write_text(lines[0] + lines[1][:20])
    with pytest.raises(BadInput, match="unreadable staged run"):
        read_staged_run(folder)


def test_a_kept_identity_staged_before_the_identity_grew_gets_the_new_columns_defaults(tmp_path):
    row = _rows()[0]
    ident = tuple(row[c] for c in IDENTITY_COLUMNS)
    folder = write_staged_run(tmp_path / "groq", _run(), [row], kept=[ident])
    assert read_staged_run(folder).kept == {ident}
    meta = json.loads((folder / RUN_FILE).read_text())
    meta["kept"] = [list(ident[: IDENTITY_COLUMNS.index("currency")])]  # as written before currency/time_window
    (folder / RUN_FILE).write_text(json.dumps(meta))
    assert read_staged_run(folder).kept == {ident}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"price": Decimal("1E+14")}, "price 1E+14 is too large (a price must stay below 10^14 once scaled)"),
        ({"price": Decimal("-0.5")}, "price -0.5 is not a valid price"),
        ({"price": Decimal("NaN")}, "price NaN is not a valid price"),
        ({"price": Decimal("1E-25")}, "price 1E-25 has more than 24 decimals when scaled"),
        ({"unit": None}, "unit is missing"),
        ({"source_model_key": None}, "source_model_key is missing"),
        ({"context_min_tokens": 2**63}, "context_min_tokens 9223372036854775808 is not a whole number of tokens"),
        ({"context_min_tokens": "many"}, "context_min_tokens 'many' is not a whole number of tokens"),
    ],
)
def test_a_staged_row_the_warehouse_cannot_store_refuses_the_run_naming_its_line(tmp_path, change, problem):
    """The pipeline checks every price before staging it; a staged file from elsewhere is checked again, so that
    it fails its own source (a failed run that says why) instead of the load of every source staged with it."""
    write_staged_run(tmp_path / "groq", _run(), [_rows()[0], {**_rows()[1], **change}])
    with pytest.raises(BadInput) as info:
        read_staged_run(tmp_path / "groq")
    assert str(info.value) == f"{tmp_path / 'groq'}: {ROWS_FILE} line 2: {problem}; refused"


def test_the_largest_and_the_finest_storable_prices_are_read(tmp_path):
    rows = [{**_rows()[0], "price": Decimal("99999999999999.999999999999999999999999")}, _rows()[1]]
    write_staged_run(tmp_path / "groq", _run(), rows)
    assert [r["price"] for r in read_staged_run(tmp_path / "groq").rows] == [rows[0]["price"], Decimal("3.10")]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (('"observed_at": "2026-03-01T06:15:00+00:00"', '"observed_at": "2026-03-01T06:15:00"'),
         "ValueError: observed_at '2026-03-01T06:15:00' has no UTC offset"),
        (('"observed_at": "2026-03-01T06:15:00+00:00"', '"observed_at": null'), "ValueError: observed_at is missing"),
    ],
)  # fmt: skip
def test_a_run_time_without_its_utc_offset_refuses_the_run(tmp_path, edit, problem):
    folder = write_staged_run(tmp_path / "groq", _run(), _rows())
    meta = (folder / RUN_FILE).read_text()
    assert edit[0] in meta
    (folder / RUN_FILE).write_text(meta.replace(*edit))
    with pytest.raises(BadInput, match=f"unreadable staged run \\({problem}\\); refused"):
        read_staged_run(folder)


def test_a_stated_date_without_its_utc_offset_refuses_the_run(tmp_path):
    folder = write_staged_run(tmp_path / "groq", _run(), [{**_rows()[0], "effective_from": AT}])
    text = (folder / ROWS_FILE).read_text()
    (folder / ROWS_FILE).write_text(text.replace("2026-03-01T06:15:00+00:00", "2026-03-01T06:15:00"))
    with pytest.raises(BadInput, match="effective_from '2026-03-01T06:15:00' has no UTC offset"):
        read_staged_run(folder)
