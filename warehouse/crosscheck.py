"""Page prices vs the newest LiteLLM registry prices, per crawl run, computed set-based in SQL.

For one loaded run, every published (not inferred) page price current at the run's ``observed_at`` is
compared with the current ``litellm`` price of the same vendor, canonical model, price key, unit, tier,
context threshold, region, variant and currency:

* ``match``: equal within ``TOLERANCE`` (per-1M prices; sub-micro-dollar noise from per-token floats);
* ``mismatch``: both exist and differ; ``delta`` = page - registry;
* ``missing_in_registry``: the registry has no such price;
* ``missing_on_page``: the registry prices a model the page lists, under a key the page does not publish.

Models compare case-insensitively (the registry keeps ``zai-org/GLM-5.3``, pages are lower-cased). Two
naming differences are bridged, and only these: Bedrock registry ids lose their provider prefix and version
suffix (``anthropic.claude-haiku-4-5-20251001-v1:0`` -> ``claude-haiku-4-5``) and their unprefixed keys are
the on-demand ``us-east-1`` price (unless the model also has ``global.`` keys); Azure's ``us``/``eu``
registry keys are Data Zone deployments, which the Retail Prices API calls ``datazone``.

When the registry lists one model under several keys (``gpt-4o`` and ``openai/gpt-4o``) the key equal to the
canonical id wins, then the alphabetically first. Re-running replaces the run's rows (idempotent).
"""

from __future__ import annotations

from decimal import Decimal

from .connection import transaction

TOLERANCE = Decimal("0.000001")
REFERENCE_SOURCE = "litellm"  # the registry every other source's prices are compared with

# Bedrock model ids without provider prefix, version and date: "openai.gpt-oss-120b-1:0" -> "gpt-oss-120b".
_BEDROCK_ID = (
    r"regexp_replace(regexp_replace(regexp_replace(lower({m}), '^[a-z0-9]+\.', ''), "
    r"'(-v\d+)?(-\d+)?:\d+$|-v\d+$', ''), '[-@]\d{{8}}$', '')"
)


def _xmodel(t: str) -> str:
    """SQL for the registry model id a cross-check compares (pages already carry canonical lower-case ids)."""
    return f"CASE WHEN {t}.vendor = 'bedrock' THEN {_BEDROCK_ID.format(m=t + '.model')} ELSE lower({t}.model) END"


# Region names in the registry's vocabulary -> the pages'. An unprefixed Bedrock key is the in-region
# (us-east-1) price, except for models the registry also lists under ``global.``: there it repeats the
# global price and no in-region price is listed, so it maps to nothing.
_XREGION = """CASE WHEN r.vendor = 'bedrock' AND r.region = '' AND NOT r.has_global THEN 'us-east-1'
                   WHEN r.vendor = 'azure' AND r.region IN ('us', 'eu') THEN 'datazone'
                   ELSE r.region END"""

_MATCH = """
    r.vendor = p.vendor AND r.xmodel = p.xmodel AND r.price_key = p.price_key AND r.unit = p.unit
    AND r.service_tier = p.service_tier AND r.context_min_tokens = p.context_min_tokens
    AND r.xregion = p.region AND r.variant = p.variant AND r.currency = p.currency
"""

_SQL = f"""
INSERT INTO crosscheck_results BY NAME
WITH run AS (
    SELECT run_id, source, observed_at FROM runs WHERE run_id = $run_id AND status IN ('ok', 'partial')
),
page AS (
    SELECT h.*, lower(h.model) AS xmodel FROM price_intervals AS h JOIN run ON h.source = run.source
    WHERE h.valid_from <= run.observed_at AND (h.valid_to IS NULL OR h.valid_to > run.observed_at)
      AND h.inferred_rule IS NULL
),
reg_models AS (
    SELECT r.*, {_xmodel("r")} AS xmodel FROM price_intervals AS r
    WHERE r.source = '{REFERENCE_SOURCE}' AND r.valid_to IS NULL AND r.inferred_rule IS NULL
),
reg AS (
    SELECT r.*, {_XREGION} AS xregion FROM (
        SELECT *, bool_or(region = 'global') OVER (PARTITION BY vendor, xmodel) AS has_global FROM reg_models
    ) AS r
),
paired AS (
    SELECT p.vendor, p.model, p.price_key, p.unit, p.service_tier, p.context_min_tokens, p.region,
           p.variant, p.price AS page_price, r.price AS registry_price,
           r.source_model_key AS registry_model_key,
           row_number() OVER (
               PARTITION BY p.price_id
               ORDER BY (r.source_model_key = p.model) DESC NULLS LAST, (r.model = p.model) DESC NULLS LAST,
                        (r.region = p.region) DESC NULLS LAST, r.source_model_key NULLS LAST
           ) AS rn
    FROM page AS p LEFT JOIN reg AS r ON {_MATCH}
),
only_registry AS (
    SELECT r.vendor, r.xmodel AS model, r.price_key, r.unit, r.service_tier, r.context_min_tokens,
           r.xregion AS region, r.variant, NULL::DECIMAL(38,24) AS page_price, r.price AS registry_price,
           r.source_model_key AS registry_model_key,
           row_number() OVER (
               PARTITION BY r.vendor, r.xmodel, r.price_key, r.unit, r.service_tier, r.context_min_tokens,
                            r.xregion, r.variant
               ORDER BY (r.source_model_key = r.model) DESC, r.source_model_key
           ) AS rn
    FROM reg AS r
    WHERE (r.vendor, r.xmodel) IN (SELECT DISTINCT vendor, xmodel FROM page)
      AND NOT EXISTS (SELECT 1 FROM page AS p WHERE {_MATCH})
)
SELECT run.run_id, now() AS checked_at, run.source, c.vendor, c.model, c.price_key, c.unit, c.service_tier,
       c.context_min_tokens, c.region, c.variant, c.page_price, c.registry_price, c.registry_model_key,
       CASE
           WHEN c.page_price IS NULL THEN 'missing_on_page'
           WHEN c.registry_price IS NULL THEN 'missing_in_registry'
           WHEN abs(c.page_price - c.registry_price) <= $tolerance THEN 'match'
           ELSE 'mismatch'
       END AS status,
       CASE WHEN c.page_price IS NOT NULL AND c.registry_price IS NOT NULL
            THEN c.page_price - c.registry_price END AS delta
FROM (SELECT * FROM paired WHERE rn = 1 UNION ALL SELECT * FROM only_registry WHERE rn = 1) AS c, run
"""


def write_crosschecks(con, run_id: str) -> dict[str, int]:
    """Write the cross-check rows of one loaded run inside the caller's transaction; the count per status."""
    con.execute("DELETE FROM crosscheck_results WHERE run_id = ?", [run_id])
    con.execute(_SQL, {"run_id": run_id, "tolerance": TOLERANCE})
    rows = con.execute(
        "SELECT status, count(*) FROM crosscheck_results WHERE run_id = ? GROUP BY status", [run_id]
    ).fetchall()
    return {status: n for status, n in rows}


def record_crosschecks(con, run_id: str) -> dict[str, int]:
    """Recompute the cross-check of one loaded run in its own transaction (the loader does it at load)."""
    with transaction(con):
        return write_crosschecks(con, run_id)
