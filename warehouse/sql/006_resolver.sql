-- The one resolver: "the price in effect at a time" and "which offer answers a question".
-- Every reader calls these: the views prices_on / prices_current, `aiprices price`, `calc --model`,
-- `budget price`, `budget reprice` and the Python PriceBook (through warehouse/resolve.py).

-- An interval is in effect at instant t when it began at or before t and had not yet ended.
CREATE OR REPLACE MACRO in_effect(valid_from, valid_to, t) AS
    valid_from <= t AND (valid_to IS NULL OR valid_to > t);

-- "On a date" means at the last instant of that UTC day, whatever the session's time zone.
CREATE OR REPLACE MACRO end_of_day(d) AS
    (CAST(CAST(d AS DATE) + 1 AS TIMESTAMP) AT TIME ZONE 'UTC') - INTERVAL 1 MICROSECOND;

-- Snapshot at any instant, and of any date (the prices in effect at the end of that UTC day).
CREATE OR REPLACE MACRO prices_at(t) AS TABLE
SELECT * FROM price_history WHERE in_effect(valid_from, valid_to, CAST(t AS TIMESTAMPTZ));

CREATE OR REPLACE MACRO prices_on(d) AS TABLE
SELECT * FROM prices_at(end_of_day(d));

CREATE OR REPLACE VIEW prices_current AS
SELECT * EXCLUDE (valid_to, retired_run_id) FROM prices_at(now());

-- Which offer answers each ask. `asks` names a table or view with the columns of
-- warehouse/resolve.py ASK_SCHEMA, one row per (ask_id, as_of):
--   as_of                      the instant (TIMESTAMPTZ) the price must be in effect at
--   name                       a canonical model id or a source's own key
--   want_source, want_vendor   only that source / vendor (NULL: any)
--   pin_source, pin_key        the offer this ask is pinned to (NULL: none)
--   pin_scope                  'key': only the pinned offer; 'source': any key of the pinned source; 'any'
--   price_key, unit, service_tier, context, variant   the price wanted; context = prompt tokens
--   infer_key, infer_tier, infer_factor, infer_rule   the documented fallback when it is not published
--                              (e.g. cache_read = 0.1 x input, "cached input = 10% of input"), or NULL
-- Ranking, first difference wins: the pinned offer; a published price before the fallback; source
-- litellm, then sources A-Z; the key spelled exactly as asked, then keys A-Z; the highest long-context
-- tier the prompt exceeds. Only global (region '') USD rows answer. An ask no offer answers has no row.
-- Callers ask each distinct question once (warehouse/resolve.py prompt_class: prompts between the same two
-- thresholds ask the same question) and fan the answers out themselves.
CREATE OR REPLACE MACRO resolve_prices(asks) AS TABLE
WITH a AS (SELECT * FROM query_table(asks)),
offers AS (
    SELECT DISTINCT n.name, k.source, k.vendor, k.source_model_key
    FROM (SELECT DISTINCT name FROM a) AS n
    JOIN (SELECT DISTINCT source, vendor, model, source_model_key FROM price_intervals) AS k
      ON k.model = n.name OR k.source_model_key = n.name
),
wanted AS (
    SELECT ask_id, as_of, name, want_source, want_vendor, pin_source, pin_key, pin_scope, unit, context, variant,
           FALSE AS inferred, price_key, service_tier, CAST(1 AS DECIMAL(18, 6)) AS factor,
           CAST(NULL AS VARCHAR) AS rule
    FROM a
    UNION ALL
    SELECT ask_id, as_of, name, want_source, want_vendor, pin_source, pin_key, pin_scope, unit, context, variant,
           TRUE, infer_key, infer_tier, infer_factor, infer_rule
    FROM a WHERE infer_key IS NOT NULL
),
candidates AS (
    SELECT w.*, o.source, o.source_model_key,
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
       p.source_url, p.source_field, p.inferred_rule, p.run_id, p.last_verified_at
FROM candidates AS c
JOIN price_history AS p
  ON p.source = c.source AND p.source_model_key = c.source_model_key AND p.price_key = c.price_key
 AND p.unit = c.unit AND p.service_tier = c.service_tier AND p.variant = c.variant
 AND p.region = '' AND p.currency = 'USD'
 AND (p.context_min_tokens = 0 OR c.context > p.context_min_tokens)
 AND in_effect(p.valid_from, p.valid_to, c.as_of)
QUALIFY row_number() OVER (
    PARTITION BY c.ask_id, c.as_of
    ORDER BY NOT c.pinned, c.inferred, p.source <> 'litellm', p.source, p.source_model_key <> c.name,
             p.source_model_key, p.context_min_tokens DESC) = 1;
