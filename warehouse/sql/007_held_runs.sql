-- Runs held for review, and what each would still change (`aiprices review list | accept-run | reject-run`).
--
-- A guard holds a run back when it would retire half or more of its source's current prices, or lists five
-- times the items of the source's last good run: nothing of it is applied (held = 'run'). A partial run (a
-- failed page, dropped values, an item count that fell by more than half) applies its additions and changes
-- but retires nothing (held = 'retirements'). Either way the prices it would still set or retire wait in
-- run_hold_prices until a reviewer accepts the run (applied as of its observation) or rejects it, or a later
-- run of the source supersedes it.
CREATE TABLE run_holds (
    run_id              VARCHAR PRIMARY KEY,
    source              VARCHAR NOT NULL,
    observed_at         TIMESTAMPTZ NOT NULL,
    held                VARCHAR NOT NULL,      -- run | retirements
    reason              VARCHAR NOT NULL,
    current_prices      INTEGER NOT NULL,      -- prices the source held before the run
    would_add           INTEGER NOT NULL,
    would_change        INTEGER NOT NULL,
    would_retire        INTEGER NOT NULL,
    status              VARCHAR NOT NULL,      -- pending | accepted | rejected | superseded
    decided_at          TIMESTAMPTZ,
    decided_by          VARCHAR,               -- 'review', or the later run that superseded it
    note                VARCHAR
);

-- The prices a pending held run would set (a new price or value) or retire (the price it would close): the
-- contract's price row (identity with currency and time of day, value, stated dates, provenance; 011_identity).
-- A file that ran this migration before those columns existed gets them from 011_identity.sql; one that ran
-- 011 first gets them here.
CREATE TABLE run_hold_prices (
    run_id              VARCHAR NOT NULL,
    action              VARCHAR NOT NULL,      -- set | retire
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
    inferred_rule       VARCHAR
);

CREATE OR REPLACE VIEW held_runs AS
SELECT h.run_id, h.source, r.kind, h.observed_at, h.held, h.reason, h.current_prices, h.would_add,
       h.would_change, h.would_retire, h.status, h.decided_at, h.decided_by, h.note
FROM run_holds AS h JOIN runs AS r USING (run_id);
