"""Page prices vs the newest LiteLLM registry prices, per crawl run, computed set-based in SQL.

For one loaded run, every published (not inferred) page price current at the run's ``observed_at`` is
compared with the current ``litellm`` price of the same vendor, canonical model, price key, unit, tier,
context threshold, region, variant and currency:

* ``match``: equal within ``TOLERANCE`` (per-1M prices; sub-micro-dollar noise from per-token floats);
* ``mismatch``: both exist and differ; ``delta`` = page - registry;
* ``missing_in_registry``: the registry has no such price;
* ``missing_on_page``: the registry prices a model the page lists, under a key the page does not publish;
* ``not_comparable``: the registry prices the page's vendor, but not in the page price's currency and time of day
  (a CNY or an off-peak page price is never compared with a USD, all-day registry price).

Units are bridged where they are exact multiples (``UNIT_BRIDGES``: per second, minute and hour; per request
and per 1,000 requests; token prices are all stored per 1M tokens, characters per 1M characters): both prices
are compared in the coarser unit, multiplied exactly (``Decimal``), and ``registry_price`` is stated in the
page's unit (multiplied exactly, or divided exactly to the stored 24 decimals, ``price_divided``). A
duration-priced ``input``/``output`` (LiteLLM's ``input_cost_per_second`` of a transcription model) is the page's
``input_audio``/``output_audio`` (``DURATION_KEYS``); ``registry_price_key`` and ``registry_unit`` name what the
registry's price was. LiteLLM's ``ft:X`` prices are model X's ``fine-tuned`` variant, as pages list them.

A page's price above a prompt size (``context_min_tokens``) is compared with the registry's price of that size, or,
where the registry prices the model's key above no size at all (in any tier), with its price of that tier: LiteLLM
charges a price without an ``_above_…_tokens`` field at every prompt size, so that is what it would charge.

Which prices are of one model is the catalogue's decision (``sql/010_catalogue.sql``: provider paths, Bedrock
profiles and versions, Fireworks' ``p``, Vertex's ``@``, case, dots or dashes, word order (``015``), dated
snapshots of a listed undated id; a page name that is a snapshot itself meets only that snapshot), and so is
which region a registry key is in (``registry_region``: an
unprefixed Bedrock key is the on-demand ``us-east-1`` price unless the model also has ``global.`` keys; Azure's
``us``/``eu`` keys are the Data Zone deployments the Retail Prices API calls ``datazone``). A page's in-region
Bedrock price with no registry price of its own region is compared with the geographic cross-region profile
its region is in (``bedrock_profiles``: AWS prices a geographic profile at the calling Region's price).

When the registry lists one model under several keys (``gpt-4o`` and ``openai/gpt-4o``) the key equal to the
page's model id wins, then the same spelling, then the alphabetically first. Azure's meter names
(``gpt4omini-rt-1217``) that no registry model has are decoded (``azure_meters``) and compared with the one
registry model the decoded name matches, if exactly one does. Likewise a page name that no registry model of its
vendor has is tried in the spellings ``page_names`` lists (``-instruct``/``-it`` left out, Google's Live API ids).

Results are stored by change, like prices (``crosscheck_intervals``, migration 005): a check opens an interval
for each result that is new or whose values changed, and closes the open intervals of its source it no longer
finds, so storage grows with changes, not with days. ``crosscheck_runs`` records each check, with a fingerprint
of what it read (page and registry prices, and the rules): a check whose fingerprint equals its source's
previous one only records itself, as its results are those still open. The views derive from it when a result
was last confirmed. One query checks one run of each of several sources at once (a crawl's sources after their
loads: ``write_crosschecks_many``), since planning it costs more than its rows; a source's runs are checked in turn.
Re-running the newest check of a source first undoes its own
openings and closings (idempotent); a run older than its source's newest check is not re-checked: history is
not rewritten, and its counts are those in effect at its time.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from .azure_meters import METER_SOURCE, meter_pattern
from .bedrock_profiles import region_rank
from .connection import transaction
from .contract import UNIT_BRIDGES
from .page_names import alternatives

TOLERANCE = Decimal("0.000001")
REFERENCE_SOURCE = "litellm"  # the registry every other source's prices are compared with

# Price keys one dimension has when priced by duration: the registry's per-second ``input``/``output`` of an
# audio model is the page's ``input_audio``/``output_audio`` per minute.
DURATION_KEYS: dict[str, str] = {"input_audio": "input", "output_audio": "output"}
DURATION_BASIS = "per_hour"


def _bridges() -> str:
    """The bridges as a SQL relation ``(unit, basis, factor)``, factors as integers (exact with DECIMAL prices)."""
    rows = ", ".join(f"('{u}', '{basis}', {factor}::BIGINT)" for u, (basis, factor) in UNIT_BRIDGES.items())
    return f"(VALUES {rows}) AS b(unit, basis, factor)"


def _dimension(rel: str) -> str:
    """A price's comparable dimension: its key (duration-priced audio keys as their generic key), its unit's
    basis and the factor to it."""
    keys = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in DURATION_KEYS.items())
    return f"""(SELECT x.*, coalesce(b.basis, x.unit) AS basis, coalesce(b.factor, 1) AS factor,
               CASE WHEN coalesce(b.basis, x.unit) = '{DURATION_BASIS}' THEN CASE x.price_key {keys}
                    ELSE x.price_key END ELSE x.price_key END AS dim
        FROM {rel} AS x LEFT JOIN {_bridges()} USING (unit))"""


# Which model a price is of, by the catalogue (``sql/010_catalogue.sql``): ``key`` is its own spelling's key,
# ``xmodel`` the canonical model's; both sides of a comparison are keyed alike.
_KEYED = """(SELECT x.*, e.key, e.model_key AS xmodel, e.spelling FROM {rel} AS x JOIN catalogue_entries AS e
             USING (source, vendor, source_model_key, model))"""
FINE_TUNED = "fine-tuned"  # the variant of a fine-tuned model's prices (the calculators' variant vocabulary)


def _fine_tuned(rel: str) -> str:
    """The registry's ``ft:X`` prices as what pages call them: model X, variant ``fine-tuned``."""
    return f"""(SELECT x.* EXCLUDE (ft_key) REPLACE (
                   CASE WHEN x.ft_key IS NULL THEN x.xmodel ELSE coalesce(b.model_key, x.ft_key) END AS xmodel,
                   coalesce(x.ft_key, x.key) AS key,
                   CASE WHEN x.ft_key IS NOT NULL AND x.variant = '' THEN '{FINE_TUNED}' ELSE x.variant END AS variant)
        FROM (SELECT *, CASE WHEN model LIKE 'ft:%' THEN model_key(model[4:]) END AS ft_key FROM {rel}) AS x
        LEFT JOIN (SELECT DISTINCT key, model_key FROM catalogue_entries) AS b ON b.key = x.ft_key)"""


