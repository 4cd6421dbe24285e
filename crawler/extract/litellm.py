"""LiteLLM's community registry as a source: one entry -> page prices, a registry file -> its entries.

Like every extractor this is a pure function of the bytes: rows come out as ``page_price`` dicts in the units
the field names (``per_token``, ``per_query``, ...) and go through the same validation and unit normalisation
as a crawled page's (``pipeline``). The key gives vendor, model, region and variant (``litellm_keys``), the
field name price key, unit, tier and context threshold (``litellm_fields``).

Parsing is exact (numbers become ``Decimal`` from their text, exponent style or not; ``litellm_pieces``).
Successive copies are read by ``litellm_reader``, which parses only the entries whose text changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import page_price
from .litellm_fields import is_cost_field, parse_field
from .litellm_keys import split_key

SOURCE = "litellm"
# Entries that document or route, and hold no model's prices (see README "Registry oddities").
NON_MODEL_KEYS = frozenset({"sample_spec", "fallback_generalizations"})
STRUCTURED_FIELDS = frozenset({"tiered_pricing", "off_peak_pricing"})
# Cost fields whose value is an object of prices, one per member (``search_context_size_low``,
# ``contentPolicyUnits``). Any other cost field holding an object is not a price: rejected, never read.
NESTED_COST_FIELDS = frozenset({"search_context_cost_per_query", "guardrail_cost_per_unit"})
# What a value that is not a number (null, a word, an object, a list, true) reads as: validation rejects it
# like NaN, naming the value as written, and a price loaded before keeps its last good value.
NOT_A_NUMBER = Decimal("NaN")


class RegistryUnreadable(ValueError):
    """A registry copy is not JSON, or not an object of model entries."""


@dataclass
class EntryReport:
    """What the importer noticed in one copy (printed after a load, kept in the run's warnings)."""

    unknown_fields: dict[str, int] = field(default_factory=dict)
    duplicate_keys: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.duplicate_keys:
            parts.append(f"duplicate keys (last copy wins): {', '.join(sorted(set(self.duplicate_keys)))}")
        if self.unknown_fields:
            names = ", ".join(f"{k} x{n}" for k, n in sorted(self.unknown_fields.items()))
            parts.append(f"unknown cost fields kept as price_key 'unknown': {names}")
        if self.skipped:
            more = f"; and {len(self.skipped) - 10} more" if len(self.skipped) > 10 else ""
            parts.append(
                f"skipped values: {'; '.join(self.skipped[:10])}{more} "
                "(a price loaded before keeps its last good value)"
            )
        return " | ".join(parts)


_BIGINT_MAX = 2**63 - 1


def _decimal(value) -> Decimal:
    """The exact number a value holds, or ``NOT_A_NUMBER``."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    return NOT_A_NUMBER


class Origin:
    """Where a value was read, as ``key.field: value as written``; formatted only when a value is rejected."""

    __slots__ = ("where", "value")

    def __init__(self, where: str, value):
        self.where, self.value = where, value

    def __str__(self) -> str:
        return f"{self.where}: {_shown(self.value)}"


def _emit(rows, seen, key, base, spec_field, value, report, *, variant_extra="", context=None, where=""):
    spec = parse_field(spec_field)
    where = where or f"{key}.{spec_field}"
    price = _decimal(value)
    if not spec.known:
        report.unknown_fields[spec_field] = report.unknown_fields.get(spec_field, 0) + 1
    variant = "/".join(v for v in (base["variant"], spec.variant, variant_extra) if v)
    context = spec.context_min_tokens if context is None else context
    ident = (spec.price_key, spec.unit, spec.service_tier, context, variant)
    if ident in seen:  # two fields meaning the same price: keep both, the later under its field name
        n, variant = 2, "/".join(v for v in (variant, spec_field) if v)
        while (*ident[:4], variant) in seen:
            variant = "/".join(v for v in (ident[4], spec_field, str(n)) if v)
            n += 1
        ident = (*ident[:4], variant)
    seen.add(ident)
    row = page_price(
        vendor=base["vendor"], model_name=key, model=base["model"], price_key=spec.price_key, unit=spec.unit,
        price=price, source_field=spec_field, currency=spec.currency, service_tier=spec.service_tier,
        context_min_tokens=context, region=base["region"], variant=variant,
    )  # fmt: skip
    rows.append((Origin(where, value), row))


def entry_rows(key: str, entry, report: EntryReport) -> list[tuple[Origin, dict]]:
    """Every numeric cost field of one entry as a page price in our vocabulary (units as published), each with
    its origin for the message if the pipeline rejects the value."""
    if key in NON_MODEL_KEYS:
        return []
    if not isinstance(entry, dict):
        report.skipped.append(f"{key}: entry is a {type(entry).__name__}, not an object")
        return []
    provider = entry.get("litellm_provider")
    vendor, model, region, variant = split_key(key, provider if isinstance(provider, str) else None)
    base = {"vendor": vendor, "model": model, "region": region, "variant": variant}
    rows: list[tuple[Origin, dict]] = []
    seen: set = set()
    for name, value in entry.items():
        if name in STRUCTURED_FIELDS:
            _structured(rows, seen, key, base, name, value, report)
        elif is_cost_field(name):
            if isinstance(value, dict) and name in NESTED_COST_FIELDS:
                for sub, sub_value in value.items():
                    label = sub.removeprefix("search_context_size_")
                    _emit(
                        rows, seen, key, base, name, sub_value, report, variant_extra=label, where=f"{key}.{name}.{sub}"
                    )
            else:
                _emit(rows, seen, key, base, name, value, report)
    return rows


def _structured(rows, seen, key, base, name, value, report) -> None:
    if name == "tiered_pricing" and isinstance(value, list):
        for index, tier in enumerate(value):
            if not isinstance(tier, dict):
                continue
            context = _tier_context(tier.get("range"), f"{key}.tiered_pricing[{index}].range", report)
            if context is None:
                continue
            ranges = {k: v for k, v in tier.items() if k.endswith("range") and isinstance(v, list) and v}
            ranges.pop("range", None)
            # token tiers are long-context thresholds; other ranges (e.g. max_results_range) name a variant
            label = "tiered" + "".join(f"/{k.removesuffix('_range')}={v[0]}-{v[-1]}" for k, v in ranges.items())
            for field_name, field_value in tier.items():
                if field_name not in ranges and field_name != "range" and is_cost_field(field_name):
                    _emit(
                        rows,
                        seen,
                        key,
                        base,
                        field_name,
                        field_value,
                        report,
                        variant_extra=label,
                        context=context,
                        where=f"{key}.tiered_pricing[{index}].{field_name}",
                    )
    elif name == "off_peak_pricing" and isinstance(value, dict):
        for field_name, field_value in value.items():
            if is_cost_field(field_name):
                _emit(
                    rows,
                    seen,
                    key,
                    base,
                    field_name,
                    field_value,
                    report,
                    variant_extra="off_peak",
                    where=f"{key}.off_peak_pricing.{field_name}",
                )


def _shown(value, limit: int = 40) -> str:
    """A value as JSON (numbers as the exact decimals read), cut short: one line whatever the registry holds."""
    text = _as_json(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_json(value) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_as_json, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_as_json(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _tier_context(token_range, where: str, report: EntryReport) -> int | None:
    """A tier's context threshold (the first token count of ``range``; 0 without one), else None and why."""
    if token_range is None or token_range == []:
        return 0
    first = token_range[0] if isinstance(token_range, list) else token_range
    if (
        isinstance(token_range, list)
        and isinstance(first, Decimal)
        and first.is_finite()
        and first == first.to_integral_value()
        and 0 <= first <= _BIGINT_MAX
    ):
        return int(first)
    report.skipped.append(f"{where}: {_shown(token_range)} is not a list starting with a token count; tier skipped")
    return None
