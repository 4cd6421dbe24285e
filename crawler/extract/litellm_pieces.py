"""A registry file cut into pieces at its top-level keys, whatever the spelling, so that the text of an entry
can be compared with the previous copy's before (and instead of) parsing it.

LiteLLM's file is one JSON object written with 4-space indentation, but not always the same way: a key may be
followed by ``":{`` or ``" : {``, indented by 0, 3, 5 or 6 spaces, hold escaped characters, or (in a compact
file) share a line with everything else. The cut needs none of that to be regular:

- In an indented file a *candidate* boundary is a line break, the indentation of the first key, and a quote
  (a JSON string never holds a raw line break, so this is always between values). In a compact file it is a
  ``}``, a comma and a quote.
- A candidate can fall inside an entry (a nested key at that indentation) and a boundary can be missed (a key
  indented otherwise): a piece counts only once its text parses as complete members (``"key": value, ...``)
  followed by a comma (none after the last), else the next candidate's text is joined to it. So a piece is one
  entry, or a few where the layout hides a boundary, and a file reads piece by piece exactly as it reads whole.

Parsing is exact: numbers (and NaN/Infinity) become ``Decimal`` from their text; nested objects keep the last
copy of a repeated key (as ``json.loads`` does) while the members of a piece keep every key in order, so a
duplicate entry is seen.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

_COMPACT_BOUNDARY = re.compile(rb'(\}\s*,\s*)"')


def candidate_parts(raw: bytes) -> tuple[list[bytes], bytes] | None:
    """``(parts, sep)`` with ``sep.join(parts)`` the text of the object after its first key's opening quote, cut at
    each candidate boundary; None when the text is no non-empty object."""
    body = raw.strip()
    if body[:1] != b"{" or body[-1:] != b"}":
        return None
    inner = body[1:-1]
    quote = inner.find(b'"')
    if quote < 0 or inner[:quote].strip():
        return None
    lead, text = inner[:quote], inner[quote + 1 :]
    line = lead.rfind(b"\n")
    if line >= 0:
        sep = lead[line:] + b'"'
        return text.split(sep), sep
    chunks = _COMPACT_BOUNDARY.split(text)
    parts = [part + glue for part, glue in zip(chunks[0::2], chunks[1::2], strict=False)]
    parts.append(chunks[-1])
    return parts, b'"'


def member_text(part: bytes, last: bool) -> bytes | None:
    """The members a part may hold (its text without the comma that must follow it, unless it is the last
    part); None when the comma is missing or surplus."""
    text = part.rstrip()
    if text.endswith(b","):
        return None if last else text[:-1]
    return text if last else None


def parse_members(text: bytes) -> list[tuple[str, object]] | None:
    """The members of ``text`` (after the opening quote of its first key) in order, repeated keys kept; None
    when ``text`` is not exactly a list of complete members."""
    try:
        return parse_object(b'{"' + text + b"}")
    except ValueError:  # (UnicodeDecodeError is one)
        return None


def parse_object(raw: bytes) -> list[tuple[str, object]] | None:
    """The members of a JSON object in order, repeated keys kept; None when ``raw`` is JSON but no object,
    ``ValueError`` when it is no JSON."""
    closed: list = [None]

    def keep(pairs: list) -> dict:
        closed[0] = pairs  # the outermost object is the last one to close
        return dict(pairs)

    value = json.loads(raw, parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal, object_pairs_hook=keep)
    return closed[0] if isinstance(value, dict) else None
