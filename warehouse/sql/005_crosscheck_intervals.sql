-- Cross-checks stored by change: one row per result per validity interval (like price_intervals), instead of
-- one row per price per run. A result is identified by its page price (source_model_key included: a page can
-- list one model under two keys) or, for `missing_on_page`, by the registry price it lacks (source_model_key
-- NULL). An interval opens when any value of the result changes and closes when the next check of the source
-- finds it changed or gone. `crosscheck_runs` records each checked run, so `checked_at` (the last time a
-- result was confirmed) is derived, never rewritten row by row.

CREATE TABLE crosscheck_intervals (
    source              VARCHAR NOT NULL,
    vendor              VARCHAR,
    model               VARCHAR NOT NULL,
    source_model_key    VARCHAR,               -- the page's key; NULL for missing_on_page
    price_key           VARCHAR NOT NULL,
    unit                VARCHAR NOT NULL,
    service_tier        VARCHAR NOT NULL,
    context_min_tokens  BIGINT NOT NULL,
    region              VARCHAR NOT NULL,
    variant             VARCHAR NOT NULL,
    page_price          DECIMAL(38,24),
    registry_price      DECIMAL(38,24),
    registry_model_key  VARCHAR,
    status              VARCHAR NOT NULL,      -- match | mismatch | missing_in_registry | missing_on_page
    delta               DECIMAL(38,24),
    valid_from          TIMESTAMPTZ NOT NULL,  -- observed_at of the run that found the result
    valid_to            TIMESTAMPTZ,           -- observed_at of the run that found it changed or gone; NULL = current
    run_id              VARCHAR NOT NULL,      -- run that opened the interval
    retired_run_id      VARCHAR                -- run that closed it
);

-- One row per cross-checked run (a few per day: it grows with days, by design, but stays tiny).
CREATE TABLE crosscheck_runs (
    run_id              VARCHAR PRIMARY KEY,
    source              VARCHAR NOT NULL,
    observed_at         TIMESTAMPTZ NOT NULL,
    checked_at          TIMESTAMPTZ NOT NULL,  -- wall time of the check
    inputs              VARCHAR                -- fingerprint of the prices and rules it read (NULL: migrated)
);

-- Existing per-run rows, collapsed into intervals. Old rows lack source_model_key: a page row takes the key
-- of the page price it compared (same identity and price, in effect at the run); rows that tie are paired
-- one to one. A result opens an island when its values differ from the same result in the source's previous
-- checked run, or when it was absent there.
INSERT INTO crosscheck_runs
SELECT c.run_id, any_value(c.source), coalesce(any_value(r.observed_at), max(c.checked_at)), max(c.checked_at), NULL
FROM crosscheck_results AS c LEFT JOIN runs AS r USING (run_id)
GROUP BY c.run_id;

