-- A lifecycle note a page adds to a model's name ("Claude 3 Haiku (Deprecated)", "[Legacy]", "(retiring …)") says
-- when the model goes, not which model it is: the alias step now drops it (pipeline/aliases.py), so the page's
-- "Claude 3 Haiku (Deprecated)" is the model claude-3-haiku, as the registry names it. Stored prices whose model
-- kept the note as a slug (claude-3-haiku-deprecated) are renamed to the name without it, with the price id of
-- the new identity (identity_id, 017_azure_meter_identity.sql), in every table that holds a price's identity, so
-- the next crawl finds them as they are and logs no removal and addition. source_model_key keeps the page's text.
-- The rename drops the note's slug from the stored name; a name that a naming rule spells otherwise once the note
-- is gone (none in the captures: the Anthropic extractor drops such notes itself) is re-keyed by the next crawl.

CREATE TEMP TABLE _renamed AS
SELECT DISTINCT price_id AS old_id,
       regexp_replace(model, '-(deprecated|legacy|retired|retiring|sunset)(-[a-z0-9./:+-]*)?$', '') AS new_model,
       source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens, region, variant,
       currency, time_window
FROM (
    SELECT price_id, model, source, vendor, source_model_key, price_key, unit, service_tier, context_min_tokens,
           region, variant, currency, time_window FROM price_intervals
    UNION ALL SELECT price_id, model, source, vendor, source_model_key, price_key, unit, service_tier,
           context_min_tokens, region, variant, currency, time_window FROM run_hold_prices
    UNION ALL SELECT price_id, model, source, vendor, source_model_key, price_key, unit, service_tier,
           context_min_tokens, region, variant, currency, time_window FROM quarantine
    UNION ALL SELECT price_id, model, source, vendor, source_model_key, price_key, unit, service_tier,
           context_min_tokens, region, variant, currency, time_window FROM changes
)
WHERE source <> 'litellm'
  AND regexp_matches(source_model_key, '[(\[](deprecated|legacy|retired|retiring|sunset)\b[^()\[\]]*[)\]]\s*$', 'i')
  AND regexp_matches(model, '-(deprecated|legacy|retired|retiring|sunset)(-[a-z0-9./:+-]*)?$');

CREATE TEMP TABLE _rekeyed AS
SELECT old_id, new_model,
       identity_id(source, vendor, new_model, source_model_key, price_key, unit, service_tier, context_min_tokens,
                   region, variant, currency, time_window) AS new_id
FROM _renamed WHERE new_model <> '';

UPDATE price_intervals AS t SET model = r.new_model, price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE changes AS t SET model = r.new_model, price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE quarantine AS t SET model = r.new_model, price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE run_hold_prices AS t SET model = r.new_model, price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE corrections AS t SET price_id = r.new_id FROM _rekeyed AS r WHERE t.price_id = r.old_id;
UPDATE crosscheck_intervals AS t SET model = r.new_model
FROM (SELECT DISTINCT source, source_model_key, new_model FROM _renamed) AS r
WHERE t.source = r.source AND t.source_model_key = r.source_model_key AND r.new_model <> '';

-- The catalogue's names follow (016_catalogue_names.sql: intervals only ever add names, so respell them all).
DELETE FROM catalogue_names;
INSERT INTO catalogue_names
SELECT source, vendor, source_model_key, model, list(DISTINCT unit), list(DISTINCT price_key), model_name(model),
       model_key(model)
FROM price_intervals GROUP BY source, vendor, source_model_key, model;

DROP TABLE _rekeyed;
DROP TABLE _renamed;
