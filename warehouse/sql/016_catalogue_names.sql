-- The catalogue's names are kept in a table, so a lookup no longer groups every price interval and spells every
-- name again: one row per (source, vendor, source_model_key, model) with its units and price keys and its
-- spelling and key (010_catalogue.sql model_name, 015_crosscheck_like_with_like.sql model_key). The loader adds
-- the names of each load's new intervals in the load's transaction (warehouse/catalogue.py record_names);
-- intervals only ever add names. A migration that changes model_name or model_key must respell the stored rows.
CREATE TABLE catalogue_names (
    source            VARCHAR NOT NULL,
    vendor            VARCHAR NOT NULL,
    source_model_key  VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    units             VARCHAR[] NOT NULL,
    keys              VARCHAR[] NOT NULL,
    spelling          VARCHAR NOT NULL,
    key               VARCHAR NOT NULL,
    PRIMARY KEY (source, vendor, source_model_key, model)
);
INSERT INTO catalogue_names
SELECT source, vendor, source_model_key, model, list(DISTINCT unit), list(DISTINCT price_key), model_name(model),
       model_key(model)
FROM price_intervals GROUP BY source, vendor, source_model_key, model;

-- Internal, as in 010_catalogue.sql, now read from the stored names.
CREATE OR REPLACE VIEW catalogue_entries AS
SELECT k.*,
       CASE WHEN snapshot_base(k.key) <> k.key AND snapshot_base(k.key) IN (SELECT key FROM catalogue_names)
            THEN snapshot_base(k.key) ELSE k.key END AS model_key
FROM catalogue_names AS k;
