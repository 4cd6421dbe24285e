-- LiteLLM providers that are one endpoint of a vendor are now read as that vendor's prices in a variant
-- (crawler/extract/litellm_keys.py ENDPOINT_VARIANTS): `bedrock_mantle/…` is Bedrock's Mantle endpoint (vendor
-- bedrock, variant "mantle", as the AWS price list files its bedrock-mantle usage, so the cross-check compares
-- them with the page's Mantle prices), `codestral/…` and `text-completion-codestral/…` Mistral's separate
-- codestral.mistral.ai endpoint (vendor mistral, variant "codestral-endpoint", so its prices are never compared
-- with api.mistral.ai's). Registry prices stored under the old identity are re-keyed (identity_id,
-- 017_azure_meter_identity.sql) in every table holding a price's identity, so the next refresh logs no
-- removal and addition; the catalogue's names are respelled.

CREATE TEMP TABLE _endpoints AS
SELECT * FROM (VALUES ('bedrock_mantle/', 'bedrock', 'mantle'),
                      ('codestral/', 'mistral', 'codestral-endpoint'),
                      ('text-completion-codestral/', 'mistral', 'codestral-endpoint')) AS e(prefix, vendor, variant);

CREATE TEMP TABLE _rekeyed AS
SELECT DISTINCT price_id AS old_id, new_vendor, new_variant,
       identity_id(source, new_vendor, model, source_model_key, price_key, unit, service_tier, context_min_tokens,
                   region, new_variant, currency, time_window) AS new_id
FROM (
    SELECT p.*, e.vendor AS new_vendor,
           CASE WHEN p.variant = '' THEN e.variant ELSE e.variant || '/' || p.variant END AS new_variant
    FROM (SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM price_intervals
          UNION ALL SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM run_hold_prices
          UNION ALL SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM quarantine
          UNION ALL SELECT price_id, source, vendor, model, source_model_key, price_key, unit, service_tier,
                 context_min_tokens, region, variant, currency, time_window FROM changes) AS p
    JOIN _endpoints AS e ON starts_with(p.source_model_key, e.prefix)
    WHERE p.source = 'litellm' AND p.variant <> e.variant AND NOT starts_with(p.variant, e.variant || '/')
);

UPDATE price_intervals AS t SET vendor = r.new_vendor, variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE changes AS t SET vendor = r.new_vendor, variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE quarantine AS t SET vendor = r.new_vendor, variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE run_hold_prices AS t SET vendor = r.new_vendor, variant = r.new_variant, price_id = r.new_id
FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE corrections AS t SET price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;

DELETE FROM catalogue_names AS n
WHERE n.source = 'litellm' AND EXISTS (SELECT 1 FROM _endpoints AS e WHERE starts_with(n.source_model_key, e.prefix));
INSERT OR IGNORE INTO catalogue_names
SELECT source, vendor, source_model_key, model, list(DISTINCT unit), list(DISTINCT price_key), model_name(model),
       model_key(model)
FROM price_intervals AS p
WHERE source = 'litellm' AND EXISTS (SELECT 1 FROM _endpoints AS e WHERE starts_with(p.source_model_key, e.prefix))
GROUP BY source, vendor, source_model_key, model;

DROP TABLE _rekeyed;
DROP TABLE _endpoints;