# How well the registry price's region stands for the page price's: the same region, else (Bedrock) the
# geographic cross-region profile the page's region is in (``bedrock_profiles``).
_REGION_RANK = region_rank("p.vendor", "p.region", "r.xregion")


def _snapshot_day(key: str) -> str:
    """SQL: a snapshot key's suffix as the day it names where it is a date (``-20241217``, ``-2024-12-17`` and
    ``-1217`` are all ``1217``; Azure writes ``o1 1217`` for ``o1-2024-12-17``), else the suffix itself."""
    return f"""(CASE WHEN regexp_matches({key}, '-[0-9]{{8}}$') THEN right({key}, 4)
                WHEN regexp_matches({key}, '-[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') THEN replace(right({key}, 5), '-', '')
                WHEN regexp_matches({key}, '-(0[1-9]|1[0-2])-20[0-9]{{2}}$') THEN right({key}, 7)
                ELSE regexp_extract({key}, '-([0-9a-z]+)$', 1) END)"""


# A page name that is itself a snapshot (``command-r-03-2024``, ``grok-4-0709``, ``codestral-latest``) is compared
# only with the registry's same snapshot (the same key, or the same day written otherwise), never with another one
# of the same catalogue model; a decoded name only with the registry spelling it decoded to.
_SAME_SNAPSHOT = f"""(CASE WHEN p.decoded IS NOT NULL THEN r.spelling = p.decoded
                      WHEN snapshot_base(p.key) = p.key OR r.key = p.key THEN TRUE
                      ELSE snapshot_base(r.key) = snapshot_base(p.key)
                           AND {_snapshot_day("r.key")} = {_snapshot_day("p.key")} END)"""
_MATCH = f"""
    r.vendor = p.vendor AND r.xmodel = p.xmodel AND {_SAME_SNAPSHOT} AND r.dim = p.dim AND r.basis = p.basis
    AND r.service_tier = p.service_tier
    AND (r.context_min_tokens = p.context_min_tokens OR (r.context_min_tokens = 0 AND NOT r.context_tiers))
    AND {_REGION_RANK} IS NOT NULL AND r.variant = p.variant AND r.currency = p.currency
    AND r.time_window = p.time_window
"""

