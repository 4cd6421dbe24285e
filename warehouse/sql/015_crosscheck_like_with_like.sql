-- Cross-checks compare like with like (warehouse/crosscheck.py; README "Cross-check").
--
-- 1. Word order in the catalogue's key: a family name and its version in either order are one model
--    (claude-sonnet-4 = claude-4-sonnet, gemini-flash-lite-2.0 = gemini-2.0-flash-lite): the key writes the
--    version right after the family. Only a version of one- or two-digit numbers without a leading zero moves,
--    and only ahead of words (letters only) that follow the family; sizes (70b), dated or pinned snapshots
--    (-20250514, -2411, -08-2024) and tokens mixing letters and digits (4o, v3) never move, so different sizes,
--    versions or snapshots stay different models.
CREATE OR REPLACE MACRO model_key(name) AS
regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    model_name(name),
    '([0-9])\.([0-9])', '\1-\2', 'g'),
    '([0-9])\.([0-9])', '\1-\2', 'g'),
    '^([a-z]+)((?:-[a-z]+)+)-((?:[1-9][0-9]?|0)(?:-(?:[1-9][0-9]?|0))*)(-|$)', '\1-\3\2\4'),
    '([a-z])-([0-9])([^0-9]|$)', '\1\2\3', 'g');

-- 2. A price divided by a whole number, exactly to the 24 decimals prices are stored with (truncated): DuckDB
--    divides decimals as doubles. The cross-check states a registry price per hour in a page's unit per second.
CREATE OR REPLACE MACRO price_divided(x, k) AS (
    SELECT CAST(left(s, len(s) - 24) || '.' || right(s, 24) AS DECIMAL(38,24))
    FROM (SELECT repeat('0', greatest(0, 25 - len(t))) || t AS s
          FROM (SELECT CAST(CAST(replace(CAST(CAST(x AS DECIMAL(38,24)) AS VARCHAR), '.', '') AS HUGEINT) // k
                            AS VARCHAR) AS t)));

-- 3. A result's identity gains the page price's currency and time of day (a CNY or an off-peak page price is
--    its own result), and a result names the registry price key and unit it was compared with (the registry's
--    `input` per second for a page's `input_audio` per minute). Results stored before keep USD, all day, and
--    were compared under the page's own key and unit.
ALTER TABLE crosscheck_intervals ADD COLUMN currency VARCHAR DEFAULT 'USD';
ALTER TABLE crosscheck_intervals ADD COLUMN time_window VARCHAR DEFAULT '';
ALTER TABLE crosscheck_intervals ADD COLUMN registry_price_key VARCHAR;
ALTER TABLE crosscheck_intervals ADD COLUMN registry_unit VARCHAR;
UPDATE crosscheck_intervals SET currency = 'USD', time_window = ''
WHERE currency IS NULL OR time_window IS NULL;
UPDATE crosscheck_intervals SET registry_price_key = price_key, registry_unit = unit WHERE registry_price IS NOT NULL;

CREATE OR REPLACE VIEW crosschecks AS
SELECT c.run_id, k.checked_at, c.source, c.vendor, c.model, c.price_key, c.unit, c.service_tier,
       c.context_min_tokens, c.region, c.variant, c.page_price, c.registry_price, c.registry_model_key, c.status,
       c.delta, c.source_model_key, c.valid_from, c.valid_to, k.run_id AS last_run_id, c.retired_run_id,
       c.currency, c.time_window, c.registry_price_key, c.registry_unit
FROM crosscheck_intervals AS c
ASOF LEFT JOIN crosscheck_runs AS k
  ON c.source = k.source AND coalesce(c.valid_to, 'infinity'::TIMESTAMPTZ) > k.observed_at;

CREATE OR REPLACE VIEW crosschecks_current AS
SELECT * EXCLUDE (valid_to, retired_run_id) FROM crosschecks WHERE valid_to IS NULL;
