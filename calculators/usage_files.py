"""Usage exports read into days of usage: a generic CSV, OpenAI's and Anthropic's usage API JSON.

- Generic CSV, header ``date,model,input_tokens,output_tokens,cached_tokens,requests`` (any order), with an
  optional ``cost`` (what the export says the day cost, USD) and ``service_tier`` (standard, batch, flex,
  priority). ``input_tokens`` is the whole prompt, cached tokens included; an empty ``cached_tokens`` or
  ``requests`` is 0.
- OpenAI ``GET /v1/organization/usage/completions`` (``group_by=model``): pages of buckets (``start_time``
  in Unix seconds) whose results hold ``input_tokens`` (cached included), ``input_cached_tokens``,
  ``output_tokens``, ``num_model_requests``, ``model`` and, when grouped so, ``batch`` / ``service_tier``.
- Anthropic ``GET /v1/organizations/usage_report/messages`` (``group_by[]=model``): buckets
  (``starting_at`` RFC 3339) whose results hold ``uncached_input_tokens``, ``cache_read_input_tokens``,
  ``cache_creation.ephemeral_5m_input_tokens`` / ``ephemeral_1h_input_tokens``, ``output_tokens``,
  ``model`` and ``service_tier``. It counts no requests.

A JSON file is one page, or a list of pages (a paginated export saved whole). Buckets narrower than a day
are added up into their UTC day; rows of the same day, model and tier (other groupings: projects, keys,
workspaces) too. An export covers the days from its first to its last bucket (or CSV row): importing it
replaces exactly those days. Every bad value is ``file:where: reason``: a CSV line number, a JSON path.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import CalcError
from .plan import MAX_COUNT, TIERS

FORMATS = ("csv", "openai", "anthropic")
CSV_REQUIRED = ("date", "model", "input_tokens", "output_tokens", "cached_tokens", "requests")
CSV_OPTIONAL = ("cost", "service_tier")
# Tier names the exports use -> ours ("default"/"auto": OpenAI's standard processing; "scale": reserved).
_TIER_NAMES = {
    "default": "standard",
    "auto": "standard",
    "standard": "standard",
    "batch": "batch",
    "flex": "flex",
    "priority": "priority",
    "flex_discount": "flex",
    "priority_on_demand": "priority",
}


class UsageFileError(CalcError):
    """A usage file that cannot be read: ``file:where: reason``."""


@dataclass
class UsageDay:
    """One model's usage on one UTC day at one service tier (``input_tokens`` is the whole prompt)."""

    day: date
    model: str
    service_tier: str = "standard"
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    requests: int = 0
    reported_cost: Decimal | None = None

    def add(self, other: UsageDay) -> None:
        for f in fields(self)[3:9]:
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        if other.reported_cost is not None:
            self.reported_cost = (self.reported_cost or Decimal(0)) + other.reported_cost

    def row(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self))


@dataclass
class UsageExport:
    """What a usage file says: its format, the days it covers (``first`` to ``last``) and the usage."""

    format: str
    first: date
    last: date
    days: list[UsageDay]


