-- Actual usage read from usage exports (`aiprices usage import`): one row per usage source, UTC day, model and
-- service tier, with the day's token and request counts as the export states them. `input_tokens` is the
-- whole prompt: `cached_tokens` (read from a prompt cache) and `cache_write_tokens` / `cache_write_1h_tokens`
-- (written to one, 5-minute and 1-hour) are parts of it. `reported_cost` is the cost the export states, if
-- any (USD); ours is always computed from the day's prices by the resolver.
-- Re-importing a period replaces that source's days in it (warehouse/usage_store.py), never adds to them.
CREATE TABLE IF NOT EXISTS usage_days (
    usage_source          VARCHAR NOT NULL,
    day                   DATE NOT NULL,
    model                 VARCHAR NOT NULL,
    service_tier          VARCHAR NOT NULL DEFAULT 'standard',
    input_tokens          BIGINT NOT NULL CHECK (input_tokens >= 0),
    output_tokens         BIGINT NOT NULL CHECK (output_tokens >= 0),
    cached_tokens         BIGINT NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
    cache_write_tokens    BIGINT NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
    cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0 CHECK (cache_write_1h_tokens >= 0),
    requests              BIGINT NOT NULL DEFAULT 0 CHECK (requests >= 0),
    reported_cost         DECIMAL(38, 10),
    file                  VARCHAR NOT NULL,
    imported_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (usage_source, day, model, service_tier)
);
