"""One variant vocabulary: how the calculators' image size / quality / steps and fine-tuned-vs-base meet the
variants the sources store.

Sources spell the same variant many ways: OpenAI's page "HD 1024 x 1024" and LiteLLM's "hd/1024x1024";
OpenAI's and Azure's "fine-tuned", Vertex's "Supervised fine-tuning" (and "... Preference tuning"),
Together's "at 512×512" and "at 50 steps". Each spelling reads as facets (tuning, quality, size, steps, and
any other words kept as they are), and two spellings are the same variant when their facets are equal
(``canonical``). A training price is a fine-tuning price by nature, so for ``training*`` keys "fine-tuned"
and no variant are the same. Before a calculator asks the resolver, ``spell`` swaps the variant it wants for
the stored spelling of the same variant (the first source by the resolver's order: litellm, then A-Z), so
the resolver still matches variants exactly and stays the one place that ranks prices.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from .plan import PriceRef

FINE_TUNED = "fine-tuned"
QUALITIES = ("standard", "hd", "low", "medium", "high", "ultra")
_SIZE = re.compile(r"(\d+)\s*[x×]\s*(\d+)")
_STEPS = re.compile(r"(\d+)\s*steps?\b")
_TUNING = re.compile(r"supervised fine[- ]tuning|preference tuning|fine[- ]tun(?:ed|ing)")
_SHARING = re.compile(r"(?:with )?data sharing")
_QUALITY = re.compile(rf"\b({'|'.join(QUALITIES)})\b")
_FILLER = re.compile(r"\b(?:at|with|and)\b|[,/()]")

# The stored spellings of every variant, per name and price: {(name, price_key, unit): [(source, variant)]}.
Spellings = dict[tuple[str, str, str], list[tuple[str, str]]]


def canonical(price_key: str, variant: str) -> str:
    """The variant's facets in one spelling: ``tuning/sharing/quality/size/steps`` then any other words."""
    text = variant.strip().lower()
    facets = []
    tuned = bool(_TUNING.search(text))
    text = _TUNING.sub(" ", text)
    if tuned and not price_key.startswith("training"):
        facets.append(FINE_TUNED)
    if _SHARING.search(text):
        facets.append("data-sharing")
        text = _SHARING.sub(" ", text)
    quality = _QUALITY.search(text)
    if quality:
        facets.append(quality.group(1))
        text = text[: quality.start()] + " " + text[quality.end() :]
    size = _SIZE.search(text)
    if size:
        facets.append(f"{size.group(1)}x{size.group(2)}")
        text = text[: size.start()] + " " + text[size.end() :]
    steps = _STEPS.search(text)
    if steps:
        facets.append(f"{steps.group(1)}-steps")
        text = text[: steps.start()] + " " + text[steps.end() :]
    rest = " ".join(_FILLER.sub(" ", text).split())
    return "/".join([*facets, rest] if rest else facets)


def image_variant(size: str | None, quality: str | None, steps: int | None = None) -> str:
    """The calculators' image options as one variant (``hd/1024x1024``, ``512x512/50-steps``); '' when none."""
    parts = [quality, size, f"{steps} steps" if steps else None]
    return canonical("output_image", " ".join(p for p in parts if p))


def stored_spellings(con, names: list[str]) -> Spellings:
    """Every variant spelling the warehouse has ever stored for these names (canonical ids or source keys)."""
    rows = con.execute(
        """
        WITH n AS (SELECT DISTINCT unnest(?) AS name)
        SELECT DISTINCT n.name, i.price_key, i.unit, i.source, i.variant
        FROM n JOIN price_intervals AS i ON i.model = n.name OR i.source_model_key = n.name
        WHERE i.variant <> '' OR i.price_key LIKE 'training%'
        ORDER BY i.source <> 'litellm', i.source, i.variant
        """,
        [names],
    ).fetchall()
    spellings: Spellings = defaultdict(list)
    for name, price_key, unit, source, variant in rows:
        spellings[(name, price_key, unit)].append((source, variant))
    return spellings


def spell(ref: PriceRef, name: str, spellings: Spellings, source: str | None = None) -> PriceRef:
    """``ref`` with its variant as stored for ``name`` (of ``source`` when given); unchanged when no stored
    spelling means the same (the resolver then finds no price, and says so)."""
    if not ref.variant and not ref.price_key.startswith("training"):
        return ref
    for key in (ref.price_key, ref.fallback[0] if ref.fallback else None):
        wanted = canonical(key or "", ref.variant)
        for stored_source, variant in spellings.get((name, key, ref.unit), []):
            if (source is None or stored_source == source) and canonical(key, variant) == wanted:
                return ref if variant == ref.variant else replace(ref, variant=variant)
    return ref
