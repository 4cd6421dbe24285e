"""Azure Retail Prices API JSON, filtered to Azure OpenAI / Foundry Models meters.

Accepted bodies: the API envelope ``{"Items": [...], "NextPageLink": ...}`` (``next_url`` is set from
``NextPageLink``) or a bare ``Items`` array (the archived scrapes). Prices are ``retailPrice``; units
``unitOfMeasure`` '1K' -> ``per_1k_tokens``, '1M' -> ``per_1m_tokens`` (the normalise pipeline makes both
per 1M, so a meter whose price did not change keeps its price across Azure's 2025/2026 unit change).

The meter name is an abbreviation read right to left, e.g. ``5.4 pro longco batch opt Dz 1M Tokens``:
unit words (``1M Tokens``), deployment (``Gl``/``glbl`` global -> region '', ``Dz``/``Data Zone`` ->
'datazone', ``regnl`` -> the meter's ``armRegionName``), price key (``inp``, ``opt``/``outp``, ``cd``/``cchd``
cached, ``cd wr`` cache write), tier (``Batch``, ``pp`` = priority processing), context (``longco`` = long
context, ``ShortCo`` = short), modality (``txt``, ``aud``, ``img``/``Image``), ``FT`` (fine-tuned); what
is left on the left is the model name (``5.4 pro``).

Realtime meters name their modality inside the model part, right after ``rt``: ``gpt4omini-rt-aud1217 Inp`` is
the audio input of gpt-4o-mini-realtime 2024-12-17, ``gpt rt aud 0828 cchd Inp`` cached audio input,
``gpt-4o-rt-txt-1217 Outp`` text output. That word sets the price key's modality (``input_audio``,
``cache_read_audio``; text keeps ``input``/``output``) and leaves the model name (``gpt4omini-rt-1217``), so a
realtime model's text and audio prices are one model's keys, as LiteLLM lists them. Elsewhere ``aud`` can be
part of the name (``gpt aud 1.5`` is gpt-audio-1.5). Migration ``017_azure_meter_identity.sql`` applies the
same pattern (``REALTIME_MODALITY``) to stored rows.

The record's ``productName`` names the maker (``model_names``): only OpenAI products (``Azure OpenAI``,
``Azure OpenAI GPT5``, ``Azure OpenAI Media``) read a bare version as GPT (``5.4 pro`` -> model ``gpt-5.4-pro``,
set here); another product's one-word family prefixes a name that lacks it (``Azure Grok Models`` ``4.3`` ->
``Grok 4.3``, ``Azure Kimi`` ``K2 Thinking`` -> ``Kimi K2 Thinking``), and the alias pipeline slugs it
(``grok-4.3``). A product of several words (``Azure BFL Flux Models``: which word is the maker, which the
family?) or of another shape (``Cohere Models``) keeps the meter's name: a slug, never a guessed maker.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from aiprices.crawler.extract import Extraction, LayoutChanged
from aiprices.crawler.extract.emitter import Emitter

VENDOR = "azure"
# Long-context thresholds by model family (the API names no number; OpenAI's GPT-5.4/5.5 pages say 272K).
LONG_CONTEXT = {"5.4": 272_000, "5.5": 272_000, "5.6": 272_000}
DEFAULT_LONG_CONTEXT = 272_000

_REGION = {
    "gl": "",
    "glbl": "",
    "global": "",
    "dz": "datazone",
    "dzone": "datazone",
    "datazone": "datazone",
    "regnl": "*",
    "regional": "*",
}
_KEYS = {
    "inp": "input",
    "inpt": "input",
    "input": "input",
    "opt": "output",
    "outp": "output",
    "outpt": "output",
    "out": "output",
    "output": "output",
}
_CACHE = {"cd", "cchd", "cached", "cache"}
_WRITE = {"wr", "write"}
_TIERS = {"batch": "batch", "pp": "priority", "priority": "priority", "flex": "flex"}
_CONTEXT = {"longco": "long", "shortco": "short"}
_MODALITY = {"txt": "", "text": "", "aud": "audio", "audio": "audio", "img": "image", "image": "image"}
_UNIT_WORDS = {
    "tokens",
    "token",
    "1m",
    "1k",
    "unit",
    "units",
    "session",
    "sessions",
    "megapixel",
    "image",
    "images",
    "hour",
    "hours",
}
_FT = {"ft"}
_FLAGS = {"l"}  # single-letter suffix seen on Grok 4.3 meters; kept verbatim as variant
_CACHE_KEYS = {"cache_read_audio", "cache_write_audio", "cache_read_image"}
_TOKEN = re.compile(r"[^\s\-]+")
# ``rt`` / ``realtime``, then the modality word, then a separator, a glued date digit or the end; the same pattern
# (RE2 syntax as well) re-keys stored rows in migration 017. Replacing with ``\1\2\3\6`` drops the modality word.
REALTIME_MODALITY = r"(^|[\s-])(rt|realtime)([\s-]+)(aud|audio|txt|text|img|image)([\s-]+|(\d)|$)"
_REALTIME = re.compile(REALTIME_MODALITY, re.I)
_OPENAI_PRODUCT = "Azure OpenAI"
_FAMILY_PRODUCT = re.compile(r"^Azure (\w+)(?: Models)?$")
_GPT_VERSION = re.compile(r"^(?:gpt[\s-]?)?(\d+(?:\.\d+)?)(?:\s+(.*))?$", re.I)


class _Meter:
    def __init__(self) -> None:
        self.region: str | None = None
        self.key: str | None = None
        self.cache = False
        self.write = False
        self.tier = "standard"
        self.context = ""
        self.modality: str | None = None  # None: no modality word; '' text
        self.ambiguous = False  # two modality words that disagree
        self.variant: list[str] = []
        self.model = ""


def parse_meter(name: str) -> _Meter:
    """Split an abbreviated meter name into its parts (right to left; the model name is what remains)."""
    text = re.sub(r"\bdata\s+zone\b", "datazone", name, flags=re.I)
    tokens = list(_TOKEN.finditer(text))
    meter = _Meter()
    cut = len(text)
    i = len(tokens) - 1
    # Unit words only at the very end ("1M Tokens", "Session", "Megapixel").
    while i >= 0 and tokens[i].group().lower() in _UNIT_WORDS:
        cut = tokens[i].start()
        i -= 1
    while i >= 0:
        word = tokens[i].group().lower()
        if word in _REGION and meter.region is None:
            meter.region = _REGION[word]
        elif word in _KEYS and meter.key is None:
            meter.key = _KEYS[word]
        elif word in _CACHE:
            meter.cache = True
        elif word in _WRITE:
            meter.write = True
        elif word in _TIERS:
            meter.tier = _TIERS[word]
        elif word in _CONTEXT:
            meter.context = _CONTEXT[word]
        elif word in _MODALITY and i > 0:
            meter.modality = _MODALITY[word]
        elif word in _FT:
            meter.variant.insert(0, "fine-tuned")
        elif word in _FLAGS:
            meter.variant.insert(0, tokens[i].group())
        else:
            break
        cut = tokens[i].start()
        i -= 1
    meter.model = text[:cut].rstrip(" -")
    _realtime_modality(meter)
    return meter


def _realtime_modality(meter: _Meter) -> None:
    """A realtime meter's modality word inside its model part (``gpt4omini-rt-aud1217``) is the price's modality,
    not part of the model name."""
    found = _REALTIME.search(meter.model)
    if found is None:
        return
    modality = _MODALITY[found.group(4).lower()]
    meter.ambiguous = meter.modality is not None and meter.modality != modality
    meter.modality = modality
    meter.model = _REALTIME.sub(r"\1\2\3\6", meter.model, count=1).rstrip(" -")


def _price_key(meter: _Meter, unit_word: str) -> str | None:
    if meter.ambiguous:
        return None
    suffix = {"audio": "_audio", "image": "_image"}.get(meter.modality or "", "")
    if meter.cache:
        base = "cache_write" if meter.write else "cache_read"
        return base + suffix if base + suffix in _CACHE_KEYS else base
    if meter.key:
        return meter.key + suffix if suffix else meter.key
    lower = meter.model.lower()
    if "code-interpreter" in lower:
        return "code_interpreter"
    if "transcribe" in lower:
        return "input_audio"
    if unit_word == "megapixel":
        return "output_image"
    if "fine-tuned" in meter.variant:
        return "training"
    return None


def _unit(measure: str, meter_name: str) -> str | None:
    m = measure.strip().lower()
    last = meter_name.strip().split()[-1].lower() if meter_name.strip() else ""
    if last in ("tokens", "token"):
        return {"1k": "per_1k_tokens", "1m": "per_1m_tokens", "1": "per_token"}.get(m)
    if m == "1 hour":
        return "per_hour"
    if m == "1" and last in ("session", "sessions"):
        return "per_session"
    if m == "1" and last == "megapixel":
        return "per_1m_pixels"
    if m == "1" and last in ("image", "images"):
        return "per_image"
    return None


def is_ai_meter(item: dict) -> bool:
    """Azure OpenAI and Foundry Models meters (the 2025 captures file them under Cognitive Services)."""
    service = item.get("serviceName") or ""
    product = item.get("productName") or ""
    return service == "Foundry Models" or product.startswith("Azure OpenAI")


def model_names(product: str, name: str) -> tuple[str, str | None]:
    """``(page name, model id or None)`` of a meter's model part under its ``productName``: a bare version is GPT
    only in an OpenAI product; another product's one-word family prefixes a name that lacks it (None: the alias
    pipeline maps the name)."""
    if product.startswith(_OPENAI_PRODUCT):
        found = _GPT_VERSION.match(name)
        if found is None:
            return name, None
        rest = re.sub(r"[^a-z0-9.]+", "-", (found.group(2) or "").lower()).strip("-")
        return name, f"gpt-{found.group(1)}" + (f"-{rest}" if rest else "")
    family = _FAMILY_PRODUCT.match(product)
    if family and family.group(1).lower() not in name.lower():
        return f"{family.group(1)} {name}", None
    return name, None


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _items(doc) -> tuple[list, str | None]:
    if isinstance(doc, list):
        return doc, None
    if isinstance(doc, dict) and isinstance(doc.get("Items"), list):
        return doc["Items"], doc.get("NextPageLink") or None
    raise LayoutChanged("azure: neither an Items array nor an envelope with Items")


def extract(body: bytes, url: str, kind: str = "") -> Extraction:
    """Every Consumption list price of an Azure OpenAI / Foundry Models meter (each record is a row of the audit)."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise LayoutChanged(f"azure: body is not JSON ({exc})") from None
    records, next_link = _items(doc)
    em = Emitter(VENDOR, Extraction(next_url=next_link))
    ai = 0
    for rec in records:
        if not isinstance(rec, dict) or not is_ai_meter(rec):
            continue
        ai += 1
        if rec.get("type") != "Consumption" or (_decimal(rec.get("tierMinimumUnits")) or 0) != 0:
            continue  # reservations and volume tiers are not list prices
        meter_name = rec.get("meterName") or ""
        em.row(f"{meter_name} ({rec.get('armRegionName') or 'global'})", priced=True)
        meter = parse_meter(meter_name)
        unit = _unit(rec.get("unitOfMeasure") or "", meter_name)
        last = meter_name.strip().split()[-1].lower() if meter_name.strip() else ""
        key = _price_key(meter, last)
        price = _decimal(rec.get("retailPrice"))
        if unit is None or key is None or price is None or not meter.model:
            em.out.unmapped_columns.append(f"{meter_name} [{rec.get('unitOfMeasure')}]")
            continue
        region = meter.region if meter.region is not None else ""
        if region == "*":
            region = rec.get("armRegionName") or ""
        context = 0
        if meter.context == "long":
            family = meter.model.split()[0]
            context = LONG_CONTEXT.get(family, DEFAULT_LONG_CONTEXT)
        name, model = model_names(rec.get("productName") or "", meter.model)
        em.add(
            name,
            key,
            unit,
            price,
            f"retailPrice[{meter_name}]",
            currency=rec.get("currencyCode") or "USD",
            tier=meter.tier,
            context=context,
            region=region,
            variant=" ".join(meter.variant),
            model=model,
        )
    if not em.out.items and not (ai == 0 and next_link):
        raise LayoutChanged(f"azure: no Azure OpenAI / Foundry Models meter priced in {len(records)} records")
    return em.finish()
