-- Azure meters get the identity the extractor now gives them (crawler/extract/azure.py); stored rows are re-keyed
-- so the next crawl or replay finds each price under its id (no `removed` + `added`), and its history (valid_from,
-- changes, corrections, quarantine, held runs) stays with it.
--
-- 1. A realtime meter names its modality inside its model part, right after `rt`: `gpt4omini-rt-aud1217 Inp` is
--    audio input, `gpt rt aud 0828 cchd Inp` cached audio input, `gpt-4o-rt-txt-1217 Outp` text output. The word
--    now sets the price key (input -> input_audio, output -> output_audio, cache_read -> cache_read_audio,
--    cache_write -> cache_write_audio; img -> the _image keys the vocabulary has; text keeps its key) and leaves
--    the name (`gpt4omini-rt-1217`, model and source_model_key alike). A general rule over stored rows: the
--    pattern is the extractor's REALTIME_MODALITY, spelled alike here (tests/test_azure_meter_identity.py checks
--    the spelling and that DuckDB and Python read names alike). The model is re-spelled by the same pattern:
--    every such name was stored as its own slug (no alias or naming rule matched it).
-- 2. Only OpenAI products read a bare version as GPT; another product's family prefixes the name. The product is
--    not stored, so the renames are those known from the captures (../shared/vendor-pages/azure, 2026-08-22:
--    Azure Grok Models `4.3`, Azure Llama Models `3.3 70b`, Azure Kimi `K2 Thinking` / `K2.6 Thinking`), listed
--    here by their old (source_model_key, model).
--
-- Not rewritten: crosscheck_intervals (derived; each check re-reads the prices, closes the results of the old
-- identities and opens those of the new: a past comparison against the text price is not relabelled as one
-- against the audio price) and entry_digests (the registry's only). catalogue_names is re-spelled from the
-- intervals (016: intervals only add names, so a source's names are those of its intervals).
-- Safe to run again and on an empty warehouse: only identities that differ from their new form are touched; the
-- helpers (macros, the mapping table) are temporary and dropped at the end.

CREATE OR REPLACE TEMP MACRO azure_rt_name(name) AS
    rtrim(regexp_replace(name, '(^|[\s-])(rt|realtime)([\s-]+)(aud|audio|txt|text|img|image)([\s-]+|(\d)|$)',
                         '\1\2\3\6', 'i'), ' -');
CREATE OR REPLACE TEMP MACRO azure_rt_medium(name) AS
    CASE lower(regexp_extract(name, '(^|[\s-])(rt|realtime)([\s-]+)(aud|audio|txt|text|img|image)([\s-]+|(\d)|$)',
                              4, 'i'))
        WHEN 'aud' THEN '_audio' WHEN 'audio' THEN '_audio' WHEN 'img' THEN '_image' WHEN 'image' THEN '_image'
        ELSE '' END;
CREATE OR REPLACE TEMP MACRO azure_rt_key(price_key, medium) AS
    CASE WHEN medium <> '' AND (price_key IN ('input', 'output')
                                OR price_key || medium IN ('cache_read_audio', 'cache_write_audio', 'cache_read_image'))
         THEN price_key || medium ELSE price_key END;
-- A price's id from its identity, as warehouse/contract.py price_id computes it (011_identity.sql had it for its
-- own use). Kept in the schema for every migration that re-keys stored prices (017, 018, 019);
-- tests/test_contract.py checks that it agrees with price_id.
CREATE OR REPLACE MACRO identity_id(source, vendor, model, source_model_key, price_key, unit, service_tier,
                                         context_min_tokens, region, variant, currency, time_window) AS
    md5(concat_ws(chr(31), source, vendor, model, source_model_key, price_key, unit, service_tier,
                  CAST(context_min_tokens AS VARCHAR), region, variant,
                  CASE WHEN currency <> 'USD' THEN currency END,
                  CASE WHEN time_window <> '' THEN time_window END));

-- Old (source_model_key, model, price_key) -> new, for every Azure identity any table holds.
CREATE OR REPLACE TEMP TABLE azure_rekey_v17 AS
WITH stored AS (
    SELECT source_model_key, model, price_key FROM price_intervals WHERE source = 'azure'
    UNION SELECT source_model_key, model, price_key FROM changes WHERE source = 'azure'
    UNION SELECT source_model_key, model, price_key FROM quarantine WHERE source = 'azure'
    UNION SELECT source_model_key, model, price_key FROM run_hold_prices WHERE source = 'azure'
),
renamed AS (
    SELECT s.source_model_key, s.model, s.price_key,
           coalesce(r.new_key, azure_rt_name(s.source_model_key)) AS new_key,
           coalesce(r.new_model, azure_rt_name(s.model)) AS new_model,
           azure_rt_key(s.price_key, azure_rt_medium(s.source_model_key)) AS new_price_key
    FROM stored AS s
    LEFT JOIN (VALUES ('4.3', 'gpt-4.3', 'Grok 4.3', 'grok-4.3'),
                      ('3.3 70b', 'gpt-3.3-70b', 'Llama 3.3 70b', 'llama-3.3-70b'),
                      ('K2 Thinking', 'k2-thinking', 'Kimi K2 Thinking', 'kimi-k2-thinking'),
                      ('K2.6 Thinking', 'k2.6-thinking', 'Kimi K2.6 Thinking', 'kimi-k2.6-thinking'))
           AS r(old_key, old_model, new_key, new_model)
      ON r.old_key = s.source_model_key AND r.old_model = s.model
)
SELECT * FROM renamed WHERE (new_key, new_model, new_price_key) <> (source_model_key, model, price_key);

-- Corrections name an interval by (price_id, valid_from): follow it before the intervals move.
UPDATE corrections AS c
SET price_id = identity_id(p.source, p.vendor, k.new_model, k.new_key, k.new_price_key, p.unit, p.service_tier,
                           p.context_min_tokens, p.region, p.variant, p.currency, p.time_window)
FROM price_intervals AS p JOIN azure_rekey_v17 AS k USING (source_model_key, model, price_key)
WHERE p.source = 'azure' AND c.price_id = p.price_id AND c.valid_from = p.valid_from;

UPDATE price_intervals AS t
SET source_model_key = k.new_key, model = k.new_model, price_key = k.new_price_key,
    price_id = identity_id(t.source, t.vendor, k.new_model, k.new_key, k.new_price_key, t.unit, t.service_tier,
                           t.context_min_tokens, t.region, t.variant, t.currency, t.time_window)
FROM azure_rekey_v17 AS k
WHERE t.source = 'azure' AND t.source_model_key = k.source_model_key AND t.model = k.model
  AND t.price_key = k.price_key;

UPDATE changes AS t
SET source_model_key = k.new_key, model = k.new_model, price_key = k.new_price_key,
    price_id = identity_id(t.source, t.vendor, k.new_model, k.new_key, k.new_price_key, t.unit, t.service_tier,
                           t.context_min_tokens, t.region, t.variant, t.currency, t.time_window)
FROM azure_rekey_v17 AS k
WHERE t.source = 'azure' AND t.source_model_key = k.source_model_key AND t.model = k.model
  AND t.price_key = k.price_key;

UPDATE quarantine AS t
SET source_model_key = k.new_key, model = k.new_model, price_key = k.new_price_key,
    price_id = identity_id(t.source, t.vendor, k.new_model, k.new_key, k.new_price_key, t.unit, t.service_tier,
                           t.context_min_tokens, t.region, t.variant, t.currency, t.time_window)
FROM azure_rekey_v17 AS k
WHERE t.source = 'azure' AND t.source_model_key = k.source_model_key AND t.model = k.model
  AND t.price_key = k.price_key;

UPDATE run_hold_prices AS t
SET source_model_key = k.new_key, model = k.new_model, price_key = k.new_price_key,
    price_id = identity_id(t.source, t.vendor, k.new_model, k.new_key, k.new_price_key, t.unit, t.service_tier,
                           t.context_min_tokens, t.region, t.variant, t.currency, t.time_window)
FROM azure_rekey_v17 AS k
WHERE t.source = 'azure' AND t.source_model_key = k.source_model_key AND t.model = k.model
  AND t.price_key = k.price_key;

-- The old names leave the catalogue; the new ones come in with their units and keys, as the loader records them.
DELETE FROM catalogue_names AS n USING azure_rekey_v17 AS k
WHERE n.source = 'azure' AND n.source_model_key = k.source_model_key AND n.model = k.model;
INSERT INTO catalogue_names
SELECT source, vendor, source_model_key, model, list(DISTINCT unit), list(DISTINCT price_key), model_name(model),
       model_key(model)
FROM price_intervals
WHERE source = 'azure' AND (source_model_key, model) IN (SELECT (new_key, new_model) FROM azure_rekey_v17)
GROUP BY source, vendor, source_model_key, model
ON CONFLICT (source, vendor, source_model_key, model) DO UPDATE
SET units = list_distinct(list_concat(units, excluded.units)), keys = list_distinct(list_concat(keys, excluded.keys));

DROP TABLE azure_rekey_v17;
DROP MACRO azure_rt_key;
DROP MACRO azure_rt_medium;
DROP MACRO azure_rt_name;
