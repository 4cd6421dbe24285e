"""Successive copies of LiteLLM's registry -> what each one changed, parsing only the entries that changed.

A copy is cut into pieces (``litellm_pieces``), each the text of one entry (or of a few where the layout hides a
boundary). A piece whose text equals one of the previous copy's needs no parsing: the keys it holds are known.
A key's value is that of its last copy in the file (``json.loads`` keeps the last), so a key changed when the
piece holding its last copy is not the one that held it in the previous copy: the text changed, or a duplicate
of the key came or went. A piece that did not change but now holds a key's winning copy is parsed then.

A long backfill reads thousands of copies of thousands of entries, so the common case (a piece found again) is
left to C: one dictionary lookup per piece, and the winners of a copy are one ``dict(zip(keys, pieces))``.

A new process has no previous copy in memory: it starts from the digests the warehouse keeps of the previous
copy (``RegistryRead.digests``), one per key, of the piece holding its last copy when that piece held only that
key (else None: read again); its first copy's pieces are then found by their digests.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, repeat

from .litellm import EntryReport, RegistryUnreadable, entry_rows
from .litellm_pieces import candidate_parts, member_text, parse_members, parse_object

# The pieces of a copy in order: their texts and, for each, the keys it holds (in order, repeats kept).
_Pieces = tuple[list[bytes], list[tuple[str, ...]]]
_JOINED = ("(joined to the piece before)",)  # the keys of a part joined to the piece before it


@dataclass
class RegistryRead:
    """What one copy says relative to the copy read before it."""

    changed: ChangedEntries  # new or changed key -> the rows of its entry, each with its origin (``entry_rows``)
    vanished: set[str]  # keys the previous copy held and this one does not
    digests: dict[str, str | None]  # each changed key -> digest of the piece it was read from, None: read again


class RegistryReader:
    """Reads successive copies of the registry, each relative to the one read before (the first: to nothing)."""

    def __init__(
        self, digests: dict[str, str | None] | None = None, salt: bytes = b"", parsed_limit: int | None = None
    ):
        """``digests``: the previous copy's, as kept by the warehouse (none: the first copy is read whole).
        ``salt`` goes into every digest: digests made by other rules for turning an entry into rows are stale.
        ``parsed_limit``: a copy with more new pieces than this keeps none of them parsed (each is parsed again
        when its rows are asked for), so a huge copy never holds all its entries parsed at once."""
        self._parsed_limit = parsed_limit
        self._keep_parsed = True
        self._salt = hashlib.md5(salt, usedforsecurity=False)
        # Of the previous copy: the keys of each piece by its text (but the last piece's, which alone has no comma
        # after it), its last piece, each key's winning piece text, and the texts that were no complete piece.
        # Started from digests, pieces and winners are known by their digests until the first copy is read.
        self._by_digest = bool(digests)
        self._known: dict = {d: (k,) for k, d in (digests or {}).items() if d is not None}
        self._last: tuple[bytes, tuple[str, ...]] = (b"", ())
        self._winners: dict = dict(digests or {})
        self._incomplete: set[bytes] = set()
        self._fresh: dict[bytes, tuple[str, ...]] = {}  # pieces (but the last) first parsed in the copy being read
        self._digests: dict[bytes, str] = {}  # digests computed for the copy being read

    def digest(self, text: bytes) -> str:
        """The digest of a piece's text (salted)."""
        if text not in self._digests:
            h = self._salt.copy()
            h.update(text)
            self._digests[text] = h.hexdigest()
        return self._digests[text]

    def _ident(self, text: bytes):
        """What the previous copy's pieces are known by: their texts, or their digests."""
        return self.digest(text) if self._by_digest else text

    def read(self, raw: bytes, label: str, report: EntryReport) -> RegistryRead:
        """The keys whose entry is new or changed (with their rows) and the keys that vanished; duplicates are
        noted in ``report`` (the last copy wins)."""
        parsed: dict[bytes, dict] = {}  # text -> {key: value} of each piece parsed for this copy
        texts, keys = self._cut(raw, parsed) or self._whole(raw, label, parsed)
        flat = list(chain.from_iterable(keys))
        owners = texts if len(flat) == len(texts) else chain.from_iterable(map(repeat, texts, map(len, keys)))
        winners = dict(zip(flat, owners, strict=True))
        if len(winners) < len(flat):
            report.duplicate_keys.extend(k for k, n in Counter(flat).items() for _ in range(n - 1))
        previous = self._winners
        if self._by_digest:
            stale = [k for k, text in winners.items() if previous.get(k) != self.digest(text)]
        else:
            stale = _in_order(winners, {k for k, _ in winners.items() - previous.items()})
        changed = ChangedEntries(stale, winners, parsed, texts[-1], report)
        vanished = previous.keys() - winners.keys()
        if self._by_digest:
            self._known = dict(zip(texts[:-1], keys[:-1], strict=True))
        else:  # a piece's keys follow from its text: texts of older copies stay valid
            self._known.update(self._fresh)
        self._fresh = {}
        self._last, self._winners, self._by_digest = (texts[-1], keys[-1]), winners, False
        digests = {key: self._kept_digest(winners[key]) for key in stale}
        self._digests = {}
        return RegistryRead(changed, vanished, digests)

    def _kept_digest(self, text: bytes) -> str | None:
        """The digest the warehouse keeps for a key whose winning piece is ``text``: None unless the piece holds
        that key alone and a comma follows it (the last piece is always read again)."""
        keys = self._known.get(text)
        return self.digest(text) if keys is not None and len(keys) == 1 else None

    def _cut(self, raw: bytes, parsed: dict[bytes, dict]) -> _Pieces | None:
        """The pieces of ``raw``; None if it does not cut (then it is read whole)."""
        cut = candidate_parts(raw)
        if cut is None:
            return None
        parts, sep = cut
        keys = list(map(self._known.get, map(self.digest, parts) if self._by_digest else parts))
        keys[-1] = None  # the last part must have no comma after it: always looked at
        self._keep_parsed = self._parsed_limit is None or keys.count(None) <= self._parsed_limit
        incomplete: set[bytes] = set()
        joined = False
        end = -1
        for start in [i for i, k in enumerate(keys) if k is None]:
            if start <= end:  # joined to the piece before
                continue
            end, text, keys[start] = self._piece(parts, start, sep, parsed, incomplete)
            if text is None:
                return None
            parts[start] = text
            for i in range(start + 1, end + 1):
                keys[i], joined = _JOINED, True
        self._incomplete = incomplete
        if joined:
            parts = [text for text, k in zip(parts, keys, strict=True) if k is not _JOINED]
            keys = [k for k in keys if k is not _JOINED]
        return parts, keys

    def _piece(self, parts, start, sep, parsed, incomplete) -> tuple[int, bytes | None, tuple[str, ...] | None]:
        """``(index of its last part, text, keys)`` of the piece that begins with ``parts[start]``, joining the
        parts after it until it is complete; text None when no complete piece begins there."""
        last = len(parts) - 1
        text = parts[start]
        for end in range(start, last + 1):
            if end > start:
                text = text + sep + parts[end]
            members = member_text(text, end == last)
            if members is None:
                continue
            if end == last and text == self._last[0]:
                return end, self._last[0], self._last[1]
            known = self._known.get(self._ident(text)) if end < last else None
            if known is not None:
                return end, text, known
            pairs = None if text in self._incomplete else parse_members(members)
            if pairs is None:
                incomplete.add(text)
                continue
            if self._keep_parsed:
                parsed[text] = dict(pairs)
            keys = tuple(k for k, _ in pairs)
            if end < last:
                self._fresh[text] = keys
            return end, text, keys
        return last, None, None

    def _whole(self, raw: bytes, label: str, parsed: dict[bytes, dict]) -> _Pieces:
        """The whole file as one piece (a file that does not cut, or does not parse: then the error says why)."""
        if raw == self._last[0]:
            return [self._last[0]], [self._last[1]]
        try:
            pairs = parse_object(raw)
        except ValueError as exc:
            raise RegistryUnreadable(f"{label}: not valid JSON ({exc})") from None
        if pairs is None:
            raise RegistryUnreadable(f"{label}: the registry must be a JSON object of model entries")
        parsed[raw] = dict(pairs)
        return [raw], [tuple(k for k, _ in pairs)]


