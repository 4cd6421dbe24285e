"""Astro islands: the props a server-rendered component hydrates from (``<astro-island props="...">``).

A component that renders only part of its data (a table collapsed behind an "All models" button) still
carries all of it in its props. Astro serialises every value as ``[type, value]``: 0 a plain value (an
object's members are serialised in turn), 1 an array of serialised values; the other types (dates, maps,
regexps, ...) are kept as written. Numbers are read as ``Decimal``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml.etree import _Element


@dataclass
class Island:
    """One ``astro-island``: its element, the component's export name and its decoded props."""

    el: _Element
    component: str
    props: dict


def decode(value: Any) -> Any:
    """A serialised Astro prop value as plain Python (``[0, 5]`` -> 5, ``[1, [[0, "a"]]]`` -> ["a"])."""
    if isinstance(value, list) and value and value[0] == 1 and len(value) == 2:
        return [decode(v) for v in value[1]]
    if isinstance(value, list) and value and value[0] == 0:
        return _plain(value[1]) if len(value) == 2 else None
    if isinstance(value, list) and len(value) == 2:
        return value[1]
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def islands(root: _Element) -> list[Island]:
    """Every island with JSON props, in document order (an island whose props do not parse is skipped)."""
    found = []
    for el in root.iter("astro-island"):
        try:
            raw = json.loads(el.get("props") or "{}", parse_float=Decimal)
        except ValueError:
            continue
        found.append(Island(el, el.get("component-export") or "", _plain(raw)))
    return found
