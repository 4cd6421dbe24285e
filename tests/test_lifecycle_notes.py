"""A lifecycle note in a page's model name ("Claude 3 Haiku (Deprecated)") is not part of the model: the alias step
drops it, and migration 018 renames the stored prices that kept it, so the next crawl logs no removal and addition
and the price keeps its history."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from aiprices.pipeline.aliases import canonical
from aiprices.warehouse.connection import connect
from aiprices.warehouse.contract import price_id, price_row
from aiprices.warehouse.load import load_run
from aiprices.warehouse.staging import RunRecord, StagedRun

NAME = "Claude 3 Haiku (Deprecated)"
DAY = [datetime(2026, 3, d, tzinfo=UTC) for d in (1, 2, 3)]


def _row(model: str, price: str, key: str = "input", name: str = NAME) -> dict:
    return price_row(source="vertex", vendor="vertex", model=model, source_model_key=name, price_key=key,
                     unit="usd_per_1m_tokens", price=Decimal(price), source_field="f")  # fmt: skip


def _load(con, day: int, rows: list[dict]) -> None:
    at = DAY[day]
    load_run(con, StagedRun(RunRecord(f"r{day}", "vertex", "crawl", at, at, at), rows))


def test_the_alias_step_drops_the_note():
    assert canonical("vertex", NAME)[0] == "claude-3-haiku"


def test_stored_prices_named_with_the_note_are_renamed_and_keep_their_history(migrated_db):
    old_model = "claude-3-haiku-deprecated"  # how the alias step named it before
    con = connect(migrated_db)
    _load(
        con,
        0,
        [_row(old_model, "0.25"), _row(old_model, "1.25", "output"), _row("claude-3-opus", "15", name="Claude 3 Opus")],
    )
    _load(
        con,
        1,
        [_row(old_model, "0.30"), _row(old_model, "1.25", "output"), _row("claude-3-opus", "15", name="Claude 3 Opus")],
    )
    con.execute("DELETE FROM schema_migrations WHERE version = 18")  # as a file written before 018
    con.close()

    con = connect(migrated_db)  # migrates it
    new_model = canonical("vertex", NAME)[0]
    # the next crawl, named by today's rules: nothing removed or added, only what really changed
    _load(
        con,
        2,
        [_row(new_model, "0.30"), _row(new_model, "1.50", "output"), _row("claude-3-opus", "15", name="Claude 3 Opus")],
    )
    kinds = con.execute("SELECT run_id, kind, model, price_key FROM changes ORDER BY ALL").fetchall()
    history = con.execute(
        "SELECT price_id, model, price_key, price, valid_from FROM price_intervals WHERE source_model_key = ? "
        "ORDER BY price_key, valid_from",
        [NAME],
    ).fetchall()
    names = con.execute("SELECT DISTINCT model FROM catalogue_names WHERE source = 'vertex' ORDER BY 1").fetchall()
    con.close()
    assert [k for k in kinds if k[0] == "r2"] == [("r2", "changed", new_model, "output")]
    assert [k for k in kinds if k[0] == "r1"] == [("r1", "changed", new_model, "input")]  # the old change, renamed
    input_id, output_id = price_id(_row(new_model, "0")), price_id(_row(new_model, "0", "output"))
    assert history == [
        (input_id, new_model, "input", Decimal("0.25"), DAY[0]),
        (input_id, new_model, "input", Decimal("0.30"), DAY[1]),
        (output_id, new_model, "output", Decimal("1.25"), DAY[0]),
        (output_id, new_model, "output", Decimal("1.50"), DAY[2]),
    ]
    assert names == [("claude-3-haiku",), ("claude-3-opus",)]  # the catalogue no longer knows the noted name


def test_a_name_without_a_note_and_the_registry_are_left_alone(migrated_db):
    """Only a name whose page text ends with a note and whose model kept its slug is renamed."""
    con = connect(migrated_db)
    kept = [
        _row("legacy-deprecated", "1", name="Legacy Deprecated"),  # words of the name, not a note
        price_row(
            source="litellm",
            vendor="vertex",
            model="m-deprecated",
            source_model_key="m (deprecated)",
            price_key="input",
            unit="usd_per_1m_tokens",
            price=Decimal(1),
            source_field="f",
        ),  # fmt: skip
    ]
    _load(con, 0, kept[:1])
    at = DAY[0]
    load_run(con, StagedRun(RunRecord("reg", "litellm", "registry", at, at), kept[1:]))
    con.execute("DELETE FROM schema_migrations WHERE version = 18")
    con.close()
    con = connect(migrated_db)
    got = con.execute("SELECT source, model, price_id FROM price_intervals ORDER BY source").fetchall()
    con.close()
    assert got == [("litellm", "m-deprecated", price_id(kept[1])), ("vertex", "legacy-deprecated", price_id(kept[0]))]
