-- "Verified" that means fresh: a source counts as verified when its last `ok` run is within a window (2 days
-- by default), and aggregators (OpenRouter: they list other vendors' models) are shown but not counted.
--   aggregator: set by the loader from the run (the crawler's per-source facts); NULL for runs loaded before
--               this migration and for registry copies. A source's newest known flag applies.
ALTER TABLE runs ADD COLUMN aggregator BOOLEAN;

-- vendor_status_within(days[, as_of := TIMESTAMPTZ]): one row per crawled source, verified when its last `ok`
-- run is at most `days` days before `as_of` (default: now; runs after `as_of` are not looked at).
CREATE OR REPLACE MACRO vendor_status_within(days, as_of := NULL) AS TABLE
WITH last AS (
    SELECT source,
           arg_max(status, observed_at) AS status,
           max(observed_at) AS last_run_at,
           max(observed_at) FILTER (WHERE status = 'ok') AS last_verified_at,
           arg_max(error, observed_at) AS last_error,
           coalesce(arg_max(aggregator, observed_at) FILTER (WHERE aggregator IS NOT NULL), false) AS aggregator
    FROM runs
    WHERE kind IN ('crawl', 'replay') AND observed_at <= coalesce(CAST(as_of AS TIMESTAMPTZ), 'infinity')
    GROUP BY source
),
judged AS (
    SELECT *, coalesce(last_verified_at >= coalesce(CAST(as_of AS TIMESTAMPTZ), now()) - to_days(CAST(days AS INTEGER)),
                       false) AS verified
    FROM last
)
SELECT source AS vendor, status, last_verified_at, last_run_at, last_error, aggregator, verified,
       CAST(days AS INTEGER) AS fresh_days,
       count(*) FILTER (WHERE verified AND NOT aggregator) OVER () AS vendors_verified,
       count(*) FILTER (WHERE NOT aggregator) OVER () AS vendors_total,
       CAST(count(*) FILTER (WHERE verified AND NOT aggregator) OVER () AS VARCHAR) || ' of '
         || CAST(count(*) FILTER (WHERE NOT aggregator) OVER () AS VARCHAR) || ' vendors verified within '
         || CAST(days AS VARCHAR) || ' days' AS summary
FROM judged;

CREATE OR REPLACE VIEW vendor_status AS SELECT * FROM vendor_status_within(2);

CREATE OR REPLACE VIEW crawl_runs AS
SELECT run_id, source, kind, status, observed_at, started_at, finished_at,
       CAST(epoch(finished_at) - epoch(started_at) AS DOUBLE) AS seconds,
       pages, items, rejected, added, changed, removed, error, warnings, source_url, content_sha256,
       page_kind, rows_seen, rows_priced,
       CASE WHEN rows_seen > 0 THEN CAST(rows_priced / rows_seen AS DECIMAL(5, 4)) END AS coverage,
       aggregator
FROM runs;