# One result's identity and values: an interval is one identity with unchanged values.
IDENTITY = ("source", "vendor", "model", "source_model_key", "price_key", "unit", "service_tier",
            "context_min_tokens", "region", "variant", "currency", "time_window")  # fmt: skip
VALUES = ("page_price", "registry_price", "registry_model_key", "registry_price_key", "registry_unit", "status",
          "delta")  # fmt: skip
_SAME = " AND ".join(f"c.{col} IS NOT DISTINCT FROM n.{col}" for col in IDENTITY + VALUES)

# What a check reads: the run's published page prices, and the registry's current prices of their vendors
# (every comparison is within one vendor).
_INPUTS = f"""
run AS (
    SELECT run_id, source, observed_at FROM runs WHERE list_contains($run_ids, run_id)
),
page AS (
    SELECT h.* FROM price_intervals AS h JOIN run ON h.source = run.source
    WHERE h.valid_from <= run.observed_at AND (h.valid_to IS NULL OR h.valid_to > run.observed_at)
      AND h.inferred_rule IS NULL
),
registry AS (
    SELECT r.* FROM price_intervals AS r
    WHERE r.source = '{REFERENCE_SOURCE}' AND r.valid_to IS NULL AND r.inferred_rule IS NULL
      AND r.vendor IN (SELECT DISTINCT vendor FROM page)
)"""

# A fingerprint of those inputs: equal fingerprints give equal results (with the same rules, see ``_rules``).
_FINGERPRINT = f"""
WITH {_INPUTS},
page_sums AS (
    SELECT source, count(*) AS n, coalesce(sum(hash(price_id, price, currency)), 0) AS h FROM page GROUP BY source
),
registry_sums AS (
    SELECT v.source, count(*) AS n, coalesce(sum(hash(r.price_id, r.price, r.currency)), 0) AS h
    FROM (SELECT DISTINCT source, vendor FROM page) AS v JOIN registry AS r USING (vendor) GROUP BY v.source
)
SELECT run.run_id, coalesce(p.n, 0) || ':' || coalesce(p.h, 0) || '/' || coalesce(g.n, 0) || ':' || coalesce(g.h, 0)
FROM run LEFT JOIN page_sums AS p USING (source) LEFT JOIN registry_sums AS g USING (source)
"""

