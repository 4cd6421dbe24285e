"""File names for model pages: safe on any file system and unique per model id.

A model id can hold anything a registry or a page wrote: slashes, dots, colons, markup, unicode, and ids that
differ only in case (``acme/Model`` and ``acme/model``). The name is a readable ASCII slug plus a hash of the
exact id, so two ids never share a file even on a case-insensitive file system.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_SLUG_MAX = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by ``-`` (accents dropped, everything else a separator)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:_SLUG_MAX].strip("-") or "model"


def page_names(ids: Iterable[str], digits: int = 10) -> dict[str, str]:
    """``{id: file name}``, each ``<slug>-<hash>.html``; a (vanishingly rare) hash clash lengthens the hash."""
    ids = sorted(set(ids))
    for size in range(digits, 65, 6):
        names = {i: f"{slug(i)}-{hashlib.sha256(i.encode('utf-8')).hexdigest()[:size]}.html" for i in ids}
        if len({n.lower() for n in names.values()}) == len(names):
            return names
    raise ValueError("model ids whose hashes clash in full")  # pragma: no cover - sha256 has no known clash
