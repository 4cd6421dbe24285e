"""Table cells that every page repeats thousands of times, as escaped HTML built in Python (a Jinja macro
per cell costs more than the rest of a page). Every piece of data goes through ``escape``."""

from __future__ import annotations

import json
from functools import lru_cache

from aiprices.calculators.money import context_text
from markupsafe import Markup, escape


def _tag(text: str) -> str:
    return f' <span class="tag">{escape(text)}</span>'


def price_terms(row: dict) -> Markup:
    """``input <tag>batch</tag> <tag>>200K</tag> …``: the price key and what qualifies it."""
    return _terms(row["price_key"], row["service_tier"], row["context_min_tokens"], row["region"], row["variant"])


@lru_cache(maxsize=65536)
def _terms(price_key: str, tier: str, context: int, region: str, variant: str) -> Markup:
    extras = ("" if tier == "standard" else tier, context_text(context), region, variant)
    return Markup(str(escape(price_key)) + "".join(_tag(t) for t in extras if t))


def model_link(model: str, names: dict[str, str], root: str) -> Markup:
    """A link to the model's page (``names``: model id -> file name), or the plain name."""
    if model not in names:
        return escape(model)
    return Markup(f'<a href="{escape(root)}models/{escape(names[model])}">{escape(model)}</a>')


def source_link(url: str | None, text: str) -> Markup:
    """Only web addresses become links (a ``javascript:`` or file address from data never does)."""
    if url and url.lower().startswith(("https://", "http://")):
        return Markup(f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(text)}</a>')
    return escape(text)


def price_id(row: dict) -> str:
    """The identity of a price as a JSON array (a ``data-id`` a test or a script can read back)."""
    return json.dumps([row["source"], row["source_model_key"], row["price_key"], row["unit"], row["service_tier"],
                       row["context_min_tokens"], row["region"], row["variant"], row["currency"]])  # fmt: skip
