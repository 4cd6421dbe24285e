"""One variant vocabulary: the calculators' size / quality / steps and fine-tuned options find the rows every
source stores, however it spells them (real captures replayed, and a real LiteLLM registry copy)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from aiprices.calculators.variants import FINE_TUNED, canonical, image_variant
from click.testing import CliRunner
from helpers.built_once import build_once
from helpers.shared import shared_path

from aiprices.commands.budget import budget
from aiprices.commands.calc import calc
from aiprices.commands.crawl import crawl
from aiprices.commands.registry import backfill


@pytest.mark.parametrize(
    ("price_key", "spellings"),
    [
        ("output_image", ["HD 1024 x 1024", "hd/1024x1024", "hd 1024X1024"]),  # OpenAI's page, LiteLLM, typed
        ("output_image", ["at 512×512", "512x512"]),  # Together
        ("output_image", ["at 50 steps", "50 steps"]),
        ("input", ["fine-tuned", "Fine-tuning"]),  # OpenAI / Azure / Mistral inference of a tuned model
        ("training", ["", "fine-tuned", "Supervised fine-tuning", "Supervised fine-tuning Preference tuning"]),
    ],
)
def test_spellings_of_one_variant_are_one_variant(price_key, spellings):
    assert len({canonical(price_key, s) for s in spellings}) == 1


def test_different_variants_stay_different():
    assert canonical("output_image", "HD 1024 x 1024") != canonical("output_image", "Standard 1024 x 1024")
    assert canonical("input", "fine-tuned") != canonical("input", "")  # a tuned model's inference is not base
    assert canonical("input", "fine-tuned with data sharing") != canonical("input", "fine-tuned")
    assert canonical("output_image", "from") != canonical("output_image", "")  # a "from $x" price is no size
    assert image_variant("1024x1024", "hd") == "hd/1024x1024" and image_variant(None, None) == ""
    assert FINE_TUNED == "fine-tuned"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    """OpenAI's page of 2025-10-15, Vertex and Mistral of 2026-05-08, Together of 2026-10-04 and LiteLLM's copy
    of 2026-11-12, replayed into one warehouse (once per session; the tests only read it)."""
    return str(build_once(tmp_path_factory, "variants", _replay) / "prices.duckdb")


def _replay(root: Path) -> None:
    pages = shared_path("vendor-pages")
    copy = shared_path("litellm-registry", "2026-11-12.json.gz")
    db = str(root / "prices.duckdb")
    for on, sources in (("2025-10-15", ["openai"]), ("2026-05-08", ["vertex", "mistral"]),
                        ("2026-10-04", ["together"])):  # fmt: skip
        out = CliRunner().invoke(crawl, ["--from-archive", str(pages), "--on", on, "--db", db, *sources])
        assert out.exit_code in (0, 1), out.output  # a partial run still loads what it read
    (root / "registry").mkdir()
    (root / "registry" / copy.name).symlink_to(copy)
    out = CliRunner().invoke(backfill, ["litellm", str(root / "registry"), "--db", db])
    assert out.exit_code == 0, out.output


def price(db: str, *args: str) -> dict:
    out = CliRunner().invoke(calc, [*args, "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


@pytest.mark.parametrize(
    ("args", "one_time"),
    [
        # OpenAI's page: "HD 1024 x 1024 $0.08" and "Standard 1024 x 1024 $0.04" per image (DALL·E 3)
        (("--model", "dall-e-3", "--size", "1024x1024", "--quality", "hd", "--on", "2025-10-20"), "0.80"),
        (("--model", "dall-e-3", "--size", "1024x1024", "--quality", "standard", "--on", "2025-10-20"), "0.40"),
        # Together: Gemini 3.1 Flash Image "$0.04657 at 512×512"
        (("--model", "google/flash-image-3.1", "--size", "512x512", "--source", "together"), "0.47"),
        # LiteLLM: fal_ai/medium/1024-x-1024/gpt-image-2, stored as variant medium/1024x1024
        (("--model", "gpt-image-2", "--size", "1024x1024", "--quality", "medium", "--source", "litellm"), "0.53"),
    ],
)
def test_calc_image_finds_each_sources_spelling(warehouse, args, one_time):
    assert price(warehouse, "image", "--images", "10", *args)["one_time"] == one_time


def test_calc_image_without_the_stored_variant_is_a_missing_price(warehouse):
    out = CliRunner().invoke(calc, ["image", "--model", "dall-e-3", "--size", "1024x1024", "--quality", "ultra",
                                    "--images", "1", "--on", "2025-10-20", "--db", warehouse])  # fmt: skip
    assert out.exit_code != 0 and "no output image [ultra/1024x1024] price for dall-e-3" in str(out.exception)


@pytest.mark.parametrize(
    ("model", "source", "on", "per_million"),
    [
        ("gpt-3.5-turbo", "openai", "2025-10-20", "8"),  # variant "fine-tuned", $8 per 1M training tokens
        ("gemini-2.5-pro", "vertex", "2026-06-01", "25"),  # variant "Supervised fine-tuning"
        ("gemini-2.5-flash", "vertex", "2026-06-01", "5"),  # "Supervised fine-tuning Preference tuning"
        ("codestral-latest", "mistral", "2026-06-01", "3"),  # no variant: training is fine-tuning
    ],
)
def test_calc_finetune_model_finds_the_training_price(warehouse, model, source, on, per_million):
    data = price(warehouse, "finetune", "--model", model, "--source", source, "--on", on, "--examples", "1000",
                 "--tokens-per-example", "1000", "--epochs", "1")  # fmt: skip
    assert D(data["training"]["cost"]) == D(per_million)  # 1,000,000 training tokens


def test_budget_lines_speak_the_same_vocabulary(warehouse, tmp_path):
    (tmp_path / "b.yaml").write_text(
        """name: variants
priced_on: 2025-10-20
lines:
  - {name: posters, kind: image, model: dall-e-3, source: openai, size: 1024x1024, quality: hd, images: 100}
  - {name: tuning, kind: finetune, model: gpt-3.5-turbo, source: openai, examples: 1000, tokens_per_example: 1000}
"""
    )
    out = CliRunner().invoke(budget, ["price", str(tmp_path / "b.yaml"), "--db", warehouse, "--json"])
    assert out.exit_code == 0, out.output
    lines = json.loads(out.output)["lines"]
    # 100 x $0.08; 1,000 x 1,000 tokens x 1 epoch (the default) x $8 per 1M
    assert [(line["name"], line["one_time"]) for line in lines] == [("posters", "8.00"), ("tuning", "8.00")]
