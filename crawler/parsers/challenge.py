"""Recognise bot-challenge pages (Cloudflare and similar) so they fail the source instead of parsing empty."""

from __future__ import annotations

import re

# Markers of challenge interstitials; each is specific to a challenge body, not to a page that merely
# loads a CDN script. Checked on the first 64 KB, where challenge pages put them.
_MARKERS = re.compile(
    rb"challenge-platform/|cf-chl-|cf_chl_opt|Enable JavaScript and cookies to continue|"
    rb"<title>\s*Just a moment\.\.\.\s*</title>|Attention Required! \| Cloudflare|"
    rb"px-captcha|_Incapsula_Resource|captcha-delivery\.com",
    re.I,
)


def challenge_marker(body: bytes) -> str | None:
    """The challenge marker found in ``body``, or None when the body looks like a real page."""
    m = _MARKERS.search(body[:65536])
    return m.group(0).decode("ascii", "replace") if m else None
