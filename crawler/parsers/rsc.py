"""Next.js App Router RSC payloads: decode ``self.__next_f.push([1,"..."])`` chunks and find JSON in them.

Sites such as mistral.ai and cohere.com render prices client-side from this payload, so the visible markup
holds no parseable prices. The payload is a stream of rows ``<hex id>:<JSON>`` split across many string
chunks; the chunks are JSON string literals, so ``json.loads`` decodes each one exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

_PUSH = re.compile(r'self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\.)*")\s*\]\)', re.S)
_ROW = re.compile(r"^([0-9a-fA-F]+):(.*)$")


def decode_chunks(html: str) -> list[str]:
    """Every string chunk pushed to ``self.__next_f``, decoded, in page order."""
    return [json.loads(m.group(1)) for m in _PUSH.finditer(html)]


def payload_text(html: str) -> str:
    """The whole RSC stream (all chunks joined); rows may span chunks, so join before parsing."""
    return "".join(decode_chunks(html))


def iter_rows(text: str) -> Iterator[tuple[str, Any]]:
    """``(row id, decoded JSON)`` for every row of the stream whose payload is JSON.

    Non-JSON rows (``I[...]`` module refs, ``T`` text rows, ``HL`` hints) are skipped.
    """
    for line in text.split("\n"):
        m = _ROW.match(line)
        if not m or m.group(2)[:1] not in '[{"':
            continue
        try:
            yield m.group(1), json.loads(m.group(2), parse_float=Decimal)
        except json.JSONDecodeError:
            continue


def iter_json_values(text: str) -> Iterator[Any]:
    """Every JSON value in the stream: rows first; a bare JSON chunk (no row id, as in excerpts) too."""
    found = False
    for _, value in iter_rows(text):
        found = True
        yield value
    if not found:
        decoder = json.JSONDecoder(parse_float=Decimal)
        stripped = text.strip()
        if stripped[:1] in "[{":
            try:
                yield decoder.raw_decode(stripped)[0]
            except json.JSONDecodeError:
                return


def find_objects(value: Any, keys: Iterable[str]) -> Iterator[dict]:
    """Depth-first, every dict inside ``value`` that has all of ``keys``."""
    wanted = set(keys)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if wanted <= node.keys():
                yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def objects_with(html_or_text: str, keys: Iterable[str]) -> list[dict]:
    """All dicts with ``keys`` anywhere in the page's RSC payload (pass HTML or already-joined text)."""
    text = payload_text(html_or_text) if "self.__next_f" in html_or_text else html_or_text
    keys = tuple(keys)
    out: list[dict] = []
    for value in iter_json_values(text):
        out.extend(find_objects(value, keys))
    return out


def rsc_string(value: str) -> str:
    """Undo the RSC escape of a string starting with ``$``: ``"$$1.5"`` is the literal ``"$1.5"``."""
    return value[1:] if value.startswith("$$") else value