def read_usage(path: str | Path, fmt: str = "auto") -> UsageExport:
    """Read a usage export; ``fmt`` is one of ``FORMATS`` or ``auto`` (by suffix, then by the JSON's shape)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageFileError(f"{path}: cannot read ({exc})") from None
    if fmt == "auto":
        fmt = "csv" if path.suffix.lower() == ".csv" else "json"
    if fmt == "csv":
        return _merged("csv", _csv_days(path, text), path, None)
    data = _json(path, text)
    pages = data if isinstance(data, list) else [data]
    if fmt == "json":
        fmt = _json_format(path, pages)
    reader = _openai_buckets if fmt == "openai" else _anthropic_buckets
    span: list[date] = []
    days = list(reader(path, pages, span))
    return _merged(fmt, days, path, (min(span), max(span)) if span else None)


def _merged(fmt: str, days: list[UsageDay], path: Path, span: tuple[date, date] | None) -> UsageExport:
    """Rows of the same day, model and tier added up; the period is the buckets' (or the rows') span."""
    merged: dict[tuple, UsageDay] = {}
    for d in days:
        key = (d.day, d.model, d.service_tier)
        if key in merged:
            merged[key].add(d)
        else:
            merged[key] = d
    if span is None:
        if not merged:
            raise UsageFileError(f"{path}: no usage rows")
        span = (min(d.day for d in merged.values()), max(d.day for d in merged.values()))
    return UsageExport(fmt, span[0], span[1], list(merged.values()))


# --- the generic CSV ---------------------------------------------------------------------------------------


def _csv_days(path: Path, text: str) -> Iterator[UsageDay]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise UsageFileError(
            f"{path}:1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(header: {','.join(CSV_REQUIRED)}[,cost][,service_tier])"
        )
    unknown = [c for c in header if c not in CSV_REQUIRED + CSV_OPTIONAL]
    if unknown:
        raise UsageFileError(
            f"{path}:1: unknown column {unknown[0]!r} (known: {', '.join(CSV_REQUIRED + CSV_OPTIONAL)})"
        )
    reader.fieldnames = header
    for record in reader:
        where = f"{path}:{reader.line_num}"
        if None in record or any(v is None for v in record.values()):
            raise UsageFileError(f"{where}: expected {len(header)} fields")
        if not any(v.strip() for v in record.values()):
            continue  # a blank line
        yield _csv_day(where, {k: v.strip() for k, v in record.items()})


def _csv_day(where: str, r: dict[str, str]) -> UsageDay:
    try:
        day = date.fromisoformat(r["date"])
    except ValueError:
        raise UsageFileError(f"{where}: bad date {r['date']!r} (write YYYY-MM-DD)") from None
    if not r["model"]:
        raise UsageFileError(f"{where}: no model")
    counts = {
        name: _count(where, name, r[name], empty_is_zero=name in ("cached_tokens", "requests"))
        for name in CSV_REQUIRED[2:]
    }
    usage = UsageDay(
        day,
        r["model"],
        _tier(where, r.get("service_tier") or "standard"),
        **counts,
        reported_cost=_cost(where, r.get("cost") or ""),
    )
    return _checked(where, usage)


def _count(where: str, name: str, text: str, *, empty_is_zero: bool = False) -> int:
    if not text and empty_is_zero:
        return 0
    try:
        number = int(text)
    except ValueError:
        raise UsageFileError(f"{where}: {name} is not a whole number ({text!r})") from None
    return _in_range(where, name, number)


def _in_range(where: str, name: str, number: int) -> int:
    if number < 0:
        raise UsageFileError(f"{where}: {name} cannot be negative ({number})")
    if number > MAX_COUNT:
        raise UsageFileError(f"{where}: {name} must be at most {MAX_COUNT:,} ({number})")
    return number


def _cost(where: str, text: str) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text.removeprefix("$").replace(",", ""))
    except InvalidOperation:
        raise UsageFileError(f"{where}: cost is not a number ({text!r})") from None
    if not amount.is_finite() or amount < 0:
        raise UsageFileError(f"{where}: cost must be a finite amount of 0 or more ({text!r})")
    return amount


def _tier(where: str, name: str) -> str:
    tier = _TIER_NAMES.get(name.lower())
    if tier is None:
        raise UsageFileError(f"{where}: unknown service tier {name!r} (use one of {', '.join(TIERS)})")
    return tier


def _checked(where: str, usage: UsageDay) -> UsageDay:
    parts = usage.cached_tokens + usage.cache_write_tokens + usage.cache_write_1h_tokens
    if parts > usage.input_tokens:
        raise UsageFileError(
            f"{where}: cached tokens ({parts}) exceed input_tokens ({usage.input_tokens}): "
            "input_tokens is the whole prompt"
        )
    return usage


# --- the vendors' JSON -------------------------------------------------------------------------------------


def _json(path: Path, text: str):
    try:
        return json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise UsageFileError(f"{path}:{line or 1}: not JSON ({getattr(exc, 'msg', exc)})") from None


def _json_format(path: Path, pages: list) -> str:
    """openai or anthropic, from the first bucket's shape."""
    for page in pages:
        for bucket in page.get("data") or [] if isinstance(page, Mapping) else []:
            if isinstance(bucket, Mapping) and "start_time" in bucket:
                results = bucket.get("results") or []
                if any(
                    isinstance(r, Mapping) and str(r.get("object", "")).startswith("organization.costs")
                    for r in results
                ):
                    raise UsageFileError(
                        f"{path}: an OpenAI costs export has no token counts; import the usage "
                        "export (/v1/organization/usage/completions)"
                    )
                return "openai"
            if isinstance(bucket, Mapping) and "starting_at" in bucket:
                return "anthropic"
    raise UsageFileError(f"{path}: not a usage export (expected OpenAI or Anthropic usage buckets under 'data')")


