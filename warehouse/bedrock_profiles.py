"""Bedrock's geographic cross-region inference profiles, as the regions whose price they are.

AWS prices a call through a geographic cross-region profile (``us.anthropic.claude-sonnet-4-6``, LiteLLM's
``us.``/``eu.``/``apac.``/``jp.``/``au.``/``ca.``/``us-gov.`` keys) at the on-demand price of the Region the call is
made from ("no additional routing cost … the price is calculated based on the Region from which you call an
inference profile", Amazon Bedrock User Guide, *cross-Region inference*, general considerations; geographic
profiles are "standard pricing", only the global profile is priced lower). So a page's in-region price in
``us-east-1`` is comparable with the registry's ``us.`` price when the registry has no price of ``us-east-1``
itself; a ``global`` page price is compared with the global profile only (region ``global`` on both sides).
"""

from __future__ import annotations

PROFILE_VENDOR = "bedrock"

# (AWS Region pattern, the geographic profiles whose source Regions it is in, most specific first).
GEOGRAPHIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"^us-gov-", ("us-gov",)),
    (r"^us-", ("us",)),
    (r"^eu-", ("eu",)),
    (r"^ap-northeast-[13]$", ("jp", "apac")),
    (r"^ap-southeast-[24]$", ("au", "apac")),
    (r"^ap-", ("apac",)),
    (r"^ca-", ("ca",)),
)


def region_rank(vendor: str, page_region: str, registry_region: str) -> str:
    """SQL: how well a registry price's region stands for a page price's region: 0 the same region, 1, 2 … a
    geographic profile containing it (most specific first, Bedrock only), NULL not comparable."""
    cases = " ".join(
        f"WHEN regexp_matches({page_region}, '{pattern}') THEN list_position({list(profiles)!r}, {registry_region})"
        for pattern, profiles in GEOGRAPHIES
    )
    return (
        f"(CASE WHEN {registry_region} = {page_region} THEN 0 "
        f"WHEN {vendor} <> '{PROFILE_VENDOR}' THEN NULL {cases} END)"
    )
