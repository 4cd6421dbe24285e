"""LiteLLM model keys -> (vendor, canonical model, region, variant).

LiteLLM encodes deployment facts in the key: a provider prefix (``azure/gpt-4o``), a region
(``bedrock/us-east-1/...``, ``azure/eu/...``, ``us.anthropic...``), a commitment term, an image size and
quality (``azure/hd/1024-x-1024/dall-e-3``), or an endpoint (``bedrock_mantle/openai.gpt-oss-120b`` is Bedrock's
Mantle endpoint: vendor bedrock, variant ``mantle``, as the AWS price list files its ``bedrock-mantle`` usage).
We split those off so that one model id can be looked up across providers; the key itself is always kept as
``source_model_key``.
"""

from __future__ import annotations

import re
from functools import lru_cache

# litellm_provider -> vendor (who sells the model). Unlisted providers keep their own name.
PROVIDER_VENDOR: dict[str, str] = {
    "text-completion-openai": "openai",
    "openai": "openai",
    "chatgpt": "openai",
    "azure": "azure",
    "azure_text": "azure",
    "azure_ai": "azure_ai",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "bedrock_mantle": "bedrock",  # Bedrock's OpenAI-compatible endpoint: variant "mantle", as the AWS price list
    "vertex_ai": "vertex",
    "gemini": "gemini",
    "anthropic": "anthropic",
    "deepseek": "deepseek",
    "xai": "xai",
    "groq": "groq",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "fireworks_ai-embedding-models": "fireworks",
    "mistral": "mistral",
    "codestral": "mistral",
    "text-completion-codestral": "mistral",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "openrouter": "openrouter",
}

# Providers that are one endpoint of a vendor: their prices are that vendor's, in this variant (Bedrock's Mantle,
# as the AWS price list calls it; Mistral's separate codestral.mistral.ai endpoint, priced apart from api.mistral.ai).
ENDPOINT_VARIANTS: dict[str, str] = {
    "bedrock_mantle": "mantle",
    "codestral": "codestral-endpoint",
    "text-completion-codestral": "codestral-endpoint",
}

# Leading key segments that name a provider, not a model.
PROVIDER_PREFIXES = frozenset(PROVIDER_VENDOR) | {
    "vertex_ai",
    "azure_ai",
    "together_ai",
    "fireworks_ai",
    "perplexity",
    "databricks",
    "snowflake",
    "fal_ai",
    "replicate",
    "huggingface",
    "ollama",
    "sagemaker",
    "watsonx",
    "cloudflare",
    "dashscope",
    "wandb",
    "sambanova",
    "cerebras",
    "nscale",
    "vercel_ai_gateway",
    "gradient_ai",
    "lambda_ai",
    "hyperbolic",
    "novita",
    "nebius",
    "deepinfra",
    "anyscale",
    "voyage",
    "jina_ai",
    "ai21",
    "nlp_cloud",
    "aleph_alpha",
    "palm",
    "friendliai",
    "github_copilot",
    "heroku",
    "oci",
    "ovhcloud",
    "v0",
}

_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_AZURE_REGIONS = frozenset({"eu", "us", "global", "global-standard", "datazone"})
_BEDROCK_PROFILE = re.compile(r"^(us|eu|apac|au|jp|ca|global|us-gov)\.")
_IMAGE_SIZE = re.compile(r"^\d+-x-\d+$")
_IMAGE_QUALITY = frozenset({"hd", "standard", "low", "medium", "high", "auto"})
_STEPS = re.compile(r"^(\d+|max)-steps$")
_COMMITMENT = re.compile(r"^\d+-months?-commitment$")


def vendor_of(provider: str | None, key: str) -> str:
    """Who sells the model, from ``litellm_provider`` (or the key's first segment when it is absent)."""
    if provider:
        if provider.startswith("vertex_ai"):
            return "vertex"
        return PROVIDER_VENDOR.get(provider, provider)
    first = key.split("/", 1)[0]
    return PROVIDER_VENDOR.get(first, first if "/" in key else "unknown")


@lru_cache(maxsize=65536)
def split_key(key: str, provider: str | None) -> tuple[str, str, str, str]:
    """``(vendor, model, region, variant)`` for one registry key."""
    vendor = vendor_of(provider, key)
    parts = key.split("/")
    if len(parts) > 1 and (parts[0] in PROVIDER_PREFIXES or parts[0] == provider):
        parts = parts[1:]
    region = ""
    variant: list[str] = []
    model_parts: list[str] = []
    for i, part in enumerate(parts):
        is_last = i == len(parts) - 1
        if not is_last and not model_parts:
            if _AWS_REGION.match(part) or (vendor == "azure" and part in _AZURE_REGIONS):
                region = part
                continue
            if _IMAGE_SIZE.match(part):
                variant.append(part.replace("-x-", "x"))
                continue
            if part in _IMAGE_QUALITY or _STEPS.match(part) or _COMMITMENT.match(part):
                variant.append(part)
                continue
        model_parts.append(part)
    model = "/".join(model_parts) or key
    if provider in ENDPOINT_VARIANTS:
        variant.insert(0, ENDPOINT_VARIANTS[provider])
    if vendor == "bedrock" and not region:
        match = _BEDROCK_PROFILE.match(model)
        if match:
            region, model = match.group(1), model[match.end() :]
    return vendor, model, region, "/".join(variant)
