"""The catalogue's naming rules (warehouse/sql/010_catalogue.sql) on every key of the shared registry copies.

Each test states a rule as a property that must hold for every key of its kind, so a rule written for a few
examples fails on the keys it does not cover.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict

import pytest
from aiprices.crawler.extract.litellm_keys import split_key
from aiprices.warehouse.catalogue import spellings
from aiprices.warehouse.connection import connect
from helpers.shared import shared_path

# The newest copy, and the newest one that still lists OpenRouter's keys (dropped on 2026-10-25).
NEWEST, WITH_OPENROUTER = "2026-11-12.json.gz", "2026-10-03.json.gz"


def _registry(name: str) -> dict[str, tuple[str, str]]:
    """Registry key -> (vendor, model as the registry source writes it) for one shared copy."""
    entries = json.loads(gzip.decompress(shared_path("litellm-registry", name).read_bytes()))
    found = {}
    for key, entry in entries.items():
        if isinstance(entry, dict) and key != "sample_spec":
            vendor, model, _, _ = split_key(key, entry.get("litellm_provider"))
            found[key] = (vendor, model)
    return found


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return connect(tmp_path_factory.mktemp("catalogue") / "rules.duckdb")


@pytest.fixture(scope="module")
def newest(con):
    keys = _registry(NEWEST) | _registry(WITH_OPENROUTER)
    names = spellings(con, sorted({model for _, model in keys.values()} | set(keys)))
    return keys, names


def test_every_spelling_has_no_deployment_parts(newest):
    keys, names = newest
    for key, (_, model) in keys.items():
        spelling, model_key = names[model]
        assert spelling == spelling.lower() and "/" not in spelling and "@" not in spelling, (key, spelling)
        assert not re.match(r"^(us|eu|apac|au|jp|ca|global|us-gov)\.", spelling), (key, spelling)
        assert not re.search(r"-v1:\d+$|:\d+$", spelling), (key, spelling)
        assert not re.search(r"\d\.\d", model_key), (key, model_key)


def test_bedrock_profiles_and_regions_are_one_model(newest):
    """us./eu./apac./global. inference profiles and bedrock/<region>/ keys name the model of the bare id."""
    keys, names = newest
    by_bare = defaultdict(set)
    for key, (vendor, model) in keys.items():
        if vendor == "bedrock":
            bare = re.sub(r"^(us|eu|apac|au|jp|ca|global|us-gov)\.", "", key.split("/")[-1])
            by_bare[bare].add(names[model][1])
    profiled = [bare for bare in by_bare if any(k.endswith("." + bare) for k in keys)]
    assert len(profiled) > 40
    assert all(len(by_bare[bare]) == 1 for bare in profiled), [(b, by_bare[b]) for b in profiled if len(by_bare[b]) > 1]


def test_bedrock_ids_meet_the_vendors_own_ids(newest):
    """anthropic.claude-…-v1:0 on Bedrock has the model key of Anthropic's own id it embeds."""
    keys, names = newest
    anthropic = {m for v, m in keys.values() if v == "anthropic"}
    pairs = []
    for key, (vendor, model) in keys.items():
        embedded = re.sub(r"(-v\d+)?(:\d+)?$", "", key.rsplit("anthropic.", 1)[-1])
        if vendor == "bedrock" and "anthropic.claude-" in key and embedded in anthropic:
            pairs.append((key, model, embedded))
    assert len(pairs) > 20
    for key, model, embedded in pairs:
        assert names[model][1] == names[embedded][1], key


def test_fireworks_paths_and_p_for_dots(newest):
    """accounts/fireworks/models/glm-5p3-fast is glm-5.3-fast: every p between digits is a dot."""
    keys, names = newest
    paths = [(k, m) for k, (v, m) in keys.items() if v == "fireworks" and "accounts/fireworks/models/" in k]
    assert len(paths) > 50
    for key, model in paths:
        spelling = names[model][0]
        assert spelling == re.sub(r"(\d)p(\d)", r"\1.\2", key.rsplit("/", 1)[-1].lower()).removesuffix("-us")


def test_vertex_at_versions_are_dated_ids(con, newest):
    keys, names = newest
    at = [m for v, m in keys.values() if v == "vertex" and "@" in m]
    assert len(at) > 10
    dashed = spellings(con, [m.replace("@", "-") for m in at])
    for model in at:
        assert names[model][1] == dashed[model.replace("@", "-")][1]


def test_openrouter_ids_meet_the_vendors_ids_with_dots_or_dashes(newest):
    """openrouter/anthropic/claude-sonnet-4.6 is claude-sonnet-4-6; every OpenRouter Anthropic model the
    registry also lists for Anthropic gets the same key, whether the version is written with dots or dashes."""
    keys, names = newest
    anthropic = {names[m][1] for v, m in keys.values() if v == "anthropic"}
    routed = {names[m][1] for k, (v, m) in keys.items() if k.startswith("openrouter/anthropic/")}
    assert len(routed) > 10
    assert len(routed & anthropic) >= len(routed) // 2, sorted(routed - anthropic)
    assert names["anthropic/claude-sonnet-4.6"][1] == names["claude-sonnet-4-6"][1]


def test_azure_deployment_names(newest):
    keys, names = newest
    azure = [m for k, (v, m) in keys.items() if v == "azure" and m.startswith("gpt-35")]
    assert azure
    for model in azure:
        assert names[model][0].startswith("gpt-3.5")


def test_openrouter_variant_tags_and_case(con):
    names = spellings(con, ["google/gemini-2.5-pro:batch", "Qwen/Qwen3-32B", "deepseek/deepseek-r1:free"])
    assert [names[n][0] for n in names] == ["gemini-2.5-pro", "qwen3-32b", "deepseek-r1"]


def test_named_examples_of_the_issue(con):
    names = spellings(
        con,
        [
            "anthropic/claude-sonnet-4.6",
            "anthropic.claude-sonnet-4-6-v1:0",
            "us.anthropic.claude-sonnet-4-6-v1:0",
            "claude-3-5-haiku@20241022",
            "claude-3-5-haiku-20241022",
            "accounts/fireworks/models/glm-5p3-fast",
            "glm-5.3-fast",
        ],
    )
    keys = [key for _, key in names.values()]
    assert keys[0] == keys[1] == keys[2]
    assert keys[3] == keys[4]
    assert keys[5] == keys[6]
