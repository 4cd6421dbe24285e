"""Token usage read from an API response, in the shapes the vendors document:

- OpenAI Chat Completions: ``usage.prompt_tokens`` (cached ones included), ``prompt_tokens_details
  .cached_tokens``, ``completion_tokens`` (reasoning included);
- OpenAI Responses: ``usage.input_tokens`` (cached included), ``input_tokens_details.cached_tokens``,
  ``output_tokens`` (reasoning included);
- Anthropic Messages: ``usage.input_tokens`` (cache reads and writes *not* included),
  ``cache_read_input_tokens``, ``cache_creation_input_tokens``, ``output_tokens``;
- Gemini ``generateContent``: ``usageMetadata.promptTokenCount`` (cached included),
  ``cachedContentTokenCount``, ``toolUsePromptTokenCount``, ``candidatesTokenCount`` and
  ``thoughtsTokenCount`` (thinking is billed as output).

Every shape becomes one ``Usage``: the whole prompt in ``input_tokens``, the part read from a cache in
``cached_tokens``, the part written to one in ``cache_write_tokens``, and everything generated in
``output_tokens``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import CalcError


@dataclass(frozen=True)
class Usage:
    """The tokens of one call, and the model that answered it (when the response says)."""

    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0


def usage_from_response(response: Mapping | str | bytes) -> Usage:
    """The usage of an OpenAI, Anthropic or Gemini response (a decoded dict or its JSON text)."""
    data = _decoded(response)
    if isinstance(data.get("usageMetadata"), Mapping):
        return _gemini(data)
    usage = data.get("usage")
    if not isinstance(usage, Mapping):
        raise CalcError("no usage in this response (expected 'usage' or 'usageMetadata')")
    model = data.get("model")
    if "prompt_tokens" in usage:
        details = usage.get("prompt_tokens_details") or {}
        return Usage(model, _count(usage, "prompt_tokens"), _count(usage, "completion_tokens"),
                     _count(details, "cached_tokens"))  # fmt: skip
    if "cache_read_input_tokens" in usage or "cache_creation_input_tokens" in usage or data.get("type") == "message":
        read, write = _count(usage, "cache_read_input_tokens"), _count(usage, "cache_creation_input_tokens")
        return Usage(model, _count(usage, "input_tokens") + read + write, _count(usage, "output_tokens"), read, write)
    if "input_tokens" in usage:
        details = usage.get("input_tokens_details") or {}
        return Usage(model, _count(usage, "input_tokens"), _count(usage, "output_tokens"),
                     _count(details, "cached_tokens"))  # fmt: skip
    raise CalcError(f"unknown usage shape (keys: {', '.join(sorted(usage))})")


def _gemini(data: Mapping) -> Usage:
    meta = data["usageMetadata"]
    prompt = _count(meta, "promptTokenCount") + _count(meta, "toolUsePromptTokenCount")
    output = _count(meta, "candidatesTokenCount") + _count(meta, "thoughtsTokenCount")
    return Usage(data.get("modelVersion"), prompt, output, _count(meta, "cachedContentTokenCount"))


def _decoded(response: Mapping | str | bytes) -> Mapping:
    if isinstance(response, Mapping):
        return response
    try:
        data = json.loads(response)
    except (TypeError, ValueError) as exc:
        raise CalcError(f"not a JSON response ({exc})") from None
    if not isinstance(data, Mapping):
        raise CalcError("not a JSON object")
    return data


def _count(fields: Mapping, name: str) -> int:
    """A token count (absent or null: 0); anything but a whole, non-negative number is an error."""
    value = fields.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CalcError(f"usage field {name} is not a token count ({value!r})")
    return value
