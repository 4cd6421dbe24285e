"""gzip decoded chunk by chunk against a size cap, so a small bomb never inflates past it.

Shared by the registry's two readers of compressed bytes: a fetched body (``registry_fetch``) and a local
``.json.gz`` copy (``registry_copies``). Each turns ``GzipError`` into its own one-line error.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable


class GzipError(ValueError):
    """The stream inflates past the cap, is corrupt, or ends early; the message says which."""


class Inflater:
    """Decodes one gzip stream (or several concatenated members) fed in chunks, at most ``max_bytes`` out."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> bytes:
        """The bytes ``chunk`` inflates to; ``GzipError`` once the total would pass the cap."""
        out = bytearray()
        while chunk:
            try:
                out += self._decoder.decompress(chunk, self._room(out))
                while self._decoder.unconsumed_tail and self._room(out) > 0:
                    out += self._decoder.decompress(self._decoder.unconsumed_tail, self._room(out))
            except zlib.error as exc:
                raise GzipError(f"the gzip data is corrupt ({exc})") from None
            if self._room(out) <= 0:
                raise GzipError(f"larger than {self.max_bytes / (1 << 20):g} MiB once decompressed, refused")
            chunk = self._decoder.unused_data if self._decoder.eof else b""
            if chunk:  # another gzip member follows
                self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.size += len(out)
        return bytes(out)

    def _room(self, out: bytearray) -> int:
        """How many more bytes may come out, plus one (to see a stream that passes the cap)."""
        return self.max_bytes + 1 - self.size - len(out)

    def finish(self) -> None:
        """``GzipError`` when the stream stopped before its end."""
        if not self._decoder.eof:
            raise GzipError("the gzip data is truncated")


def gunzip(chunks: Iterable[bytes], max_bytes: int) -> bytes:
    """The whole inflated stream of ``chunks``, at most ``max_bytes``."""
    inflater = Inflater(max_bytes)
    out = bytearray()
    for chunk in chunks:
        out += inflater.feed(chunk)
    inflater.finish()
    return bytes(out)