class ChangedEntries(Mapping):
    """The new or changed keys of a copy, in its order -> the rows of each entry, made when asked for: a large
    copy is turned into rows slice by slice, never all at once. The first rows made of a key note what they
    found (skipped values, unknown fields) in the copy's report; asking again notes nothing twice."""

    def __init__(self, keys: list[str], winners: dict, parsed: dict[bytes, dict], last: bytes, report: EntryReport):
        self._keys = dict.fromkeys(keys)
        self._winners, self._parsed, self._last, self._report = winners, parsed, last, report
        self._reported: set[str] = set()

    def __getitem__(self, key: str) -> list:
        if key not in self._keys:
            raise KeyError(key)
        text = self._winners[key]
        members = self._parsed.get(text)
        if members is None:  # not kept parsed, or an unchanged piece that now holds the key's winning copy
            members = dict(parse_members(member_text(text, text is self._last)))
        report = EntryReport() if key in self._reported else self._report
        self._reported.add(key)
        return entry_rows(key, members[key], report)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _in_order(winners: dict[str, bytes], keys: set[str]) -> list[str]:
    """``keys`` in the order of the copy (of ``winners``); the set difference that finds them is done in C."""
    if len(keys) * 8 > len(winners):
        return [k for k in winners if k in keys]
    order = list(winners)
    return sorted(keys, key=order.index)
