"""Other spellings the registry may give a page's model name, for the cross-check's lookup only.

Some pages name a model by less than its id: Vertex's "Llama 3.3 70B" is LiteLLM's
``vertex_ai/meta/llama-3.3-70b-instruct-maas`` (the only flavour sold, so the page leaves out ``-instruct``), and
"Gemini 2.5 Flash Live API" is ``gemini-live-2.5-flash-native-audio`` (Google's Live API models are named
``gemini-live-<version>``, the native-audio one being the Live API's model). The cross-check tries these spellings
only for a page name that no registry model of its vendor has, and uses the registry model only when exactly one
matches (``crosscheck.py``): a base model listed is the page's model, and two candidates are no answer.
Stored names are never changed by this.
"""

from __future__ import annotations

# (pattern, replacement) over a page model's catalogue spelling (010_catalogue.sql ``model_name``): where the
# pattern matches the whole spelling, the replacement is a spelling the registry may use for the same model.
ALTERNATIVES: tuple[tuple[str, str], ...] = (
    (r"^(.+)$", r"\1-instruct"),  # an instruction-tuned model named without its suffix
    (r"^(.+)$", r"\1-it"),
    (r"^gemini-(.+)-live-api$", r"gemini-live-\1"),  # Google's Live API models, by their ids
    (r"^gemini-(.+)-live-api$", r"gemini-live-\1-native-audio"),
)


def alternatives(spelling: str) -> str:
    """SQL: the list of registry spellings the page model spelled ``spelling`` may have (NULL where a rule does not
    apply)."""
    items = ", ".join(
        f"CASE WHEN regexp_full_match({spelling}, '{pattern}') THEN regexp_replace({spelling}, '{pattern}', "
        f"'{replacement}') END"
        for pattern, replacement in ALTERNATIVES
    )
    return f"[{items}]"