def _buckets(path: Path, pages: list, start: str) -> Iterator[tuple[str, Mapping, date]]:
    """Each bucket with its JSON path and UTC day."""
    for p, page in enumerate(pages):
        at = f"{path}:" + (f"[{p}]." if len(pages) > 1 else "")
        data = page.get("data") if isinstance(page, Mapping) else None
        if not isinstance(data, list):
            raise UsageFileError(f"{at}data: expected a list of buckets")
        for b, bucket in enumerate(data):
            where = f"{at}data[{b}]"
            if not isinstance(bucket, Mapping) or start not in bucket:
                raise UsageFileError(f"{where}: a bucket needs {start}")
            yield where, bucket, _bucket_day(where, start, bucket[start])


def _bucket_day(where: str, name: str, value) -> date:
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC).date()
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC).date()
    except (ValueError, OverflowError, OSError):
        raise UsageFileError(f"{where}.{name}: bad time {value!r}") from None


def _results(where: str, bucket: Mapping) -> Iterator[tuple[str, Mapping]]:
    results = bucket.get("results")
    if not isinstance(results, list):
        raise UsageFileError(f"{where}.results: expected a list")
    for r, result in enumerate(results):
        at = f"{where}.results[{r}]"
        if not isinstance(result, Mapping):
            raise UsageFileError(f"{at}: expected an object")
        if not result.get("model"):
            raise UsageFileError(f"{at}: no model (export the usage grouped by model)")
        yield at, result


def _field(where: str, fields_: Mapping, name: str) -> int:
    value = fields_.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageFileError(f"{where}.{name}: not a whole number ({value!r})")
    return _in_range(f"{where}.{name}", "tokens", value)


def _openai_buckets(path: Path, pages: list, span: list[date]) -> Iterator[UsageDay]:
    for where, bucket, day in _buckets(path, pages, "start_time"):
        span.append(day)
        for at, r in _results(where, bucket):
            tier = "batch" if r.get("batch") is True else _tier(at, str(r.get("service_tier") or "standard"))
            usage = UsageDay(
                day,
                str(r["model"]),
                tier,
                _field(at, r, "input_tokens"),
                _field(at, r, "output_tokens"),
                _field(at, r, "input_cached_tokens"),
                requests=_field(at, r, "num_model_requests"),
            )
            yield _checked(at, usage)


def _anthropic_buckets(path: Path, pages: list, span: list[date]) -> Iterator[UsageDay]:
    for where, bucket, day in _buckets(path, pages, "starting_at"):
        span.append(day)
        for at, r in _results(where, bucket):
            creation = r.get("cache_creation") or {}
            if not isinstance(creation, Mapping):
                raise UsageFileError(f"{at}.cache_creation: expected an object")
            write_5m = _field(f"{at}.cache_creation", creation, "ephemeral_5m_input_tokens")
            write_1h = _field(f"{at}.cache_creation", creation, "ephemeral_1h_input_tokens")
            read = _field(at, r, "cache_read_input_tokens")
            uncached = _field(at, r, "uncached_input_tokens")
            tier = _tier(at, str(r.get("service_tier") or "standard"))
            yield UsageDay(
                day,
                str(r["model"]),
                tier,
                uncached + read + write_5m + write_1h,
                _field(at, r, "output_tokens"),
                read,
                write_5m,
                write_1h,
            )
