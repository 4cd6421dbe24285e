"""Azure's Retail Prices meter abbreviations, decoded for the cross-check's registry lookup.

Azure names its meters, and so the Azure extractor's models, by abbreviations (``gpt4omini-rt-1217`` is
LiteLLM's ``azure/gpt-4o-mini-realtime-preview-2024-12-17``; ``gpt-rt-1.5`` is ``azure/gpt-realtime-1.5``; a
realtime meter's ``aud``/``txt`` word is its price key's modality, read by the extractor). The stored model
names stay as the meters spell them (renaming would change every stored Azure price's id); the cross-check
instead turns a name into a regular expression over registry spellings (``METER_RULES``, applied in
order) and uses the registry model only when exactly one matches (``crosscheck._METER_MODELS``).
"""

from __future__ import annotations

METER_SOURCE = "azure"

# (regular expression, replacement) over the lower-cased meter model name, applied in order; the result is a
# regular expression matched against a whole registry spelling.
METER_RULES: tuple[tuple[str, str], ...] = (
    (r"\.", r"\\."),  # a literal dot
    (r"^gpt(\d+)o(mini|nano)?", r"gpt-\1o-\2"),  # gpt4omini -> gpt-4o-mini
    (r"([a-z])(\d{4})$", r"\1-\2"),  # a date glued to a word: rt1217 -> rt-1217
    (r"-rt(-|$)", r"-realtime(-preview)?\1"),
    (r"-aud(-|$)", r"-audio\1"),
    (r"-img(-|$)", r"-image\1"),
    (r"-8k$", ""),  # GPT-4's 8K context meter is the model's own context (32K is gpt-4-32k)
    (r"-(\d\d)(\d\d)$", r"-20\\d\\d-\1-\2"),  # a trailing MMDD: the dated snapshot of that day
    (r"--+", "-"),
    (r"-$", ""),
)


def meter_pattern(column: str) -> str:
    """SQL: the registry-spelling pattern a meter model name in ``column`` decodes to."""
    expr = f"lower({column})"
    for pattern, replacement in METER_RULES:
        expr = f"regexp_replace({expr}, '{pattern}', '{replacement}', 'g')"
    return expr
