"""LiteLLM cost field names -> the price vocabulary (price_key, published unit, tier, context, variant).

LiteLLM encodes everything in the field name: a base (``input_cost_per_token``), then an optional long-context
suffix (``_above_200k_tokens``), then an optional service-tier suffix (``_batches``, ``_flex``, ``_priority``).
This module parses that grammar once per distinct field name (cached). Units are the ones the field names
(``per_token``, ``per_query``, ``per_pixel``, ...): the normalise pipeline scales them to the stored units
like any page's, with the price contract's factors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TIER_SUFFIXES: dict[str, str] = {
    "_batches": "batch",
    "_batch_requests": "batch",  # irregular spelling seen on one model
    "_flex": "flex",
    "_priority": "priority",
    "_ultrafast": "ultrafast",
    "_balanced": "balanced",
    "_decisions": "decisions",
}
_CONTEXT = re.compile(r"_above_(\d+)k_tokens$")


@dataclass(frozen=True)
class FieldSpec:
    price_key: str
    unit: str
    variant: str = ""
    service_tier: str = "standard"
    context_min_tokens: int = 0
    currency: str = "USD"
    known: bool = True


# Exact base names. (price_key, published unit, variant)
_BASES: dict[str, tuple[str, str, str]] = {
    "input_cost_per_token": ("input", "per_token", ""),
    "output_cost_per_token": ("output", "per_token", ""),
    "output_cost_per_reasoning_token": ("reasoning_output", "per_token", ""),
    "cache_read_input_token_cost": ("cache_read", "per_token", ""),
    "cache_creation_input_token_cost": ("cache_write", "per_token", ""),
    "cache_creation_input_token_cost_above_1hr": ("cache_write_1h", "per_token", ""),
    "cache_creation_input_token_cost_above_12hr": ("cache_write_12h", "per_token", ""),
    "input_cost_per_token_cache_hit": ("cache_read", "per_token", "cache_hit"),
    "explicit_cache_read_input_token_cost": ("cache_read", "per_token", "explicit"),
    "input_cost_per_audio_token": ("input_audio", "per_token", ""),
    "output_cost_per_audio_token": ("output_audio", "per_token", ""),
    "cache_read_input_audio_token_cost": ("cache_read_audio", "per_token", ""),
    "cache_creation_input_audio_token_cost": ("cache_write_audio", "per_token", ""),
    "input_cost_per_image_token": ("input_image", "per_token", ""),
    "output_cost_per_image_token": ("output_image", "per_token", ""),
    "cache_read_input_image_token_cost": ("cache_read_image", "per_token", ""),
    "input_cost_per_video_token": ("input_video", "per_token", ""),
    "output_cost_per_video_token": ("output_video", "per_token", ""),
    "citation_cost_per_token": ("citation", "per_token", ""),
    "input_dbu_cost_per_token": ("input", "dbu_per_token", ""),
    "output_dbu_cost_per_token": ("output", "dbu_per_token", ""),
    "output_db_cost_per_token": ("output", "dbu_per_token", "output_db_cost_per_token"),
    "input_cost_per_character": ("input", "per_character", ""),
    "output_cost_per_character": ("output", "per_character", ""),
    "input_cost_per_second": ("input", "per_second", ""),
    "output_cost_per_second": ("output", "per_second", ""),
    "cost_per_second": ("usage", "per_second", ""),
    "input_cost_per_audio_per_second": ("input_audio", "per_second", ""),
    "input_cost_per_video_per_second": ("input_video", "per_second", ""),
    "output_cost_per_video_per_second": ("output_video", "per_second", ""),
    "input_cost_per_image": ("input_image", "per_image", ""),
    "output_cost_per_image": ("output_image", "per_image", ""),
    "input_cost_per_pixel": ("input_image", "per_pixel", ""),
    "output_cost_per_pixel": ("output_image", "per_pixel", ""),
    "input_cost_per_query": ("query", "per_query", ""),
    "input_cost_per_request": ("request", "per_call", ""),
    "search_context_cost_per_query": ("search", "per_query", ""),
    "google_maps_grounding_cost_per_query": ("maps_grounding", "per_query", ""),
    "input_cost_per_text_message": ("text_message", "per_message", ""),
    "ocr_cost_per_page": ("ocr", "per_page", ""),
    "annotation_cost_per_page": ("annotation", "per_page", ""),
    "ocr_cost_per_credit": ("ocr", "per_credit", ""),
    "code_interpreter_cost_per_session": ("code_interpreter", "per_session", ""),
    "guardrail_cost_per_unit": ("guardrail", "per_unit", ""),
    "file_search_cost_per_1k_calls": ("file_search", "per_1k_requests", ""),
    "file_search_cost_per_gb_per_day": ("file_search_storage", "per_gb_day", ""),
    "vector_store_cost_per_gb_per_day": ("vector_store", "per_gb_day", ""),
    "computer_use_input_cost_per_1k_tokens": ("computer_use_input", "per_1k_tokens", ""),
    "computer_use_output_cost_per_1k_tokens": ("computer_use_output", "per_1k_tokens", ""),
}

# Bases that take a free-form variant after them (resolution, size, interval).
_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("output_cost_per_image_", "output_image", "per_image"),
    ("output_cost_per_second_", "output", "per_second"),
    ("input_cost_per_video_per_second_", "input_video", "per_second"),
)

# Numeric fields that are not prices (multipliers, limits, counts): never rows, never "unknown".
NON_PRICE_NUMERIC = re.compile(
    r"^(max_|min_|prompt_cache_min_tokens|regional_|.*_multiplier|.*_uplift|rpm|tpm|rpd|"
    r"output_vector_size|search_free_requests|tool_use_system_prompt_tokens|.*_limit|.*_dimensions?)"
)


def _split_suffixes(name: str) -> tuple[str, str, int]:
    tier = "standard"
    for suffix, value in TIER_SUFFIXES.items():
        if name.endswith(suffix):
            name, tier = name[: -len(suffix)], value
            break
    context = 0
    match = _CONTEXT.search(name)
    if match:
        context = int(match.group(1)) * 1000
        name = name[: match.start()]
    return name, tier, context


def _variant_label(raw: str) -> str:
    """``4k`` and ``4K`` are one resolution; keep other labels as written."""
    return re.sub(r"^(\d+(?:\.\d+)?)k$", r"\1K", raw)


@lru_cache(maxsize=4096)
def parse_field(name: str) -> FieldSpec:
    """The vocabulary entry for a LiteLLM cost field; unknown names map to price_key ``unknown``."""
    base, tier, context = _split_suffixes(name)
    if base in _BASES:
        key, unit, variant = _BASES[base]
        currency = "DBU" if unit.startswith("dbu_") else "USD"
        return FieldSpec(key, unit, variant, tier, context, currency)
    for prefix, key, unit in _PREFIXES:
        if base.startswith(prefix) and len(base) > len(prefix):
            return FieldSpec(key, unit, _variant_label(base[len(prefix) :]), tier, context)
    return FieldSpec("unknown", "unknown", name, "standard", 0, "USD", known=False)


def is_cost_field(name: str) -> bool:
    """Whether a field holds a price (by LiteLLM's naming), as opposed to limits or flags."""
    return "cost" in name and not NON_PRICE_NUMERIC.match(name)
