-- Internal tables. Public names are the views of 002_views.sql; these may change with a migration.

-- One row per load of one source: a crawl, an archive replay, or a registry copy. Internal: the contract is
-- the `crawl_runs` view (002_views.sql), which lists runs of every kind despite its name.
CREATE TABLE runs (
    run_id          VARCHAR PRIMARY KEY,
    source          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,          -- crawl | replay | registry
    observed_at     TIMESTAMPTZ NOT NULL,      -- when the prices were read (copy date, crawl time)
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,          -- ok | partial | failed
    pages           INTEGER NOT NULL DEFAULT 0,
    items           INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    added           INTEGER NOT NULL DEFAULT 0,
    changed         INTEGER NOT NULL DEFAULT 0,
    removed         INTEGER NOT NULL DEFAULT 0,
    error           VARCHAR,
    warnings        VARCHAR,
    source_url      VARCHAR,
    content_sha256  VARCHAR
);

-- SCD type 2: one row per price per validity interval; valid_to NULL = current.
CREATE TABLE price_intervals (
    price_id            VARCHAR NOT NULL,      -- md5 of the identity columns
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
    price               DECIMAL(38,24) NOT NULL,
    source_url          VARCHAR,
    source_field        VARCHAR,
    inferred_rule       VARCHAR,
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_to            TIMESTAMPTZ,
    run_id              VARCHAR NOT NULL,      -- run that opened the interval
    retired_run_id      VARCHAR                -- run that closed it
);

-- The changelog: exactly one row per price transition.
CREATE TABLE changes (
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
    kind                VARCHAR NOT NULL,      -- added | removed | changed
    flag                VARCHAR,               -- suspect_magnitude | NULL
    source_field        VARCHAR,
    source_url          VARCHAR
);

-- Page price vs registry price, per crawl run.
CREATE TABLE crosscheck_results (
    run_id              VARCHAR NOT NULL,
    checked_at          TIMESTAMPTZ NOT NULL,
    source              VARCHAR NOT NULL,
    vendor              VARCHAR,
    model               VARCHAR NOT NULL,
    price_key           VARCHAR NOT NULL,
    unit                VARCHAR NOT NULL,
    service_tier        VARCHAR NOT NULL,
    context_min_tokens  BIGINT NOT NULL,
    region              VARCHAR NOT NULL,
    variant             VARCHAR NOT NULL,
    page_price          DECIMAL(38,24),
    registry_price      DECIMAL(38,24),
    registry_model_key  VARCHAR,
    status              VARCHAR NOT NULL,      -- match | mismatch | missing_in_registry | missing_on_page
    delta               DECIMAL(38,24)
);
