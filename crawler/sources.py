"""The source registry: production URLs, allowed domains and extractor per source (no Scrapy import).

The CLI and the orchestration read this table to plan a crawl without importing Scrapy; each spider module
in ``crawler/spiders/`` is a thin class pointing at its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Source:
    """One page or API a spider reads. ``extractor`` is the module name under ``crawler/extract``.

    ``aggregator``: the source lists other vendors' models (resold or routed), so it is not one of the vendors
    counted in "N of M vendors verified"; the flag travels with each run into the warehouse (``vendor_status``).
    """

    name: str
    allowed_domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    extractor: str
    aggregator: bool = False


_AZURE_FILTER = (
    "serviceName eq 'Foundry Models' or "
    "(serviceName eq 'Cognitive Services' and startswith(productName, 'Azure OpenAI'))"
)
AZURE_URL = "https://prices.azure.com/api/retail/prices?currencyCode='USD'&$filter=" + quote(_AZURE_FILTER)

_BEDROCK_OFFERS = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{code}/current/us-east-1/index.json"

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "openai",
            ("developers.openai.com",),
            ("https://developers.openai.com/api/docs/pricing",),
            "openai",
        ),
        Source(
            "anthropic",
            ("platform.claude.com",),
            ("https://platform.claude.com/docs/en/about-claude/pricing.md",),
            "anthropic",
        ),
        Source("gemini", ("ai.google.dev",), ("https://ai.google.dev/gemini-api/docs/pricing",), "gemini"),
        Source(
            "vertex",
            ("cloud.google.com",),
            ("https://cloud.google.com/vertex-ai/generative-ai/pricing",),
            "vertex",
        ),
        Source("mistral", ("mistral.ai",), ("https://mistral.ai/pricing",), "mistral"),
        Source(
            "deepseek",
            ("api-docs.deepseek.com",),
            ("https://api-docs.deepseek.com/quick_start/pricing",),
            "deepseek",
        ),
        Source("xai", ("docs.x.ai",), ("https://docs.x.ai/docs/models",), "xai"),
        Source("groq", ("console.groq.com",), ("https://console.groq.com/docs/models.md",), "groq"),
        Source(
            "together",
            ("docs.together.ai",),
            ("https://docs.together.ai/docs/serverless-models.md",),
            "together",
        ),
        Source(
            "fireworks",
            ("docs.fireworks.ai",),
            ("https://docs.fireworks.ai/serverless/pricing.md",),
            "fireworks",
        ),
        Source("cohere", ("cohere.com",), ("https://cohere.com/pricing",), "cohere"),
        Source("azure", ("prices.azure.com",), (AZURE_URL,), "azure"),
        Source(
            "openrouter", ("openrouter.ai",), ("https://openrouter.ai/api/v1/models",), "openrouter", aggregator=True
        ),
        Source(
            "bedrock",
            ("pricing.us-east-1.amazonaws.com",),
            tuple(_BEDROCK_OFFERS.format(code=c) for c in ("AmazonBedrock", "AmazonBedrockFoundationModels")),
            "bedrock",
        ),
    )
}


class UnknownSource(ValueError):
    """A source name that is not in the registry."""


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownSource(f"unknown source {name!r}; known: {', '.join(sorted(SOURCES))}") from None
