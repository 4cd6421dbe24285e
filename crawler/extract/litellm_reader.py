"""Successive copies of LiteLLM's registry -> what each one changed, parsing only the entries that changed.

A copy is cut into pieces (``litellm_pieces``), each the text of one entry (or of a few where the layout hides a
boundary). A piece whose text equals one of the previous copy's needs no parsing: the keys it holds are known.
A key's value is that of its last copy in the file (``json.loads`` keeps the last), so a key changed when the
piece holding its last copy is not the one that held it in the previous copy: the text changed, or a duplicate
of the key came or went. A piece that did not change but now holds a key's winning copy is parsed then.
"""

from __future__ import annotations

from dataclasses import dataclass

from .litellm import EntryReport, RegistryUnreadable, entry_rows
from .litellm_pieces import candidate_parts, member_text, parse_members, parse_object

# A piece: (text, keys it holds in order, {key: value} when parsed for this copy else None)
_Piece = tuple[bytes, tuple[str, ...], dict | None]


@dataclass
class RegistryRead:
    """What one copy says relative to the copy read before it."""

    changed: dict[str, list]  # new or changed key -> the rows of its entry, each with its origin (``entry_rows``)
    vanished: set[str]  # keys the previous copy held and this one does not


class RegistryReader:
    """Reads successive copies of the registry, each relative to the one read before (the first: to nothing)."""

    def __init__(self):
        # Of the previous copy: each piece's text -> (that text, the keys it holds), and each key -> the text of
        # the piece holding its last copy. A piece found again reuses the previous text object, so a key whose
        # winning piece did not change is found by identity.
        self._known: dict[bytes, _Piece] = {}
        self._winners: dict[str, bytes] = {}
        self._incomplete: set[bytes] = set()  # texts that were no complete members in the previous copy

    def read(self, raw: bytes, label: str, report: EntryReport) -> RegistryRead:
        """The keys whose entry is new or changed (with their rows) and the keys that vanished; duplicates are
        noted in ``report`` (the last copy wins)."""
        pieces = self._cut(raw) or self._whole(raw, label)
        winners: dict[str, _Piece] = {}
        for piece in pieces:
            for key in piece[1]:
                if key in winners:
                    report.duplicate_keys.append(key)
                winners[key] = piece
        previous = self._winners
        changed: dict[str, list] = {}
        for key, (text, _, members) in winners.items():
            if previous.get(key) is not text:
                if members is None:  # an unchanged piece that now holds the winning copy
                    members = dict(parse_members(text))
                changed[key] = entry_rows(key, members[key], report)
        vanished = previous.keys() - winners.keys()
        self._known = {piece[0]: piece for piece in pieces}
        self._winners = {key: piece[0] for key, piece in winners.items()}
        return RegistryRead(changed, vanished)

    def _cut(self, raw: bytes) -> list[_Piece] | None:
        """The pieces of ``raw``, parsing only texts the previous copy did not hold; None if it does not cut."""
        cut = candidate_parts(raw)
        if cut is None:
            return None
        parts, sep = cut
        pieces: list[_Piece] = []
        incomplete: set[bytes] = set()
        pending = None
        last = len(parts) - 1
        for i, part in enumerate(parts):
            pending = part if pending is None else pending + sep + part
            text = member_text(pending, i == last)
            if text is None:
                continue
            known = self._known.get(text)
            if known is not None:
                pieces.append((known[0], known[1], None))
            else:
                members = None if text in self._incomplete else parse_members(text)
                if members is None:
                    incomplete.add(text)
                    continue
                pieces.append((text, tuple(k for k, _ in members), dict(members)))
            pending = None
        self._incomplete = incomplete
        return pieces if pending is None else None

    def _whole(self, raw: bytes, label: str) -> list[_Piece]:
        """The whole file as one piece (a file that does not cut, or does not parse: then the error says why)."""
        known = self._known.get(raw)
        if known is not None:
            return [(known[0], known[1], None)]
        try:
            members = parse_object(raw)
        except ValueError as exc:
            raise RegistryUnreadable(f"{label}: not valid JSON ({exc})") from None
        if members is None:
            raise RegistryUnreadable(f"{label}: the registry must be a JSON object of model entries")
        return [(raw, tuple(k for k, _ in members), dict(members))]