INSERT INTO crosscheck_intervals BY NAME
WITH checked AS (
    SELECT run_id, source, observed_at,
           row_number() OVER (PARTITION BY source ORDER BY observed_at, run_id) AS seq,
           lead(run_id) OVER (PARTITION BY source ORDER BY observed_at, run_id) AS next_run_id,
           lead(observed_at) OVER (PARTITION BY source ORDER BY observed_at, run_id) AS next_observed_at
    FROM crosscheck_runs
),
old AS (
    SELECT c.*, k.observed_at, k.seq, k.next_run_id, k.next_observed_at,
           row_number() OVER (
               PARTITION BY c.run_id, c.vendor, c.model, c.price_key, c.unit, c.service_tier, c.context_min_tokens,
                            c.region, c.variant, c.page_price
               ORDER BY c.registry_model_key, c.status) AS tie
    FROM crosscheck_results AS c JOIN checked AS k USING (run_id)
),
page_keys AS (
    SELECT o.run_id, o.vendor, o.model, o.price_key, o.unit, o.service_tier, o.context_min_tokens, o.region,
           o.variant, o.page_price, h.source_model_key,
           row_number() OVER (
               PARTITION BY o.run_id, o.vendor, o.model, o.price_key, o.unit, o.service_tier, o.context_min_tokens,
                            o.region, o.variant, o.page_price
               ORDER BY h.source_model_key) AS tie
    FROM (SELECT DISTINCT run_id, source, observed_at, vendor, model, price_key, unit, service_tier,
                 context_min_tokens, region, variant, page_price
          FROM old WHERE page_price IS NOT NULL) AS o
    JOIN price_intervals AS h
      ON h.source = o.source AND h.vendor = o.vendor AND h.model = o.model AND h.price_key = o.price_key
     AND h.unit = o.unit AND h.service_tier = o.service_tier AND h.context_min_tokens = o.context_min_tokens
     AND h.region = o.region AND h.variant = o.variant AND h.price = o.page_price AND h.inferred_rule IS NULL
     AND h.valid_from <= o.observed_at AND (h.valid_to IS NULL OR h.valid_to > o.observed_at)
),
keyed AS (
    SELECT o.*, CASE WHEN o.page_price IS NOT NULL THEN coalesce(p.source_model_key, o.model) END AS page_key
    FROM old AS o LEFT JOIN page_keys AS p
      ON p.run_id = o.run_id AND p.vendor = o.vendor AND p.model = o.model AND p.price_key = o.price_key
     AND p.unit = o.unit AND p.service_tier = o.service_tier AND p.context_min_tokens = o.context_min_tokens
     AND p.region = o.region AND p.variant = o.variant AND p.page_price = o.page_price AND p.tie = o.tie
),
marked AS (
    SELECT *,
           CASE WHEN lag(seq) OVER w = seq - 1
                 AND (lag(page_price) OVER w, lag(registry_price) OVER w, lag(registry_model_key) OVER w,
                      lag(status) OVER w, lag(delta) OVER w)
                     IS NOT DISTINCT FROM (page_price, registry_price, registry_model_key, status, delta)
                THEN 0 ELSE 1 END AS opens
    FROM keyed
    WINDOW w AS (PARTITION BY source, vendor, model, page_key, price_key, unit, service_tier, context_min_tokens,
                              region, variant ORDER BY seq)
),
islands AS (
    SELECT *, sum(opens) OVER (
        PARTITION BY source, vendor, model, page_key, price_key, unit, service_tier, context_min_tokens, region,
                     variant ORDER BY seq) AS island
    FROM marked
)
SELECT source, vendor, model, page_key AS source_model_key, price_key, unit, service_tier, context_min_tokens,
       region, variant, arg_min_null(page_price, seq) AS page_price,
       arg_min_null(registry_price, seq) AS registry_price, arg_min_null(registry_model_key, seq) AS registry_model_key, arg_min_null(status, seq) AS status,
       arg_min_null(delta, seq) AS delta, min(observed_at) AS valid_from,
       arg_max_null(next_observed_at, seq) AS valid_to, arg_min_null(run_id, seq) AS run_id,
       arg_max_null(next_run_id, seq) AS retired_run_id
FROM islands
GROUP BY source, vendor, model, page_key, price_key, unit, service_tier, context_min_tokens, region, variant, island;

DROP VIEW crosschecks;
DROP TABLE crosscheck_results;

-- Public: one row per cross-check result per validity interval. `run_id` found it; `checked_at` and
-- `last_run_id` are the last check that confirmed it; `valid_to` NULL = what the newest check found.
CREATE VIEW crosschecks AS
SELECT c.run_id, k.checked_at, c.source, c.vendor, c.model, c.price_key, c.unit, c.service_tier,
       c.context_min_tokens, c.region, c.variant, c.page_price, c.registry_price, c.registry_model_key, c.status,
       c.delta, c.source_model_key, c.valid_from, c.valid_to, k.run_id AS last_run_id, c.retired_run_id
FROM crosscheck_intervals AS c
ASOF LEFT JOIN crosscheck_runs AS k
  ON c.source = k.source AND coalesce(c.valid_to, 'infinity'::TIMESTAMPTZ) > k.observed_at;

-- The latest result per price: what each source's newest check found.
CREATE VIEW crosschecks_current AS
SELECT * EXCLUDE (valid_to, retired_run_id) FROM crosschecks WHERE valid_to IS NULL;
