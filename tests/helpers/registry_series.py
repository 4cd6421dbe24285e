"""A synthetic daily series of registry copies written the way the real ones are, and an independent diff.

``synthesize`` grows a daily series from a real copy (``shared/litellm-registry``) with change rates like
LiteLLM's own history, and writes each copy with the oddities the 124 real copies show: keys spelt
``"key":{``, ``"key" : {``, or with the colon on the next line; keys indented by 0, 3, 5 or 6 spaces
instead of 4; a space after an entry's brace; escaped characters in keys (``\\/``, ``\\u00e9``, ``\\"``);
duplicate keys that come and go with other prices (the last copy wins); and numbers written ``0.000003``,
``3e-06``, ``3e-6`` or ``3E-06`` (the whole file flips from decimal to exponent style one day, as the real one
did on 2025-06-01). The backfill benchmark measures on it; the tests check the incremental reader on it.

``independent_changelog`` is the changelog a whole-file diff gives: stdlib ``json.loads`` of every copy (the
last duplicate wins), each entry whose value changed normalised with the importer's own rules, and its rows
compared with the previous copy's. ``warehouse_changelog`` reads the loader's changelog in the same shape.
"""

from __future__ import annotations

import copy
import gzip
import itertools
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from aiprices.crawler.extract.litellm import SOURCE, EntryReport, entry_rows
from aiprices.pipeline.rows import stage_rows
from aiprices.warehouse.contract import IDENTITY_COLUMNS

START = date(2023, 11, 1)
KEY_SPELLINGS = ("tight", "spaced", "two_lines", "indent0", "indent3", "indent5", "indent6", "brace_space", "escaped")
NUMBER_STYLES = ("exponent", "short_exponent", "upper_exponent")
# Keys with characters JSON escapes, added to the series on its first day.
ESCAPED_KEYS = ("synthetic/modèle-é", 'synthetic/say "hi"', "synthetic/back\\slash", "synthetic/tab\there")


