"""One extraction vocabulary: a page's price label -> (price_key, unit, tier, context band).

Vendors write the same price many ways ("Cached input", "Cache Hit", "cache hits & refreshes",
"缓存命中"; "Batch Input"; "Long context / Output"; "Input audio ($/sec)"). Every extractor asks
``meaning(label, source)`` instead of keeping its own map. A label is read word by word: the price (input,
output, cache read/write, training, storage), a medium (audio / image / video, unless the label lists text
first), a tier word (batch, flex, priority), a context band ("long context", "> 200K", "short context") and a
unit ("$/M char", "per image", "/min", ...; per 1M tokens when none is named). A vendor's own label that the
words cannot say (OpenAI's "Price per second", Mistral's "Call") is an entry of ``OVERRIDES`` for that source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKENS = "per_1m_tokens"


@dataclass(frozen=True)
class Meaning:
    """What a price label says. ``tier``/``context`` are None when the label does not name them (the table
    does); ``long_context`` is a long-context band whose threshold the page states elsewhere."""

    key: str
    unit: str = TOKENS
    tier: str | None = None
    context: int | None = None
    long_context: bool = False
    variant: str = ""


_UNITS = (
    (re.compile(r"\$/m char|1m char|million char"), "per_1m_characters"),
    (re.compile(r"per frame"), "per_frame"),
    (re.compile(r"\$/image|per image"), "per_image"),
    (re.compile(r"\$/sec|per second"), "per_second"),
    (re.compile(r"/\s?min\b|per minute"), "per_minute"),
    (re.compile(r"/\s?hour\b|per hour"), "per_hour"),
    (re.compile(r"\b1k tokens|1,000 tokens"), "per_1k_tokens"),
)
_BASES = (
    (re.compile(r"training|tuning"), "training"),
    (re.compile(r"\bstorage\b"), "cache_storage"),
    (re.compile(r"\b1h\b.*cache write|cache write.*\b1h\b"), "cache_write_1h"),
    (re.compile(r"cache write"), "cache_write"),
    (re.compile(r"cache hit|cached input|cache read|context caching|缓存命中"), "cache_read"),
    (re.compile(r"cache miss|缓存未命中"), "input"),
    (re.compile(r"output|generation|输出"), "output"),
    (re.compile(r"input|\bcost\b|输入"), "input"),
)
_MEDIA = re.compile(r"\b(text|audio|image|video)s?\b")
_TIER = re.compile(r"\b(batch|flex|priority)\b")
_ABOVE = re.compile(r">\s*(\d+)\s*k\b")
_SHORT = re.compile(r"short context|(?:<=|≤|=<)\s*\d+\s*k\b")
_IMAGE_SIZE = re.compile(r"^\d+\s*x\s*\d+$")
_NOISE = re.compile(r"[*†‡]+|\[\d+\]")
# Keys that take a medium suffix, and the suffixed keys the schema has.
_MEDIA_KEYS = {
    ("input", "audio"): "input_audio",
    ("input", "image"): "input_image",
    ("input", "video"): "input_video",
    ("output", "audio"): "output_audio",
    ("output", "image"): "output_image",
    ("output", "video"): "output_video",
    ("cache_read", "audio"): "cache_read_audio",
    ("cache_read", "image"): "cache_read_image",
    ("cache_write", "audio"): "cache_write_audio",
}

# Labels only one vendor uses, in the normalised form ``normalise`` gives.
OVERRIDES: dict[str, dict[str, Meaning]] = {
    "openai": {
        "price per second": Meaning("output_video", "per_second"),
        "estimated cost": Meaning("input_audio", "per_minute"),
    },
    "mistral": {
        "audio generation": Meaning("output_audio", "per_1m_characters"),
        "ocr": Meaning("ocr", "per_page"),
        "annotations": Meaning("annotation", "per_page"),
        "indexing": Meaning("input", variant="indexing"),
        "call": Meaning("request", "per_1k_requests"),
        "storage cost": Meaning("hosting", "per_unit", variant="per model per month"),
    },
}


def normalise(label: str) -> str:
    """Lower case, footnote marks dropped, whitespace and underscores collapsed."""
    text = _NOISE.sub("", label.replace("\u00a0", " ").replace("_", " ")).lower()
    return re.sub(r"\s+", " ", text).strip(" :")


def with_medium(key: str, medium: str) -> str:
    """``input`` + ``audio`` -> ``input_audio``; a key without that medium in the schema stays as it is."""
    return _MEDIA_KEYS.get((key, medium.lower()), key)


def meaning(label: str, source: str = "") -> Meaning | None:
    """What ``label`` prices, or None when it names no price the vocabulary knows."""
    text = normalise(label)
    override = OVERRIDES.get(source, {}).get(text)
    if override is not None:
        return override
    if _IMAGE_SIZE.match(text):
        return Meaning("output_image", "per_image")
    key = next((k for pattern, k in _BASES if pattern.search(text)), None)
    if key is None:
        return None
    unit = next((u for pattern, u in _UNITS if pattern.search(text)), TOKENS)
    media = _MEDIA.findall(text)
    if media and media[0] != "text":
        key = with_medium(key, media[0])
    tier = _TIER.search(text)
    above = _ABOVE.search(text)
    context = int(above.group(1)) * 1000 if above else (0 if _SHORT.search(text) else None)
    return Meaning(key, unit, tier.group(1) if tier else None, context, "long context" in text)


def resolve(found: Meaning, tier: str, long_context: int) -> tuple[str, int]:
    """The (tier, context_min_tokens) of a price under ``found``: the label's, else the table's."""
    context = found.context if found.context is not None else (long_context if found.long_context else 0)
    return found.tier or tier, context
