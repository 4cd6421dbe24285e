-- LiteLLM's `bedrock_mantle/…` keys are Bedrock's Mantle (OpenAI-compatible) endpoint: the registry reader now files
-- them as vendor bedrock, variant "mantle" (crawler/extract/litellm_keys.py ENDPOINT_VARIANTS), as the AWS price
-- list files its bedrock-mantle usage, so the cross-check compares them with the page's Mantle prices. Registry
-- prices stored under vendor bedrock_mantle are re-keyed to that identity (the price id the loader computes, see
-- 018_lifecycle_notes.sql) in every table holding a price's identity, so the next refresh logs no removal and
-- addition; the catalogue's names are respelled.

CREATE OR REPLACE TEMP MACRO identity_id(source, vendor, model, source_model_key, price_key, unit, service_tier,
                                         context_min_tokens, region, variant, currency, time_window) AS
    md5(concat_ws(chr(31), source, vendor, model, source_model_key, price_key, unit, service_tier,
                  CAST(context_min_tokens AS VARCHAR), region, variant,
                  CASE WHEN currency <> 'USD' THEN currency END,
                  CASE WHEN time_window <> '' THEN time_window END));

CREATE TEMP TABLE _rekeyed AS
SELECT DISTINCT price_id AS old_id, new_variant,
       identity_id(source, 'bedrock', model, source_model_key, price_key, unit, service_tier, context_min_tokens,
                   region, new_variant, currency, time_window) AS new_id
FROM (
    SELECT *, CASE WHEN variant = '' THEN 'mantle' ELSE 'mantle/' || variant END AS new_variant
    FROM (SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM price_intervals
          UNION ALL SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM run_hold_prices
          UNION ALL SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM quarantine
          UNION ALL SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM changes)
    WHERE source = 'litellm' AND vendor = 'bedrock_mantle'
);

UPDATE price_intervals AS t SET vendor = 'bedrock', variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE changes AS t SET vendor = 'bedrock', variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE quarantine AS t SET vendor = 'bedrock', variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE run_hold_prices AS t SET vendor = 'bedrock', variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE corrections AS t SET price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;

DELETE FROM catalogue_names WHERE source = 'litellm' AND vendor = 'bedrock_mantle';
INSERT OR IGNORE INTO catalogue_names
SELECT source, vendor, source_model_key, model, list(DISTINCT unit), list(DISTINCT price_key), model_name(model),
       model_key(model)
FROM price_intervals WHERE source = 'litellm' AND vendor = 'bedrock' AND starts_with(source_model_key, 'bedrock_mantle/')
GROUP BY source, vendor, source_model_key, model;

DROP TABLE _rekeyed;
DROP MACRO identity_id;
