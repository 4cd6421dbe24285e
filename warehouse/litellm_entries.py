"""One LiteLLM registry entry -> price rows, and a registry file -> its entries.

Parsing is exact (numbers become ``Decimal`` from their text, exponent style or not). A registry file is
split into its top-level entries by layout first, so that an entry whose bytes did not change since the
previous copy needs no parsing at all; when the layout is not the usual one the whole file is parsed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .errors import BadInput
from .litellm_fields import is_cost_field, parse_field
from .litellm_models import split_key
from .schema import PRICE_SCALE, price_row

SOURCE = "litellm"
# Entries that document or route, and hold no model's prices (see README "Registry oddities").
NON_MODEL_KEYS = frozenset({"sample_spec", "fallback_generalizations"})
STRUCTURED_FIELDS = frozenset({"tiered_pricing", "off_peak_pricing"})


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
            parts.append(f"skipped values: {'; '.join(self.skipped[:10])}")
        return " | ".join(parts)


# DECIMAL(38, PRICE_SCALE) holds this many integer digits; a value past it could not be stored.
_MAX_INTEGER_DIGITS = 38 - PRICE_SCALE
_BIGINT_MAX = 2**63 - 1


def _json(raw):
    """Exact parse: numbers (and NaN/Infinity) as ``Decimal``, objects as ``_Pairs`` so duplicates are seen."""
    return json.loads(raw, parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal, object_pairs_hook=_Pairs)


def _decimal(value, where: str, report: EntryReport) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            report.skipped.append(f"{where}: not a number {_shown(value)}")
            return None
    report.skipped.append(f"{where}: unexpected {type(value).__name__}")
    return None


def _emit(rows, seen, key, base, spec_field, value, url, report, *, variant_extra="", context=None, where=""):
    spec = parse_field(spec_field)
    where = where or f"{key}.{spec_field}"
    price = _decimal(value, where, report)
    if price is None:
        return
    problem = _unstorable(price, spec.scale)
    if problem:
        report.skipped.append(f"{where}: {_shown(value)} {problem}")
        return
    scaled = (price * spec.scale).normalize() if price else Decimal(0)
    if not spec.known:
        report.unknown_fields[spec_field] = report.unknown_fields.get(spec_field, 0) + 1
    variant = "/".join(v for v in (base["variant"], spec.variant, variant_extra) if v)
    row = price_row(
        source=SOURCE, vendor=base["vendor"], model=base["model"], source_model_key=key,
        price_key=spec.price_key, unit=spec.unit, price=scaled,
        service_tier=spec.service_tier,
        context_min_tokens=spec.context_min_tokens if context is None else context,
        region=base["region"], variant=variant, currency=spec.currency, source_url=url,
        source_field=spec_field,
    )
    ident = (row["price_key"], row["unit"], row["service_tier"], row["context_min_tokens"], row["variant"])
    if ident in seen:  # two fields meaning the same price: keep both, the later under its field name
        row["variant"] = "/".join(v for v in (variant, spec_field) if v)
        n = 2
        while (*ident[:4], row["variant"]) in seen:
            row["variant"] = "/".join(v for v in (variant, spec_field, str(n)) if v)
            n += 1
        ident = (*ident[:4], row["variant"])
    seen.add(ident)
    rows.append(row)


def _unstorable(price: Decimal, scale: Decimal) -> str:
    """Why ``price * scale`` cannot be stored exactly as a price (judged by magnitude, before any arithmetic)."""
    if not price.is_finite() or price < 0:
        return "is not a valid price"
    if not price:
        return ""
    digits = price.adjusted() + scale.adjusted()  # power of ten of the scaled value's leading digit
    if digits >= _MAX_INTEGER_DIGITS:
        return f"is too large (a price must stay below 10^{_MAX_INTEGER_DIGITS} once scaled)"
    scaled = (price * scale).normalize()
    if digits < -PRICE_SCALE or scaled.as_tuple().exponent < -PRICE_SCALE:
        return f"has more than {PRICE_SCALE} decimals when scaled"
    return ""


def entry_rows(key: str, entry, url: str, report: EntryReport) -> list[dict]:
    """Every numeric cost field of one entry as a price row in our vocabulary."""
    if key in NON_MODEL_KEYS:
        return []
    if not isinstance(entry, dict):
        report.skipped.append(f"{key}: entry is a {type(entry).__name__}, not an object")
        return []
    provider = entry.get("litellm_provider")
    vendor, model, region, variant = split_key(key, provider if isinstance(provider, str) else None)
    base = {"vendor": vendor, "model": model, "region": region, "variant": variant}
    rows: list[dict] = []
    seen: set = set()
    for name, value in entry.items():
        if name in STRUCTURED_FIELDS:
            _structured(rows, seen, key, base, name, value, url, report)
        elif is_cost_field(name):
            if isinstance(value, dict):  # search_context_cost_per_query, guardrail_cost_per_unit
                for sub, sub_value in value.items():
                    label = sub.removeprefix("search_context_size_")
                    _emit(rows, seen, key, base, name, sub_value, url, report, variant_extra=label,
                          where=f"{key}.{name}.{sub}")
            else:
                _emit(rows, seen, key, base, name, value, url, report)
    return rows


def _structured(rows, seen, key, base, name, value, url, report) -> None:
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
                    _emit(rows, seen, key, base, field_name, field_value, url, report,
                          variant_extra=label, context=context, where=f"{key}.tiered_pricing[{index}].{field_name}")
    elif name == "off_peak_pricing" and isinstance(value, dict):
        for field_name, field_value in value.items():
            if is_cost_field(field_name):
                _emit(rows, seen, key, base, field_name, field_value, url, report, variant_extra="off_peak",
                      where=f"{key}.off_peak_pricing.{field_name}")


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


def split_entries(raw: bytes) -> list[tuple[str, bytes]] | None:
    """Top-level ``(key, value bytes)`` pairs of a 4-space-indented registry file, or None if not that layout.

    A value is only trusted once it parses to an object (see ``RegistryReader``); a file in any other layout
    falls back to a full parse.
    """
    parts = raw.split(b'\n    "')
    if len(parts) < 2 or parts[0].strip() != b"{":
        return None
    entries = []
    for part in parts[1:]:
        end = part.find(b'": ')
        if end < 0 or b"\\" in part[:end] or b"\n" in part[:end]:
            return None
        body = part[end + 3:].rstrip()
        if body.endswith(b","):
            body = body[:-1].rstrip()
        entries.append((part[:end].decode("utf-8", "replace"), body))
    key, body = entries[-1]
    if not body.endswith(b"}"):
        return None
    entries[-1] = (key, body[:-1].rstrip())
    return entries


class _Pairs(list):
    """A JSON object as its ``(key, value)`` pairs (duplicates kept); a JSON array stays a plain list."""


class RegistryReader:
    """Turns successive copies of the registry into per-key row sets, re-parsing only what changed.

    The file is cut into pieces at each top-level key; a piece whose bytes equal the previous copy's is
    skipped, a changed piece is parsed as an object fragment (so a piece that holds several entries, e.g.
    after an oddly indented key, still parses correctly).
    """

    def __init__(self, url: str):
        self.url = url
        self.previous: dict[str, bytes] = {}  # first key of a piece -> its bytes
        self.piece_keys: dict[str, list[str]] = {}  # first key of a piece -> the entries it holds
        self.all_keys: set[str] = set()

    def read(self, raw: bytes, label: str, report: EntryReport) -> tuple[dict[str, list[dict]], set[str]]:
        """``(rows of changed or new keys, keys that vanished)`` relative to the previous copy read."""
        entries = split_entries(raw)
        if entries is not None:
            try:
                return self._read_split(entries, label, report)
            except _LayoutMismatch:
                pass
        return self._read_full(raw, label, report)

    def _parse_piece(self, key: str, body: bytes) -> list[tuple[str, object]]:
        fragment = b'{"' + key.encode() + b'": ' + body + b"}"
        try:
            pairs = _json(fragment)
        except ValueError:
            raise _LayoutMismatch from None
        if not all(isinstance(v, _Pairs) for _, v in pairs):
            raise _LayoutMismatch
        return [(k, _to_dict(v)) for k, v in pairs]

    def _read_split(self, entries, label, report):
        pieces: dict[str, bytes] = {}
        piece_keys: dict[str, list[str]] = {}
        values: dict[str, object] = {}
        order: list[str] = []
        for first, body in entries:
            if first in pieces:  # a repeated first key: parse both to keep "last wins" exact
                self.previous.pop(first, None)
                first = f"{first}\x00{len(pieces)}"
            pieces[first] = body
            if self.previous.get(first) == body:
                keys = self.piece_keys[first]
            else:
                pairs = self._parse_piece(first.split("\x00")[0], body)
                keys = [k for k, _ in pairs]
                values.update(pairs)
            piece_keys[first] = keys
            order.extend(keys)
        seen: set[str] = set()
        for key in order:
            if key in seen:
                report.duplicate_keys.append(key)
            seen.add(key)
        if report.duplicate_keys:  # the winning copy may sit in an unchanged piece: re-read those pieces
            dupes = set(report.duplicate_keys)
            for first, keys in piece_keys.items():
                if dupes & set(keys):
                    values.update(self._parse_piece(first.split("\x00")[0], pieces[first]))
        changed = {key: entry_rows(key, value, self.url, report) for key, value in values.items()}
        vanished = self.all_keys - seen
        self.previous, self.piece_keys, self.all_keys = pieces, piece_keys, seen
        return changed, vanished

    def _read_full(self, raw, label, report):
        try:
            pairs = _json(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInput(f"{label}: not valid JSON ({exc})") from None
        if not isinstance(pairs, _Pairs):
            raise BadInput(f"{label}: the registry must be a JSON object of model entries")
        top: dict[str, object] = {}
        for key, value in pairs:
            if key in top:
                report.duplicate_keys.append(key)
            top[key] = _to_dict(value)
        changed = {key: entry_rows(key, value, self.url, report) for key, value in top.items()}
        vanished = self.all_keys - set(top)
        self.previous, self.piece_keys, self.all_keys = {}, {}, set(top)  # the next copy re-reads everything
        return changed, vanished


class _LayoutMismatch(Exception):
    pass


def _to_dict(value):
    """Undo ``object_pairs_hook`` below the top level (last duplicate wins, as in ``json.loads``)."""
    if isinstance(value, _Pairs):
        return {k: _to_dict(v) for k, v in value}
    if isinstance(value, list):
        return [_to_dict(v) for v in value]
    return value
