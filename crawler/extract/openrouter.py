"""OpenRouter ``GET /api/v1/models``: ``data[].pricing`` holds USD **per token** as decimal strings.

``id`` (``deepseek/deepseek-chat``) is the API id and becomes ``model``. ``-1`` (a router whose price
depends on the model it picks) or a missing field means "not priced": no item. ``overrides`` entries with
``min_prompt_tokens`` are long-context prices (``context_min_tokens``). ``web_search`` and ``request`` are
USD per call, published here per 1K calls.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter

VENDOR = "openrouter"
THOUSAND = Decimal(1000)

# pricing field -> (price_key, unit, scale applied to the published value)
FIELDS: dict[str, tuple[str, str, Decimal]] = {
    "prompt": ("input", "per_token", Decimal(1)),
    "completion": ("output", "per_token", Decimal(1)),
    "input_cache_read": ("cache_read", "per_token", Decimal(1)),
    "input_cache_write": ("cache_write", "per_token", Decimal(1)),
    "input_cache_write_1h": ("cache_write_1h", "per_token", Decimal(1)),
    "internal_reasoning": ("reasoning_output", "per_token", Decimal(1)),
    "audio": ("input_audio", "per_token", Decimal(1)),
    "audio_output": ("output_audio", "per_token", Decimal(1)),
    "input_audio_cache": ("cache_read_audio", "per_token", Decimal(1)),
    "image": ("input_image", "per_token", Decimal(1)),
    "image_output": ("output_image", "per_token", Decimal(1)),
    "web_search": ("search", "per_1k_queries", THOUSAND),
    "request": ("request", "per_1k_requests", THOUSAND),
}
NOT_PRICES = {"overrides", "discount", "min_prompt_tokens"}


def _decimal(value) -> Decimal | None:
    """The published value as Decimal, or None for "not priced" (missing, -1, empty)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    return number


def _prices(model_id: str, pricing: dict, em: Emitter, context: int, field_prefix: str) -> None:
    for name, value in pricing.items():
        if name in NOT_PRICES:
            continue
        spec = FIELDS.get(name)
        if spec is None:
            label = f"pricing.{name}"
            if label not in em.out.unmapped_columns:
                em.out.unmapped_columns.append(label)
            continue
        number = _decimal(value)
        if number is None:
            continue
        price_key, unit, scale = spec
        field = f"{field_prefix}{name}"
        em.add(model_id, price_key, unit, number * scale, field, model=model_id.lower(), context=context)


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every priced model of the models list (a model with any published price is a row of the audit)."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise LayoutChanged(f"openrouter: body is not JSON ({exc})") from None
    models = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(models, list):
        raise LayoutChanged("openrouter: no 'data' list of models")
    em = Emitter(VENDOR)
    for model in models:
        model_id = model.get("id") if isinstance(model, dict) else None
        pricing = model.get("pricing") if isinstance(model, dict) else None
        if not model_id or not isinstance(pricing, dict):
            continue
        em.row(model_id, priced=any(_decimal(v) is not None for k, v in pricing.items() if k not in NOT_PRICES))
        _prices(model_id, pricing, em, 0, "pricing.")
        for i, override in enumerate(pricing.get("overrides") or ()):
            threshold = override.get("min_prompt_tokens") if isinstance(override, dict) else None
            if not isinstance(threshold, int) or threshold <= 0:
                em.out.warnings.append(f"{model_id}: override {i} without min_prompt_tokens skipped")
                continue
            _prices(model_id, override, em, threshold, f"pricing.overrides[min_prompt_tokens={threshold}].")
    if not em.out.items:
        raise LayoutChanged("openrouter: no priced model in 'data'")
    return em.finish()