def read_copy(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


@dataclass
class _Layout:
    """How each entry is written: its key's spelling, its numbers' style, and the duplicates in the file."""

    spelling: dict[str, str] = field(default_factory=dict)  # key -> one of KEY_SPELLINGS (absent: plain)
    numbers: dict[str, str] = field(default_factory=dict)  # key -> one of NUMBER_STYLES (after the flip)
    duplicates: list[tuple[str, dict, str]] = field(default_factory=list)  # (key, value, written after key)
    decimal_style: bool = True  # before the flip every number is written 0.000003


def synthesize(days: int, out: Path, base: Path, *, seed: int = 7, entries: int | None = None) -> None:
    """Write ``days`` daily copies ``YYYY-MM-DD.json`` under ``out``, grown from the real copy ``base`` (its
    first ``entries`` entries when given).

    Per day: a file edit on 70% of days; ~0.5 price changes (about one in ten of them a 1000x correction);
    ~2 new models; ~1 non-price field edit; removals of ~100 entries on 1% of days; an entry that vanishes and
    returns now and then; a key re-spelt on 10% of days; a duplicate added on 3% and one dropped on 5%.
    """
    rng = random.Random(seed)
    registry = {k: v for k, v in json.loads(read_copy(base)).items() if isinstance(v, dict)}
    if entries is not None:
        registry = dict(list(registry.items())[:entries])
    for key in ESCAPED_KEYS:
        registry[key] = copy.deepcopy(registry[rng.choice(list(registry))])
    layout = _Layout()
    odd = rng.sample(list(registry), max(len(KEY_SPELLINGS), len(registry) // 100))
    layout.spelling.update(zip(odd, itertools.cycle(KEY_SPELLINGS)))
    for key in rng.sample(list(registry), len(registry) // 20):
        layout.numbers[key] = rng.choice(NUMBER_STYLES)
    parked: dict = {}
    out.mkdir(parents=True, exist_ok=True)
    for i in range(days):
        if i and rng.random() < 0.7:
            _edit(rng, registry, parked, i)
            _relayout(rng, registry, layout)
        layout.decimal_style = i < days * 0.4
        (out / f"{START + timedelta(days=i)}.json").write_text(render(registry, layout))


def _edit(rng: random.Random, registry: dict, parked: dict, day: int) -> None:
    keys = list(registry)
    for _ in range(_poisson(rng, 0.5)):
        entry = registry[rng.choice(keys)]
        fields = [f for f, v in entry.items() if "cost" in f and isinstance(v, float | int) and not isinstance(v, bool)]
        if fields:
            f = rng.choice(fields)
            factor = 1000 if rng.random() < 0.1 else rng.choice((0.5, 0.8, 0.9, 1.1, 1.25, 2))
            entry[f] = float(f"{entry[f] * factor:.6g}") or 1e-06
    for _ in range(_poisson(rng, 2)):
        registry[f"synthetic/model-{day}-{rng.randrange(10**6)}"] = copy.deepcopy(registry[rng.choice(keys)])
    registry[rng.choice(keys)]["max_tokens"] = rng.choice((4096, 8192, 16384, 32768))
    if rng.random() < 0.01:
        for k in rng.sample(keys, min(100, len(keys) // 10)):
            registry.pop(k, None)
    if rng.random() < 0.05 and registry:
        k = rng.choice(list(registry))
        parked[k] = registry.pop(k)
    if parked and rng.random() < 0.05:
        k, v = parked.popitem()
        registry[k] = v


def _relayout(rng: random.Random, registry: dict, layout: _Layout) -> None:
    keys = list(registry)
    if rng.random() < 0.1:
        key = rng.choice(keys)
        if layout.spelling.pop(key, None) is None:
            layout.spelling[key] = rng.choice(KEY_SPELLINGS)
    if rng.random() < 0.03:
        key = rng.choice(keys)
        dupe = copy.deepcopy(registry[key])
        prices = [f for f, v in dupe.items() if "cost" in f and isinstance(v, float) and v]
        if prices:
            dupe[prices[0]] = float(f"{dupe[prices[0]] * 0.75:.6g}")
        layout.duplicates.append((key, dupe, rng.choice(keys)))
    if layout.duplicates and rng.random() < 0.05:
        layout.duplicates.pop(rng.randrange(len(layout.duplicates)))


def render(registry: dict, layout: _Layout) -> str:
    """One copy's text: 4-space JSON like LiteLLM's, with ``layout``'s oddities."""
    after: dict[str, list[tuple[str, dict]]] = {}
    for key, value, anchor in layout.duplicates:
        after.setdefault(anchor if anchor in registry else "", []).append((key, value))
    lines = []
    for key, value in registry.items():
        lines.append(_entry(key, value, layout))
        lines.extend(_entry(k, v, layout) for k, v in after.get(key, ()))
    lines.extend(_entry(k, v, layout) for k, v in after.get("", ()))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _entry(key: str, value: dict, layout: _Layout) -> str:
    style = "decimal" if layout.decimal_style else layout.numbers.get(key, "exponent")
    body = _value(value, "    ", style)
    spelt = json.dumps(key)
    spelling = layout.spelling.get(key, "plain")
    if spelling == "escaped":
        spelt = json.dumps(key).replace("/", "\\/")
    if spelling == "brace_space":
        body = "{ " + body[1:]
    if spelling.startswith("indent"):
        return " " * int(spelling[-1]) + f"{spelt}: {body}"
    colon = {"tight": ":", "spaced": " : ", "two_lines": "\n    : "}.get(spelling, ": ")
    return f"    {spelt}{colon}{body}"


def _value(value, pad: str, style: str) -> str:
    inner = pad + "    "
    if isinstance(value, dict) and value:
        items = (f"{inner}{json.dumps(k)}: {_value(v, inner, style)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(inner + _value(v, inner, style) for v in value) + "\n" + pad + "]"
    if isinstance(value, float):
        return _number(value, style)
    return json.dumps(value)


def _number(value: float, style: str) -> str:
    text = repr(value)
    if style == "decimal":
        return format(Decimal(text), "f")
    if style == "short_exponent":
        return re.sub(r"e([-+])0(\d)", r"e\1\2", text)
    if style == "upper_exponent":
        return text.upper()
    return text


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, pow(2.718281828, -lam)
    while True:
        p *= rng.random()
        if p < limit:
            return n
        n += 1


def independent_changelog(folder: Path) -> Counter:
    """``(day, source_model_key, identity..., kind, old, new)`` rows of a whole-file diff of every dated copy."""
    previous: dict = {}
    current_rows: dict[str, dict[tuple, tuple[str, Decimal]]] = {}
    log: Counter = Counter()
    for path in sorted(folder.iterdir()):
        day = path.name[:10]
        copy_ = json.loads(read_copy(path), parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal)
        keys = [k for k, v in copy_.items() if previous.get(k) != v] + [k for k in previous if k not in copy_]
        for key in keys:
            new = _rows(key, copy_[key]) if key in copy_ else {}
            old = current_rows.pop(key, {})
            for ident in old.keys() | new.keys():
                before, after = old.get(ident), new.get(ident)
                if before != after:
                    kind = "added" if before is None else "removed" if after is None else "changed"
                    log[(day, *ident, kind, before and before[1], after and after[1])] += 1
            if new:
                current_rows[key] = new
        previous = copy_
    return log


def _rows(key: str, entry) -> dict[tuple, tuple[str, Decimal]]:
    staged = stage_rows(entry_rows(key, entry, EntryReport()), source=SOURCE, source_url="", rejected=[])
    return {tuple(row[c] for c in IDENTITY_COLUMNS): (row["currency"], row["price"]) for row in staged}


def warehouse_changelog(con) -> Counter:
    """The loader's changelog of the registry in ``independent_changelog``'s shape."""
    rows = con.execute(
        f"SELECT changed_at::DATE::VARCHAR, {', '.join(IDENTITY_COLUMNS)}, kind, old_price, new_price "
        "FROM changes WHERE source = ?",
        [SOURCE],
    ).fetchall()
    return Counter(rows)
