"""Page model names -> canonical model ids (the ids the vendors' APIs and LiteLLM use).

A lifecycle note the page adds to a name (``Claude 3 Haiku (Deprecated)``, ``(legacy)``, ``(retiring …)``) says
when the model goes, not which model it is: it is dropped before resolving. Order of resolution, first hit wins:

1. the extractor already set ``model`` (the page showed an API id): kept, lower-cased;
2. ``ALIASES``: the documented table of exact page names, per vendor (``*`` = any vendor);
3. vendor naming rules: Claude names (``Claude Sonnet 4.5`` -> ``claude-sonnet-4-5``; 3.x ->
   ``claude-3-7-sonnet``), Gemini names (``Gemini 2.5 Flash-Lite`` -> ``gemini-2.5-flash-lite``). Azure's
   abbreviated GPT meters (``5.4 pro`` -> ``gpt-5.4-pro``) are named by the Azure extractor (rule 1): only it
   sees a meter's product, and so its maker (a Grok meter ``4.3`` is no GPT);
4. otherwise a slug of the page name (``Kimi K2.5`` -> ``kimi-k2.5``), counted in
   ``aiprices/aliases/unknown`` and listed in ``aiprices/aliases/unknown_names`` so the table can grow.
"""

from __future__ import annotations

import re

from itemadapter import ItemAdapter

# (vendor or "*", page name exactly as shown) -> canonical id. Extend deliberately, one line per name.
ALIASES: dict[tuple[str, str], str] = {
    ("cohere", "Embed 4"): "embed-v4.0",
    ("cohere", "Command A"): "command-a-03-2025",
    ("cohere", "Command R+ 08-2024"): "command-r-plus-08-2024",
    ("cohere", "Command R 08-2024"): "command-r-08-2024",
    ("cohere", "Command R7B"): "command-r7b-12-2024",
    ("mistral", "Mistral Small 4"): "mistral-small-latest",
    ("openai", "GPT Image 1"): "gpt-image-1",
    ("openai", "GPT Image 1 Mini"): "gpt-image-1-mini",
    ("openai", "DALL·E 3"): "dall-e-3",
    ("openai", "DALL·E 2"): "dall-e-2",
    ("openai", "Whisper"): "whisper-1",
    ("openai", "TTS"): "tts-1",
    ("openai", "TTS HD"): "tts-1-hd",
    ("openai", "Web search"): "web-search",
    ("openai", "File search"): "file-search",
    ("openai", "Code Interpreter"): "code-interpreter",
    ("*", "GPT OSS 120B"): "openai/gpt-oss-120b",
    ("*", "GPT OSS 20B"): "openai/gpt-oss-20b",
    ("*", "OpenAI GPT OSS 120B"): "openai/gpt-oss-120b",
    ("*", "OpenAI GPT OSS 20B"): "openai/gpt-oss-20b",
}

_CLAUDE = re.compile(r"^(?:claude\s+)?(opus|sonnet|haiku)\s+(\d+)(?:\.(\d+))?$", re.I)
_GEMINI = re.compile(r"^gemini\s+\d", re.I)
_NON_SLUG = re.compile(r"[^a-z0-9./:+-]+")
_LIFECYCLE_NOTE = re.compile(r"\s*[(\[](?:deprecated|legacy|retired|retiring|sunset)\b[^()\[\]]*[)\]]\s*$", re.I)


def slug(name: str) -> str:
    """Lower-case ASCII words joined by '-' (``Gemini 3.1 Flash Image 🍌`` -> ``gemini-3.1-flash-image``)."""
    text = name.encode("ascii", "ignore").decode().strip().lower()
    text = re.sub(r"\s+", "-", text)
    return _NON_SLUG.sub("", text).strip("-")


def _claude(name: str) -> str | None:
    m = _CLAUDE.match(name.strip())
    if not m:
        return None
    family, major, minor = m.group(1).lower(), int(m.group(2)), m.group(3)
    if major < 4:  # claude-3-7-sonnet, claude-3-haiku
        return f"claude-{major}-{minor}-{family}" if minor else f"claude-{major}-{family}"
    return f"claude-{family}-{major}-{minor}" if minor else f"claude-{family}-{major}"


def canonical(vendor: str, name: str, model: str | None = None) -> tuple[str, bool]:
    """``(canonical id, known)``; ``known`` is False when only the slug fallback applied."""
    if model:
        return model.strip().lower(), True
    name = _LIFECYCLE_NOTE.sub("", name) or name
    for key in ((vendor, name), ("*", name)):
        if key in ALIASES:
            return ALIASES[key], True
    found = _claude(name)
    if found is None and _GEMINI.match(name):
        found = slug(name)
    if found:
        return found, True
    return slug(name) or name, False


class AliasPipeline:
    """Sets ``model`` on every item; unknown names are kept as slugs and reported in the crawl stats."""

    def __init__(self, crawler=None):
        self.crawler = crawler
        self.unknown: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        model, known = canonical(adapter["vendor"], adapter["source_model_key"], adapter.get("model"))
        adapter["model"] = model
        if not known and adapter["source_model_key"] not in self.unknown:
            self.unknown.add(adapter["source_model_key"])
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value("aiprices/aliases/unknown")
                self.crawler.stats.set_value("aiprices/aliases/unknown_names", sorted(self.unknown))
        return item