_RESULTS = f"""
WITH {_INPUTS},
registry_keyed AS (
    SELECT DISTINCT vendor, spelling, xmodel FROM {_KEYED.format(rel="registry")}
),
meter_models AS (  -- Azure meter names decoded (``azure_meters``), where exactly one registry model matches
    SELECT m.source, m.vendor, m.model, any_value(r.xmodel) AS xmodel, min(r.spelling) AS decoded
    FROM (SELECT DISTINCT p.source, p.vendor, p.model, p.xmodel FROM {_KEYED.format(rel="page")} AS p
          WHERE p.source = '{METER_SOURCE}') AS m
    JOIN registry_keyed AS r ON r.vendor = m.vendor AND regexp_full_match(r.spelling, {meter_pattern("m.model")})
    WHERE NOT EXISTS (SELECT 1 FROM registry_keyed AS k WHERE k.vendor = m.vendor AND k.xmodel = m.xmodel)
    GROUP BY m.source, m.vendor, m.model HAVING count(DISTINCT r.xmodel) = 1
),
other_spellings AS (  -- a name the registry spells otherwise (``page_names``), where exactly one model matches
    SELECT m.source, m.vendor, m.model, any_value(r.xmodel) AS xmodel, min(r.spelling) AS decoded
    FROM (SELECT source, vendor, model, xmodel, unnest({alternatives("spelling")}) AS other
          FROM (SELECT DISTINCT source, vendor, model, spelling, xmodel FROM {_KEYED.format(rel="page")})) AS m
    JOIN registry_keyed AS r ON r.vendor = m.vendor AND r.spelling = m.other
    WHERE NOT EXISTS (SELECT 1 FROM registry_keyed AS k WHERE k.vendor = m.vendor AND k.xmodel = m.xmodel)
    GROUP BY m.source, m.vendor, m.model HAVING count(DISTINCT r.xmodel) = 1
),
page_keyed AS (  -- ``decoded``: the registry spelling a decoded name stands for (that snapshot, not another)
    SELECT p.* REPLACE (coalesce(m.xmodel, i.xmodel, p.xmodel) AS xmodel), coalesce(m.decoded, i.decoded) AS decoded
    FROM {_dimension(_KEYED.format(rel="page"))} AS p LEFT JOIN meter_models AS m USING (source, vendor, model)
    LEFT JOIN other_spellings AS i USING (source, vendor, model)
),
frames AS (  -- the currencies and times of day the registry prices each vendor in
    SELECT DISTINCT vendor, currency, time_window FROM registry
),
reg AS (
    SELECT r.*, registry_region(r.vendor, r.region, r.has_global) AS xregion FROM (
        SELECT *, bool_or(region = 'global') OVER (PARTITION BY vendor, xmodel) AS has_global,
               -- whether the registry prices this key above some prompt size, in any tier (else each of its prices
               -- holds at every size; where it states sizes for one tier, another tier's size is unstated, not flat)
               bool_or(context_min_tokens > 0) OVER (PARTITION BY vendor, xmodel, dim) AS context_tiers
        FROM {_dimension(_fine_tuned(_KEYED.format(rel="registry")))}
    ) AS r
),
paired AS (
    SELECT p.source, p.vendor, p.model, p.source_model_key, p.price_key, p.unit, p.service_tier, p.context_min_tokens,
           p.region, p.variant, p.currency, p.time_window, p.price AS page_price,
           -- the registry's price in the page's unit (a coarser registry unit: divided exactly to 24 decimals)
           CASE WHEN r.factor >= p.factor THEN r.price * (r.factor // p.factor)
                ELSE price_divided(r.price, p.factor // r.factor) END AS registry_price,
           r.source_model_key AS registry_model_key, r.price_key AS registry_price_key, r.unit AS registry_unit,
           abs(p.price * p.factor - r.price * r.factor) <= $tolerance AS equal,
           p.vendor NOT IN (SELECT vendor FROM frames)
             OR (p.vendor, p.currency, p.time_window) IN (SELECT (vendor, currency, time_window) FROM frames)
             AS comparable,
           row_number() OVER (
               PARTITION BY p.price_id
               ORDER BY {_REGION_RANK} NULLS LAST, (r.context_min_tokens = p.context_min_tokens) DESC NULLS LAST,
                        (r.price_key = p.price_key AND r.unit = p.unit) DESC NULLS LAST,
                        (r.spelling = p.decoded) DESC NULLS LAST,
                        (r.source_model_key = p.model) DESC NULLS LAST, (r.model = p.model) DESC NULLS LAST,
                        (r.key = p.key) DESC NULLS LAST, (r.region = p.region) DESC NULLS LAST,
                        r.source_model_key NULLS LAST
           ) AS rn
    FROM page_keyed AS p LEFT JOIN reg AS r ON {_MATCH}
),
only_registry AS (  -- per source checked: the registry's prices of its models that none of its page prices meet
    SELECT s.source, r.vendor, r.spelling AS model, NULL::VARCHAR AS source_model_key, r.price_key, r.unit,
           r.service_tier, r.context_min_tokens, r.xregion AS region, r.variant, r.currency, r.time_window,
           NULL::DECIMAL(38,24) AS page_price, r.price AS registry_price, r.source_model_key AS registry_model_key,
           r.price_key AS registry_price_key, r.unit AS registry_unit, NULL::BOOLEAN AS equal, TRUE AS comparable,
           row_number() OVER (
               PARTITION BY s.source, r.vendor, r.xmodel, r.price_key, r.unit, r.service_tier, r.context_min_tokens,
                            r.xregion, r.variant, r.currency, r.time_window
               ORDER BY (r.source_model_key = r.model) DESC, r.source_model_key
           ) AS rn
    FROM reg AS r JOIN (SELECT DISTINCT source, vendor, xmodel FROM page_keyed) AS s
         ON s.vendor = r.vendor AND s.xmodel = r.xmodel
    WHERE NOT EXISTS (SELECT 1 FROM page_keyed AS p WHERE p.source = s.source AND {_MATCH})
)
SELECT c.source, c.vendor, c.model, c.source_model_key, c.price_key, c.unit, c.service_tier,
       c.context_min_tokens, c.region, c.variant, c.currency, c.time_window, c.page_price, c.registry_price,
       c.registry_model_key, c.registry_price_key, c.registry_unit,
       CASE
           WHEN c.page_price IS NULL THEN 'missing_on_page'
           WHEN c.registry_price IS NULL AND NOT c.comparable THEN 'not_comparable'
           WHEN c.registry_price IS NULL THEN 'missing_in_registry'
           WHEN c.equal THEN 'match'
           ELSE 'mismatch'
       END AS status,
       CASE WHEN c.page_price IS NOT NULL AND c.registry_price IS NOT NULL
            THEN c.page_price - c.registry_price END AS delta
FROM (SELECT * EXCLUDE (rn) FROM paired WHERE rn = 1
      UNION ALL BY NAME SELECT * EXCLUDE (rn) FROM only_registry WHERE rn = 1) AS c
"""

