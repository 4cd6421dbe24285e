"""LiteLLM cost field names -> the price vocabulary (price_key, unit, tier, context, variant, scale).

LiteLLM encodes everything in the field name: a base (``input_cost_per_token``), then an optional long-context
suffix (``_above_200k_tokens``), then an optional service-tier suffix (``_batches``, ``_flex``, ``_priority``).
This module parses that grammar once per distinct field name (cached) and says how to scale the value into
our units (per-token -> per 1M tokens, per-query -> per 1K queries, per-pixel -> per 1M pixels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

M = Decimal(1_000_000)
K = Decimal(1_000)
ONE = Decimal(1)

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
    scale: Decimal = ONE
    variant: str = ""
    service_tier: str = "standard"
    context_min_tokens: int = 0
    currency: str = "USD"
    known: bool = True


# Exact base names. (price_key, unit, scale, variant)
_BASES: dict[str, tuple[str, str, Decimal, str]] = {
    "input_cost_per_token": ("input", "usd_per_1m_tokens", M, ""),
    "output_cost_per_token": ("output", "usd_per_1m_tokens", M, ""),
    "output_cost_per_reasoning_token": ("reasoning_output", "usd_per_1m_tokens", M, ""),
    "cache_read_input_token_cost": ("cache_read", "usd_per_1m_tokens", M, ""),
    "cache_creation_input_token_cost": ("cache_write", "usd_per_1m_tokens", M, ""),
    "cache_creation_input_token_cost_above_1hr": ("cache_write_1h", "usd_per_1m_tokens", M, ""),
    "cache_creation_input_token_cost_above_12hr": ("cache_write_12h", "usd_per_1m_tokens", M, ""),
    "input_cost_per_token_cache_hit": ("cache_read", "usd_per_1m_tokens", M, "cache_hit"),
    "explicit_cache_read_input_token_cost": ("cache_read", "usd_per_1m_tokens", M, "explicit"),
    "input_cost_per_audio_token": ("input_audio", "usd_per_1m_tokens", M, ""),
    "output_cost_per_audio_token": ("output_audio", "usd_per_1m_tokens", M, ""),
    "cache_read_input_audio_token_cost": ("cache_read_audio", "usd_per_1m_tokens", M, ""),
    "cache_creation_input_audio_token_cost": ("cache_write_audio", "usd_per_1m_tokens", M, ""),
    "input_cost_per_image_token": ("input_image", "usd_per_1m_tokens", M, ""),
    "output_cost_per_image_token": ("output_image", "usd_per_1m_tokens", M, ""),
    "cache_read_input_image_token_cost": ("cache_read_image", "usd_per_1m_tokens", M, ""),
    "input_cost_per_video_token": ("input_video", "usd_per_1m_tokens", M, ""),
    "output_cost_per_video_token": ("output_video", "usd_per_1m_tokens", M, ""),
    "citation_cost_per_token": ("citation", "usd_per_1m_tokens", M, ""),
    "input_dbu_cost_per_token": ("input", "dbu_per_1m_tokens", M, ""),
    "output_dbu_cost_per_token": ("output", "dbu_per_1m_tokens", M, ""),
    "output_db_cost_per_token": ("output", "dbu_per_1m_tokens", M, "output_db_cost_per_token"),
    "input_cost_per_character": ("input", "per_1m_characters", M, ""),
    "output_cost_per_character": ("output", "per_1m_characters", M, ""),
    "input_cost_per_second": ("input", "per_second", ONE, ""),
    "output_cost_per_second": ("output", "per_second", ONE, ""),
    "cost_per_second": ("usage", "per_second", ONE, ""),
    "input_cost_per_audio_per_second": ("input_audio", "per_second", ONE, ""),
    "input_cost_per_video_per_second": ("input_video", "per_second", ONE, ""),
    "output_cost_per_video_per_second": ("output_video", "per_second", ONE, ""),
    "input_cost_per_image": ("input_image", "per_image", ONE, ""),
    "output_cost_per_image": ("output_image", "per_image", ONE, ""),
    "input_cost_per_pixel": ("input_image", "per_1m_pixels", M, ""),
    "output_cost_per_pixel": ("output_image", "per_1m_pixels", M, ""),
    "input_cost_per_query": ("query", "per_1k_queries", K, ""),
    "input_cost_per_request": ("request", "per_1k_requests", K, ""),
    "search_context_cost_per_query": ("search", "per_1k_queries", K, ""),
    "google_maps_grounding_cost_per_query": ("maps_grounding", "per_1k_queries", K, ""),
    "input_cost_per_text_message": ("text_message", "per_message", ONE, ""),
    "ocr_cost_per_page": ("ocr", "per_page", ONE, ""),
    "annotation_cost_per_page": ("annotation", "per_page", ONE, ""),
    "ocr_cost_per_credit": ("ocr", "per_credit", ONE, ""),
    "code_interpreter_cost_per_session": ("code_interpreter", "per_session", ONE, ""),
    "guardrail_cost_per_unit": ("guardrail", "per_unit", ONE, ""),
    "file_search_cost_per_1k_calls": ("file_search", "per_1k_requests", ONE, ""),
    "file_search_cost_per_gb_per_day": ("file_search_storage", "per_gb_day", ONE, ""),
    "vector_store_cost_per_gb_per_day": ("vector_store", "per_gb_day", ONE, ""),
    "computer_use_input_cost_per_1k_tokens": ("computer_use_input", "usd_per_1m_tokens", K, ""),
    "computer_use_output_cost_per_1k_tokens": ("computer_use_output", "usd_per_1m_tokens", K, ""),
}

# Bases that take a free-form variant after them (resolution, size, interval).
_PREFIXES: tuple[tuple[str, str, str, Decimal], ...] = (
    ("output_cost_per_image_", "output_image", "per_image", ONE),
    ("output_cost_per_second_", "output", "per_second", ONE),
    ("input_cost_per_video_per_second_", "input_video", "per_second", ONE),
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
        key, unit, scale, variant = _BASES[base]
        currency = "DBU" if unit.startswith("dbu_") else "USD"
        return FieldSpec(key, unit, scale, variant, tier, context, currency)
    for prefix, key, unit, scale in _PREFIXES:
        if base.startswith(prefix) and len(base) > len(prefix):
            return FieldSpec(key, unit, scale, _variant_label(base[len(prefix):]), tier, context)
    return FieldSpec("unknown", "unknown", ONE, name, "standard", 0, "USD", known=False)


def is_cost_field(name: str) -> bool:
    """Whether a field holds a price (by LiteLLM's naming), as opposed to limits or flags."""
    return "cost" in name and not NON_PRICE_NUMERIC.match(name)
