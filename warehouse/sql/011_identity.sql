-- A price's identity gains its currency and time of day, and a price keeps the dates its page states.
--   currency     was a value column: a CNY price and a USD price are now two offers, never a change of one.
--   time_window  '' = all day; else 'HH:MM-HH:MM' in UTC (DeepSeek's off-peak prices), part of the identity.
--   effective_from / effective_to  the start and end the page states ("Starting January 1, 2027", "through
--                August 31, 2026"), NULL when it states none; valid_from / valid_to follow them.
-- price_id (md5 of the identity, warehouse/contract.py price_id) leaves out a later-added column at its
-- default ('USD', ''), so the ids of USD all-day prices are unchanged (kept as stored); a price in another
-- currency gets its own id, computed here as the loader computes it.
-- Tables are rebuilt rather than altered (see 003_guards.sql: DuckDB cannot replay every ALTER from its WAL).

CREATE MACRO identity_id(source, vendor, model, source_model_key, price_key, unit, service_tier,
                         context_min_tokens, region, variant, currency, time_window) AS
    md5(concat_ws(chr(31), source, vendor, model, source_model_key, price_key, unit, service_tier,
                  CAST(context_min_tokens AS VARCHAR), region, variant,
                  CASE WHEN currency <> 'USD' THEN currency END,
                  CASE WHEN time_window <> '' THEN time_window END));

CREATE TABLE price_intervals_v11 (
    price_id            VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    vendor              VARCHAR NOT NULL,
    model               VARCHAR NOT NULL,
    source_model_key    VARCHAR NOT NULL,
    price_key           VARCHAR NOT NULL,
    unit                VARCHAR NOT NULL,
    service_tier        VARCHAR NOT NULL,
    context_min_tokens  BIGINT NOT NULL,
    region              VARCHAR NOT NULL,
    variant             VARCHAR NOT NULL,
    currency            VARCHAR NOT NULL,
    time_window         VARCHAR NOT NULL,
    price               DECIMAL(38,24) NOT NULL,
    effective_from      TIMESTAMPTZ,
    effective_to        TIMESTAMPTZ,
    source_url          VARCHAR,
    source_field        VARCHAR,
    inferred_rule       VARCHAR,
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_to            TIMESTAMPTZ,
    run_id              VARCHAR NOT NULL,
    retired_run_id      VARCHAR
);
INSERT INTO price_intervals_v11 BY NAME
SELECT * REPLACE (CASE WHEN currency = 'USD' THEN price_id
                       ELSE identity_id(source, vendor, model, source_model_key, price_key, unit, service_tier,
                                        context_min_tokens, region, variant, currency, '') END AS price_id),
       '' AS time_window, NULL AS effective_from, NULL AS effective_to
FROM price_intervals ORDER BY rowid;

-- Corrections name an interval by (price_id, valid_from): follow it to its new id.
UPDATE corrections AS c SET price_id = n.price_id
FROM price_intervals AS o JOIN price_intervals_v11 AS n
  ON n.source = o.source AND n.valid_from = o.valid_from AND n.run_id = o.run_id
 AND n.source_model_key = o.source_model_key AND n.price_key = o.price_key AND n.unit = o.unit
 AND n.service_tier = o.service_tier AND n.context_min_tokens = o.context_min_tokens AND n.region = o.region
 AND n.variant = o.variant AND n.currency = o.currency
WHERE c.price_id = o.price_id AND c.valid_from = o.valid_from AND n.price_id <> o.price_id;

DROP TABLE price_intervals;
ALTER TABLE price_intervals_v11 RENAME TO price_intervals;

CREATE TABLE changes_v11 (
    run_id              VARCHAR NOT NULL,
    changed_at          TIMESTAMPTZ NOT NULL,  -- when the change takes effect (a stated date, else the run)
    price_id            VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    vendor              VARCHAR NOT NULL,
    model               VARCHAR NOT NULL,
    source_model_key    VARCHAR NOT NULL,
    price_key           VARCHAR NOT NULL,
    unit                VARCHAR NOT NULL,
    service_tier        VARCHAR NOT NULL,
    context_min_tokens  BIGINT NOT NULL,
    region              VARCHAR NOT NULL,
    variant             VARCHAR NOT NULL,
    currency            VARCHAR NOT NULL,
    time_window         VARCHAR NOT NULL,
    old_price           DECIMAL(38,24),
    new_price           DECIMAL(38,24),
    kind                VARCHAR NOT NULL,
    flag                VARCHAR,
    source_field        VARCHAR,
    source_url          VARCHAR,
    change_id           BIGINT DEFAULT nextval('change_id_seq')
);
INSERT INTO changes_v11 BY NAME
SELECT * REPLACE (CASE WHEN currency = 'USD' THEN price_id
                       ELSE identity_id(source, vendor, model, source_model_key, price_key, unit, service_tier,
                                        context_min_tokens, region, variant, currency, '') END AS price_id),
       '' AS time_window
FROM changes ORDER BY rowid;
DROP TABLE changes;
ALTER TABLE changes_v11 RENAME TO changes;

CREATE TABLE quarantine_v11 (
    change_id           BIGINT PRIMARY KEY,
    run_id              VARCHAR NOT NULL,
    observed_at         TIMESTAMPTZ NOT NULL,
    price_id            VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    vendor              VARCHAR NOT NULL,
    model               VARCHAR NOT NULL,
    source_model_key    VARCHAR NOT NULL,
    price_key           VARCHAR NOT NULL,
    unit                VARCHAR NOT NULL,
    service_tier        VARCHAR NOT NULL,
    context_min_tokens  BIGINT NOT NULL,
    region              VARCHAR NOT NULL,
    variant             VARCHAR NOT NULL,
    currency            VARCHAR NOT NULL,
    time_window         VARCHAR NOT NULL,
    old_price           DECIMAL(38,24),
    price               DECIMAL(38,24) NOT NULL,
    effective_from      TIMESTAMPTZ,
    effective_to        TIMESTAMPTZ,
    source_url          VARCHAR,
    source_field        VARCHAR,
    inferred_rule       VARCHAR,
    status              VARCHAR NOT NULL,
    decided_at          TIMESTAMPTZ,
    decided_by          VARCHAR,
    note                VARCHAR
);
INSERT INTO quarantine_v11 BY NAME
SELECT * REPLACE (CASE WHEN currency = 'USD' THEN price_id
                       ELSE identity_id(source, vendor, model, source_model_key, price_key, unit, service_tier,
                                        context_min_tokens, region, variant, currency, '') END AS price_id),
       '' AS time_window, NULL AS effective_from, NULL AS effective_to
FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_v11 RENAME TO quarantine;

-- A held run's prices (007_held_runs.sql) are price rows too. A file that ran 007 before these columns existed
-- gains them here (a fresh file's 007 has them already; a file that ran this migration before 007 gets them
-- from 007). Their stored price ids are not rewritten: accepting a held run retires by identity.
ALTER TABLE IF EXISTS run_hold_prices ADD COLUMN IF NOT EXISTS time_window VARCHAR DEFAULT '';
ALTER TABLE IF EXISTS run_hold_prices ADD COLUMN IF NOT EXISTS effective_from TIMESTAMPTZ;
ALTER TABLE IF EXISTS run_hold_prices ADD COLUMN IF NOT EXISTS effective_to TIMESTAMPTZ;

DROP MACRO identity_id;

CREATE OR REPLACE VIEW price_history AS
SELECT h.source, h.vendor, h.model, h.source_model_key, h.price_key, h.unit, h.service_tier,
       h.context_min_tokens, h.region, h.variant, h.currency, h.time_window,
       coalesce(c.corrected_price, h.price) AS price,
       h.valid_from, h.valid_to, h.source_url, h.source_field, h.inferred_rule,
       h.run_id, h.retired_run_id, r.observed_at AS last_verified_at, h.effective_from, h.effective_to
FROM price_intervals AS h
LEFT JOIN (SELECT price_id, valid_from, arg_max(corrected_price, correction_id) AS corrected_price
           FROM corrections GROUP BY ALL) AS c
  ON c.price_id = h.price_id AND c.valid_from = h.valid_from
ASOF LEFT JOIN (SELECT source, observed_at FROM runs WHERE status IN ('ok', 'partial')) AS r
  ON h.source = r.source AND coalesce(h.valid_to, 'infinity'::TIMESTAMPTZ) > r.observed_at;

-- A price in effect now (a scheduled one only once it starts; a promotion only until its stated end).
CREATE OR REPLACE VIEW prices_current AS
SELECT * EXCLUDE (valid_to, retired_run_id) FROM prices_at(now());

CREATE OR REPLACE VIEW price_changes AS
SELECT CAST(changed_at AS DATE) AS changed_on, changed_at, run_id,
       source, vendor, model, source_model_key, price_key, unit, service_tier, context_min_tokens,
       region, variant, currency, time_window, old_price, new_price,
       CASE WHEN kind = 'changed' AND old_price <> 0
            THEN round(CAST(100 * (new_price - old_price) / old_price AS DOUBLE), 2) END AS pct_change,
       kind, flag, source_field, source_url, change_id
FROM changes;

CREATE OR REPLACE VIEW quarantined_changes AS
SELECT q.change_id, CAST(q.observed_at AS DATE) AS changed_on, q.run_id, q.source, q.vendor, q.model,
       q.source_model_key, q.price_key, q.unit, q.service_tier, q.context_min_tokens, q.region, q.variant,
       q.currency, q.time_window, q.old_price, q.price AS new_price,
       CASE WHEN q.old_price <> 0
            THEN round(CAST(q.price / q.old_price AS DOUBLE), 4) END AS ratio,
       q.status, q.decided_at, q.decided_by, q.note
FROM quarantine AS q;

-- The resolver of 010_catalogue.sql, with the time of day in the ask: `time_window` '' (all day, the default)
-- or 'off-peak' (any price the vendor limits to a time window; its fallback is read from the all-day prices);
-- everything else as documented there.
CREATE OR REPLACE MACRO resolve_prices(asks) AS TABLE
WITH a AS (SELECT * FROM query_table(asks)),
offers AS (
    SELECT *, bool_or(exact = 0) OVER (PARTITION BY name, vendor) AS home FROM (
        SELECT name, source, vendor, source_model_key, min(exact) AS exact
        FROM name_entries((SELECT list(DISTINCT name) FROM a)) GROUP BY name, source, vendor, source_model_key
    )
),
wanted AS (
    SELECT ask_id, as_of, name, want_source, want_vendor, pin_source, pin_key, pin_scope, unit, context, variant,
           time_window, FALSE AS inferred, price_key, service_tier, CAST(1 AS DECIMAL(18, 6)) AS factor,
           CAST(NULL AS VARCHAR) AS rule
    FROM a
    UNION ALL
    SELECT ask_id, as_of, name, want_source, want_vendor, pin_source, pin_key, pin_scope, unit, context, variant,
           CASE WHEN time_window = 'off-peak' THEN '' ELSE time_window END, TRUE, infer_key, infer_tier,
           infer_factor, infer_rule
    FROM a WHERE infer_key IS NOT NULL
),
candidates AS (
    SELECT w.*, o.source, o.source_model_key, o.exact, o.home,
           coalesce(o.source = w.pin_source AND o.source_model_key = w.pin_key, FALSE) AS pinned
    FROM wanted AS w
    JOIN offers AS o
      ON o.name = w.name
     AND (w.want_source IS NULL OR o.source = w.want_source)
     AND (w.want_vendor IS NULL OR o.vendor = w.want_vendor)
     AND CASE w.pin_scope
             WHEN 'any' THEN TRUE
             WHEN 'source' THEN o.source = w.pin_source
             ELSE o.source = w.pin_source AND o.source_model_key = w.pin_key
         END
)
SELECT c.ask_id, c.as_of,
       CASE WHEN c.inferred THEN CAST(p.price * c.factor AS DECIMAL(38, 24)) ELSE p.price END AS price,
       c.rule, c.pinned,
       p.source, p.vendor, p.model, p.source_model_key, p.price_key, p.unit, p.service_tier,
       p.context_min_tokens, p.region, p.variant, p.currency, p.price AS row_price, p.valid_from, p.valid_to,
       p.source_url, p.source_field, p.inferred_rule, p.run_id, p.last_verified_at, p.time_window
FROM candidates AS c
JOIN price_history AS p
  ON p.source = c.source AND p.source_model_key = c.source_model_key AND p.price_key = c.price_key
 AND p.unit = c.unit AND p.service_tier = c.service_tier AND p.variant = c.variant
 AND p.region = '' AND p.currency = 'USD'
 AND CASE WHEN c.time_window = 'off-peak' THEN p.time_window <> '' ELSE p.time_window = c.time_window END
 AND (p.context_min_tokens = 0 OR c.context > p.context_min_tokens)
 AND in_effect(p.valid_from, p.valid_to, c.as_of)
QUALIFY row_number() OVER (
    PARTITION BY c.ask_id, c.as_of
    ORDER BY NOT c.pinned, c.inferred, c.exact, NOT c.home, p.source <> 'litellm', p.source, p.source_model_key <> c.name,
             p.source_model_key, p.context_min_tokens DESC, p.time_window) = 1;