# The runs a check writes for: at most one run per source (``_waves``).
_CHECKED_RUNS = "(SELECT run_id, source, observed_at FROM runs WHERE list_contains($run_ids, run_id))"

# Undo the runs' own openings and closings, so checking them again starts from the state before them.
_UNDO = (
    "DELETE FROM crosscheck_intervals WHERE list_contains($run_ids, run_id)",
    "UPDATE crosscheck_intervals SET valid_to = NULL, retired_run_id = NULL "
    "WHERE list_contains($run_ids, retired_run_id)",
)

_CLOSE = f"""
UPDATE crosscheck_intervals AS c SET valid_to = w.observed_at, retired_run_id = w.run_id
FROM {_CHECKED_RUNS} AS w
WHERE c.source = w.source AND c.valid_to IS NULL
  AND NOT EXISTS (SELECT 1 FROM _crosscheck_new AS n WHERE {_SAME})
"""

_OPEN = f"""
INSERT INTO crosscheck_intervals BY NAME
SELECT n.*, w.observed_at AS valid_from, NULL AS valid_to, w.run_id AS run_id, NULL AS retired_run_id
FROM _crosscheck_new AS n JOIN {_CHECKED_RUNS} AS w ON w.source = n.source
WHERE NOT EXISTS (SELECT 1 FROM crosscheck_intervals AS c
                  WHERE c.source = n.source AND c.valid_to IS NULL AND {_SAME})
"""

_CHECKED = f"""
INSERT OR REPLACE INTO crosscheck_runs (run_id, source, observed_at, checked_at, inputs)
SELECT w.run_id, w.source, w.observed_at, now(), i.inputs
FROM {_CHECKED_RUNS} AS w JOIN (SELECT unnest($run_ids) AS run_id, unnest($inputs) AS inputs) AS i USING (run_id)
"""

# Each source's newest check: when it observed (no older run is checked again) and the fingerprint of its inputs
# (unchanged inputs: its open results stand).
_NEWEST_CHECKS = """
SELECT source, observed_at, inputs FROM crosscheck_runs WHERE list_contains($sources, source)
QUALIFY row_number() OVER (PARTITION BY source ORDER BY observed_at DESC, run_id DESC) = 1
"""

# The count per status of each run's source's results in effect at the run's time.
_COUNTS_AT = f"""
SELECT w.run_id, c.status, count(*) FROM {_CHECKED_RUNS} AS w JOIN crosscheck_intervals AS c
  ON c.source = w.source AND c.valid_from <= w.observed_at AND (c.valid_to IS NULL OR c.valid_to > w.observed_at)
GROUP BY ALL
"""

# Loaded page runs not checked yet (a load that checks later, or that stopped between its prices and its check),
# newer than their source's newest check; held runs are checked when a review accepts them.
_PENDING = f"""
SELECT r.run_id FROM runs AS r
WHERE r.source <> '{REFERENCE_SOURCE}' AND r.status IN ('ok', 'partial')
  AND r.run_id NOT IN (SELECT run_id FROM crosscheck_runs)
  AND r.run_id NOT IN (SELECT run_id FROM run_holds WHERE held = 'run')
  AND NOT EXISTS (SELECT 1 FROM crosscheck_runs AS c WHERE c.source = r.source AND c.observed_at >= r.observed_at)
ORDER BY r.observed_at, r.run_id
"""


def record_crosschecks(con, run_id: str) -> dict[str, int]:
    """Check one loaded run again in its own transaction (loads check their runs themselves)."""
    with transaction(con):
        return write_crosschecks(con, run_id)


def record_pending_crosschecks(con) -> dict[str, dict[str, int]]:
    """Check, in one transaction, every loaded page run still waiting for its check (``_PENDING``): the crawl's
    loads check their runs together once loaded; a run whose load stopped before that is checked by the next
    one. The count per status of each run checked."""
    with transaction(con):
        pending = pending_crosschecks(con)
        return write_crosschecks_many(con, pending) if pending else {}


