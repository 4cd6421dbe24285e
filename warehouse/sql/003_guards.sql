-- Guards: change ids, quarantined vendor-page changes, and corrections (audit rows) overlaid on history.

-- Every changelog row gets a stable id: `aiprices review accept|reject|correct ID` names a change by it.
-- The table is rebuilt with the new column rather than altered: DuckDB 1.5 cannot replay
-- `ALTER TABLE ... ADD COLUMN ... DEFAULT nextval(...)` from its write-ahead log, so a crash before the next
-- checkpoint would leave a file nothing can open. The schema is the one the ALTER gave.
CREATE SEQUENCE change_id_seq START 1;
CREATE TABLE changes_with_ids (
    run_id              VARCHAR NOT NULL,
    changed_at          TIMESTAMPTZ NOT NULL,
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
    old_price           DECIMAL(38,24),
    new_price           DECIMAL(38,24),
    kind                VARCHAR NOT NULL,
    flag                VARCHAR,
    source_field        VARCHAR,
    source_url          VARCHAR,
    change_id           BIGINT DEFAULT nextval('change_id_seq')
);
INSERT INTO changes_with_ids BY NAME SELECT * FROM changes ORDER BY rowid;
DROP TABLE changes;
ALTER TABLE changes_with_ids RENAME TO changes;

-- A vendor-page price that moved 10x or more (or to/from zero): recorded in `changes` (flag 'quarantined')
-- but NOT applied to the intervals until the next crawl shows the same value or a reviewer accepts it.
-- The row keeps everything needed to open the new interval later.
CREATE TABLE quarantine (
    change_id           BIGINT PRIMARY KEY,    -- the changes row it holds back
    run_id              VARCHAR NOT NULL,      -- run that observed the suspect value
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
    old_price           DECIMAL(38,24),
    price               DECIMAL(38,24) NOT NULL,
    source_url          VARCHAR,
    source_field        VARCHAR,
    inferred_rule       VARCHAR,
    status              VARCHAR NOT NULL,      -- pending | confirmed | accepted | rejected | superseded
    decided_at          TIMESTAMPTZ,
    decided_by          VARCHAR,               -- crawl run id, or 'review'
    note                VARCHAR
);

-- "The old value was wrong": the interval that ended at the change is repriced to the change's new value
-- for every reader of price_history; the original value stays here and in price_intervals (audit).
CREATE SEQUENCE correction_id_seq START 1;
CREATE TABLE corrections (
    correction_id       BIGINT PRIMARY KEY DEFAULT nextval('correction_id_seq'),
    change_id           BIGINT NOT NULL,
    price_id            VARCHAR NOT NULL,
    valid_from          TIMESTAMPTZ NOT NULL,  -- the corrected interval
    original_price      DECIMAL(38,24) NOT NULL,
    corrected_price     DECIMAL(38,24) NOT NULL,
    corrected_at        TIMESTAMPTZ NOT NULL,
    note                VARCHAR
);

CREATE OR REPLACE VIEW price_history AS
SELECT h.source, h.vendor, h.model, h.source_model_key, h.price_key, h.unit, h.service_tier,
       h.context_min_tokens, h.region, h.variant, h.currency, coalesce(c.corrected_price, h.price) AS price,
       h.valid_from, h.valid_to, h.source_url, h.source_field, h.inferred_rule,
       h.run_id, h.retired_run_id, r.observed_at AS last_verified_at
FROM price_intervals AS h
LEFT JOIN (SELECT price_id, valid_from, arg_max(corrected_price, correction_id) AS corrected_price
           FROM corrections GROUP BY ALL) AS c
  ON c.price_id = h.price_id AND c.valid_from = h.valid_from
ASOF LEFT JOIN (SELECT source, observed_at FROM runs WHERE status IN ('ok', 'partial')) AS r
  ON h.source = r.source AND coalesce(h.valid_to, 'infinity'::TIMESTAMPTZ) > r.observed_at;

CREATE OR REPLACE VIEW prices_current AS
SELECT * EXCLUDE (valid_to, retired_run_id) FROM price_history WHERE valid_to IS NULL;

CREATE OR REPLACE VIEW price_changes AS
SELECT CAST(changed_at AS DATE) AS changed_on, changed_at, run_id,
       source, vendor, model, source_model_key, price_key, unit, service_tier, context_min_tokens,
       region, variant, currency, old_price, new_price,
       CASE WHEN kind = 'changed' AND old_price <> 0
            THEN round(CAST(100 * (new_price - old_price) / old_price AS DOUBLE), 2) END AS pct_change,
       kind, flag, source_field, source_url, change_id
FROM changes;

-- Changes held back for review (`aiprices review list`).
CREATE OR REPLACE VIEW quarantined_changes AS
SELECT q.change_id, CAST(q.observed_at AS DATE) AS changed_on, q.run_id, q.source, q.vendor, q.model,
       q.source_model_key, q.price_key, q.unit, q.service_tier, q.context_min_tokens, q.region, q.variant,
       q.currency, q.old_price, q.price AS new_price,
       CASE WHEN q.old_price <> 0
            THEN round(CAST(q.price / q.old_price AS DOUBLE), 4) END AS ratio,
       q.status, q.decided_at, q.decided_by, q.note
FROM quarantine AS q;
