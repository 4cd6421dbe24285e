-- The public SQL contract (README "SQL views"). Names and columns are stable.

CREATE OR REPLACE VIEW price_history AS
SELECT h.source, h.vendor, h.model, h.source_model_key, h.price_key, h.unit, h.service_tier,
       h.context_min_tokens, h.region, h.variant, h.currency, h.price,
       h.valid_from, h.valid_to, h.source_url, h.source_field, h.inferred_rule,
       h.run_id, h.retired_run_id, r.observed_at AS last_verified_at
FROM price_intervals AS h
ASOF LEFT JOIN (SELECT source, observed_at FROM runs WHERE status IN ('ok', 'partial')) AS r
  ON h.source = r.source AND coalesce(h.valid_to, 'infinity'::TIMESTAMPTZ) > r.observed_at;

CREATE OR REPLACE VIEW prices_current AS
SELECT * EXCLUDE (valid_to, retired_run_id) FROM price_history WHERE valid_to IS NULL;

-- Snapshot of any date: the prices in effect at the end of that (UTC) day.
CREATE OR REPLACE MACRO prices_on(d) AS TABLE
SELECT * FROM price_history
WHERE valid_from < CAST(CAST(d AS DATE) + 1 AS TIMESTAMPTZ)
  AND (valid_to IS NULL OR valid_to >= CAST(CAST(d AS DATE) + 1 AS TIMESTAMPTZ));

CREATE OR REPLACE VIEW price_changes AS
SELECT CAST(changed_at AS DATE) AS changed_on, changed_at, run_id,
       source, vendor, model, source_model_key, price_key, unit, service_tier, context_min_tokens,
       region, variant, currency, old_price, new_price,
       CASE WHEN kind = 'changed' AND old_price <> 0
            THEN round(CAST(100 * (new_price - old_price) / old_price AS DOUBLE), 2) END AS pct_change,
       kind, flag, source_field, source_url
FROM changes;

CREATE OR REPLACE VIEW crawl_runs AS
SELECT run_id, source, kind, status, observed_at, started_at, finished_at,
       CAST(epoch(finished_at) - epoch(started_at) AS DOUBLE) AS seconds,
       pages, items, rejected, added, changed, removed, error, warnings, source_url, content_sha256
FROM runs;

CREATE OR REPLACE VIEW crosschecks AS
SELECT run_id, checked_at, source, vendor, model, price_key, unit, service_tier, context_min_tokens,
       region, variant, page_price, registry_price, registry_model_key, status, delta
FROM crosscheck_results;

CREATE OR REPLACE VIEW vendor_status AS
WITH last AS (
    SELECT source,
           arg_max(status, observed_at) AS status,
           max(observed_at) AS last_run_at,
           max(observed_at) FILTER (WHERE status = 'ok') AS last_verified_at,
           arg_max(error, observed_at) AS last_error
    FROM runs
    WHERE kind IN ('crawl', 'replay')
    GROUP BY source
)
SELECT source AS vendor, status, last_verified_at, last_run_at, last_error,
       count(*) FILTER (WHERE status = 'ok') OVER () AS vendors_verified,
       count(*) OVER () AS vendors_total,
       CAST(count(*) FILTER (WHERE status = 'ok') OVER () AS VARCHAR) || ' of '
         || CAST(count(*) OVER () AS VARCHAR) || ' vendors verified' AS summary
FROM last;