def pending_crosschecks(con) -> list[str]:
    """The loaded page runs waiting for their check, oldest first."""
    return [run_id for (run_id,) in con.execute(_PENDING).fetchall()]


def write_crosschecks(con, run_id: str) -> dict[str, int]:
    """Check one loaded run against the registry inside the caller's transaction; store what changed; return
    the count per status."""
    return write_crosschecks_many(con, [run_id]).get(run_id, {})


def write_crosschecks_many(con, run_ids: list[str]) -> dict[str, dict[str, int]]:
    """Check loaded runs against the registry inside the caller's transaction, each source's runs in the order
    given; the count per status of each run checked (runs that did not load prices are left out).

    One query checks one run of every source at once (``_waves``): its planning, not the rows, is most of a
    check's cost, so a crawl's sources are checked together rather than one by one."""
    counts: dict[str, dict[str, int]] = {}
    for wave in _waves(con, run_ids):
        counts.update(_check_wave(con, wave))
    return counts


def _waves(con, run_ids: list[str]) -> list[list[tuple[str, str, object]]]:
    """The ``(run_id, source, observed_at)`` of the runs that loaded prices, grouped so that no group has two
    runs of one source: the n-th group holds each source's n-th run."""
    rows = con.execute(
        "SELECT run_id, source, observed_at FROM runs "
        "WHERE list_contains($ids, run_id) AND status IN ('ok', 'partial')",
        {"ids": list(run_ids)},
    ).fetchall()
    found = {row[0]: row for row in rows}
    waves: list[list[tuple[str, str, object]]] = []
    per_source: dict[str, int] = {}
    for run_id in dict.fromkeys(run_ids):
        if run_id in found:
            n = per_source[found[run_id][1]] = per_source.get(found[run_id][1], -1) + 1
            if n == len(waves):
                waves.append([])
            waves[n].append(found[run_id])
    return waves


def _check_wave(con, wave: list[tuple[str, str, object]]) -> dict[str, dict[str, int]]:
    """Check runs of distinct sources: those no newer check of their source has passed, and whose inputs differ
    from their source's previous check, are computed; each is recorded; the counts in effect at each run's time."""
    sources = [source for _, source, _ in wave]
    newest = {
        source: (at, inputs) for source, at, inputs in con.execute(_NEWEST_CHECKS, {"sources": sources}).fetchall()
    }
    # A run older than its source's newest check is not re-checked: history is not rewritten.
    current = [(run_id, source) for run_id, source, at in wave if source not in newest or newest[source][0] <= at]
    if current:
        ids = [run_id for run_id, _ in current]
        fingerprints = dict(con.execute(_FINGERPRINT, {"run_ids": ids}).fetchall())
        inputs = {run_id: f"{_rules()}/{fingerprints[run_id]}" for run_id in ids}
        stale = [run_id for run_id, source in current if newest.get(source, (None, None))[1] != inputs[run_id]]
        if stale:
            _check(con, stale)
        con.execute(_CHECKED, {"run_ids": ids, "inputs": [inputs[run_id] for run_id in ids]})
    counts: dict[str, dict[str, int]] = {run_id: {} for run_id, _, _ in wave}
    for run_id, status, n in con.execute(_COUNTS_AT, {"run_ids": list(counts)}).fetchall():
        counts[run_id][status] = n
    return counts


def _check(con, run_ids: list[str]) -> None:
    """Compute the runs' results; close their sources' open results they no longer find, open the new ones."""
    params = {"run_ids": run_ids}
    redo = con.execute("SELECT run_id FROM crosscheck_runs WHERE list_contains($run_ids, run_id)", params).fetchall()
    if redo:  # checked before: start again from the state before them
        for sql in _UNDO:
            con.execute(sql, {"run_ids": [run_id for (run_id,) in redo]})
    # Fetched as Arrow and registered for the two statements that read it: a temporary table (created, then
    # dropped, in the load's transaction) cost ~10 ms more per check.
    results = con.execute(_RESULTS, {**params, "tolerance": TOLERANCE}).to_arrow_table()
    con.register("_crosscheck_new", results)
    try:
        con.execute(_CLOSE, params)
        con.execute(_OPEN, params)
    finally:
        con.unregister("_crosscheck_new")


def _rules() -> str:
    """A digest of how results are computed, so a changed rule or tolerance re-checks unchanged prices."""
    return hashlib.md5(f"{_RESULTS}|{TOLERANCE}".encode()).hexdigest()[:12]
