-- The model catalogue: every (source, source_model_key) maps to one canonical model. The rules below are the
-- only place model ids are compared across sources (warehouse/catalogue.py is their Python face; README
-- "The model catalogue"). Producers keep writing a price's `model` as their source spells it; these rules
-- decide which spellings are one model.

-- A model id without what only says where or how it is deployed (dots kept: the spelling shown to users).
--   case                           Qwen/Qwen3-32B -> qwen3-32b
--   OpenRouter variant tags        google/gemini-2.5-pro:batch, :free, :thinking -> dropped
--   provider paths and namespaces  anthropic/claude-sonnet-4.6, accounts/fireworks/models/x -> the last segment
--                                  (with its parent where it names a task or tier: fal-ai/flux/dev -> flux-dev)
--   Vertex `@` versions            claude-3-5-haiku@20241022 -> claude-3-5-haiku-20241022
--   Bedrock inference profiles     us. eu. apac. au. jp. ca. global. us-gov. -> dropped
--   Bedrock API versions           -v1:0, -1:0, :0, and -v1 after a namespace -> dropped (a model's own -v2
--                                  stays: anthropic.claude-v2:1 -> claude-v2; firefunction-v1 is no Bedrock id)
--   Bedrock provider namespaces    anthropic.claude-..., deepseek.r1 -> claude-..., deepseek-r1
--   Vertex MaaS, regional copies   -maas, a trailing -us / -eu / -global (a page's "(US)") -> dropped
--   Azure's dotless 3.5            gpt-35-turbo -> gpt-3.5-turbo
--   Fireworks' p for dots          glm-5p3-fast -> glm-5.3-fast
CREATE OR REPLACE MACRO model_name(name) AS
regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    lower(trim(name)),
    ':[a-z][a-z-]*$', ''),
    '^(.*/)?([^/]+)/([a-z]+-to-[a-z-]+|v[0-9.]+|edit|dev|pro|max|ultra|lite|fast|turbo|schnell|standard)$', '\2-\3'),
    '^.*/', ''),
    '@', '-', 'g'),
    '^(us|eu|apac|au|jp|ca|global|us-gov)\.', ''),
    '(-v1)?(-[0-9]+)?:[0-9]+$', ''),
    '^([a-z][a-z0-9-]*\.[a-z].*)-v1$', '\1'),
    '^([a-z][a-z0-9-]*)\.([a-z][0-9])', '\1-\2'),
    '^[a-z][a-z0-9-]*\.([a-z])', '\1'),
    '-(maas|us|eu|global)$', ''),
    '^gpt-35', 'gpt-3.5'),
    '([0-9])p([0-9])', '\1.\2', 'g'),
    '[\s_]+', '-', 'g');

-- The key two spellings of one model share: versions compare with dots or dashes alike
-- (claude-sonnet-4.6 = claude-sonnet-4-6, gemini-2.5-flash = gemini-2-5-flash), and a one-digit version glued
-- to its name or not (qwen-3.8-max = qwen3-8-max, llama-3.1-70b = llama3-1-70b).
CREATE OR REPLACE MACRO model_key(name) AS
regexp_replace(regexp_replace(regexp_replace(
    model_name(name),
    '([0-9])\.([0-9])', '\1-\2', 'g'),
    '([0-9])\.([0-9])', '\1-\2', 'g'),
    '([a-z])-([0-9])([^0-9]|$)', '\1\2\3', 'g');

-- A dated or pinned snapshot's undated key (claude-3-5-haiku-20241022, gpt-4o-2024-08-06, command-r-08-2024,
-- mistral-large-2411, gpt-4-0613, gemini-1.5-pro-002, mistral-large-latest): the snapshot belongs to the
-- undated model only where some source lists that undated id (see catalogue_entries).
CREATE OR REPLACE MACRO snapshot_base(k) AS
regexp_replace(k, '-([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{4}|[0-9]{3,4}|latest)$', '');

-- Internal: each (source, vendor, source_model_key, model) with its spelling, its own key and the key of
-- the canonical model it belongs to (`model_key`).
CREATE OR REPLACE VIEW catalogue_entries AS
WITH names AS (
    SELECT source, vendor, source_model_key, model, list(DISTINCT unit) AS units, list(DISTINCT price_key) AS keys
    FROM price_intervals GROUP BY ALL
),
keyed AS (
    SELECT *, model_name(model) AS spelling, model_key(model) AS key FROM names
)
SELECT k.*,
       CASE WHEN snapshot_base(k.key) <> k.key AND snapshot_base(k.key) IN (SELECT key FROM keyed)
            THEN snapshot_base(k.key) ELSE k.key END AS model_key
FROM keyed AS k;

-- A registry key's region in the pages' vocabulary. An unprefixed Bedrock key is the in-region (us-east-1)
-- price, except for models the registry also lists under `global.`: there it repeats the global price and no
-- in-region price is listed, so it maps to nothing. Azure's `us`/`eu` keys are Data Zone deployments, which
-- the Retail Prices API calls `datazone`.
CREATE OR REPLACE MACRO registry_region(vendor, region, has_global) AS CASE
    WHEN vendor = 'bedrock' AND region = '' AND NOT has_global THEN 'us-east-1'
    WHEN vendor = 'azure' AND region IN ('us', 'eu') THEN 'datazone'
    ELSE region
END;

-- Vendors that sell their own models: where one lists a model, it names the model's maker.
CREATE OR REPLACE MACRO first_party(vendor) AS
vendor IN ('openai', 'anthropic', 'gemini', 'mistral', 'deepseek', 'xai', 'cohere');

-- A model's mode from its name, else from the shape of its prices.
CREATE OR REPLACE MACRO model_mode(k, units, keys) AS CASE
    WHEN regexp_matches(k, 'moderation|(^|-)(llama-guard|virtueguard|prompt-guard)') THEN 'moderation'
    WHEN regexp_matches(k, 'rerank') THEN 'rerank'
    WHEN regexp_matches(k, 'embed') THEN 'embedding'
    WHEN regexp_matches(k, '^ft:') THEN 'fine-tuning'
    WHEN regexp_matches(k, '(^|-)(veo|sora|video|seedance|kling|hailuo)')
      OR list_has_any(keys, ['output_video']) THEN 'video'
    WHEN regexp_matches(k, 'dall-e|image|imagen|flux|stable-diffusion|sdxl|seedream|recraft|ideogram')
      OR (len(units) > 0 AND list_has_all(['per_image', 'per_1m_pixels'], units)) THEN 'image'
    WHEN regexp_matches(k, 'whisper|(^|-)tts|transcribe|speech|lyria|chirp|orpheus|playai')
      OR (len(units) > 0 AND list_has_all(['per_minute', 'per_hour', 'per_second', 'per_1m_characters'], units))
        THEN 'audio'
    WHEN len(keys) > 0 AND list_has_all(['training', 'hosting'], keys) THEN 'fine-tuning'
    ELSE 'chat'
END;

-- A model's family: its id without version, size and date tokens (claude-3-5-haiku and claude-haiku-4-5 are
-- both claude-haiku; gpt-4o-mini is gpt-mini; qwen3-32b is qwen).
CREATE OR REPLACE MACRO model_family(m) AS coalesce(nullif(array_to_string(list_filter(
    list_transform(string_split(m, '-'), t -> regexp_replace(t, '^([a-z]+)[0-9.]+[a-z]?$', '\1')),
    t -> NOT regexp_matches(t, '[0-9]') AND t <> ''), '-'), ''), m);

-- Internal: one row per canonical model with its key.
CREATE OR REPLACE VIEW catalogue_models AS
WITH spellings AS (
    SELECT model_key, spelling, bool_or(key = model_key) AS undated, bool_or(first_party(vendor)) AS first,
           count(*) AS n
    FROM catalogue_entries GROUP BY ALL
),
shown AS (
    SELECT model_key, arg_min(spelling, (NOT undated, NOT first, -n, spelling)) AS model FROM spellings GROUP BY ALL
),
makers AS (
    SELECT model_key,
           arg_min(vendor, (NOT first_party(vendor), vendor)) FILTER (WHERE first_party(vendor)) AS first,
           mode(model) FILTER (WHERE model LIKE '%/%' AND model NOT LIKE '%/%/%') AS ns_model,
           mode(vendor) AS common,
           flatten(list(units)) AS units, flatten(list(keys)) AS keys,
           count(DISTINCT source) AS sources, count(*) AS aliases
    FROM catalogue_entries GROUP BY ALL
)
SELECT m.model_key, s.model, coalesce(m.first, regexp_replace(lower(split_part(m.ns_model, '/', 1)), '[^a-z0-9-]', '', 'g'), m.common) AS vendor,
       model_family(s.model) AS family, model_mode(m.model_key, m.units, m.keys) AS mode,
       m.sources, m.aliases
FROM shown AS s JOIN makers AS m USING (model_key);

-- Public: one row per canonical model.
CREATE OR REPLACE VIEW models AS SELECT * EXCLUDE (model_key) FROM catalogue_models;

-- Public: every (source, source_model_key) and the canonical model it is.
CREATE OR REPLACE VIEW model_aliases AS
SELECT e.source, e.vendor, e.source_model_key, e.model AS source_model, m.model, m.mode
FROM catalogue_entries AS e
JOIN catalogue_models AS m USING (model_key);

-- The catalogue entries a name can mean, per name: the entries of every canonical model the name is a
-- source key or source model id of, or whose spelling or snapshot base it shares. `exact` ranks them:
-- 0 the name as a source writes it, 1 the same model spelled otherwise, 2 another id of the same model.
CREATE OR REPLACE MACRO name_entries(names) AS TABLE
WITH n AS (SELECT DISTINCT name, model_key(name) AS key FROM (SELECT unnest(names) AS name)),
hits AS (
    SELECT DISTINCT n.name, n.key, e.model_key
    FROM n JOIN catalogue_entries AS e
      ON e.source_model_key = n.name OR e.model = n.name OR e.key = n.key OR e.key = snapshot_base(n.key)
)
SELECT DISTINCT h.name, e.source, e.vendor, e.source_model_key, e.model,
       CASE WHEN e.source_model_key = h.name OR e.model = h.name THEN 0 WHEN e.key = h.key THEN 1 ELSE 2 END
         AS exact
FROM hits AS h JOIN catalogue_entries AS e ON e.model_key = h.model_key;

-- The one resolver (006_resolver.sql) now finds a name's offers through the catalogue.
-- Which offer answers each ask. `asks` names a table or view with the columns of
-- warehouse/resolve.py ASK_SCHEMA, one row per (ask_id, as_of):
--   as_of                      the instant (TIMESTAMPTZ) the price must be in effect at
--   name                       a model id or a source's own key, resolved through the catalogue (name_entries)
--   want_source, want_vendor   only that source / vendor (NULL: any)
--   pin_source, pin_key        the offer this ask is pinned to (NULL: none)
--   pin_scope                  'key': only the pinned offer; 'source': any key of the pinned source; 'any'
--   price_key, unit, service_tier, context, variant   the price wanted; context = prompt tokens
--   infer_key, infer_tier, infer_factor, infer_rule   the documented fallback when it is not published
--                              (e.g. cache_read = 0.1 x input, "cached input = 10% of input"), or NULL
-- Ranking, first difference wins: the pinned offer; a published price before the fallback; the name as a
-- source writes it, then the same model spelled otherwise, then another id of the same model (name_entries
-- `exact`); a vendor that lists the name as written; source litellm, then sources A-Z; the key spelled exactly as asked, then keys A-Z; the highest long-context
-- tier the prompt exceeds. Only global (region '') USD rows answer. An ask no offer answers has no row.
-- Callers ask each distinct question once (warehouse/resolve.py prompt_class: prompts between the same two
-- thresholds ask the same question) and fan the answers out themselves.
CREATE OR REPLACE MACRO resolve_prices(asks) AS TABLE
WITH a AS (SELECT * FROM query_table(asks)),
offers AS (
    SELECT *, bool_or(exact = 0) OVER (PARTITION BY name, vendor) AS home FROM (
        SELECT name, source, vendor, source_model_key, min(exact) AS exact
        FROM name_entries((SELECT list(DISTINCT name) FROM a)) GROUP BY name, source, vendor, source_model_key
    )
),
wanted AS (
    SELECT ask_id, as_of, name, want_source, want_vendor, pin_source, pin_key, pin_scope, unit, context, variant,
           FALSE AS inferred, price_key, service_tier, CAST(1 AS DECIMAL(18, 6)) AS factor,
           CAST(NULL AS VARCHAR) AS rule
    FROM a
    UNION ALL
    SELECT ask_id, as_of, name, want_source, want_vendor, pin_source, pin_key, pin_scope, unit, context, variant,
           TRUE, infer_key, infer_tier, infer_factor, infer_rule
    FROM a WHERE infer_key IS NOT NULL
),
candidates AS (
    SELECT w.*, o.source, o.source_model_key, o.exact, o.home,
           coalesce(o.source = w.pin_source AND o.source_model_key = w.pin_key, FALSE) AS pinned
    FROM wanted AS w
    JOIN offers AS o
      ON o.name = w.name
     AND (w.want_source IS NULL OR o.source = w.want_source)
     AND (w.want_vendor IS NULL OR o.vendor = w.want_vendor)
     AND CASE w.pin_scope
             WHEN 'any' THEN TRUE
             WHEN 'source' THEN o.source = w.pin_source
             ELSE o.source = w.pin_source AND o.source_model_key = w.pin_key
         END
)
SELECT c.ask_id, c.as_of,
       CASE WHEN c.inferred THEN CAST(p.price * c.factor AS DECIMAL(38, 24)) ELSE p.price END AS price,
       c.rule, c.pinned,
       p.source, p.vendor, p.model, p.source_model_key, p.price_key, p.unit, p.service_tier,
       p.context_min_tokens, p.region, p.variant, p.currency, p.price AS row_price, p.valid_from, p.valid_to,
       p.source_url, p.source_field, p.inferred_rule, p.run_id, p.last_verified_at
FROM candidates AS c
JOIN price_history AS p
  ON p.source = c.source AND p.source_model_key = c.source_model_key AND p.price_key = c.price_key
 AND p.unit = c.unit AND p.service_tier = c.service_tier AND p.variant = c.variant
 AND p.region = '' AND p.currency = 'USD'
 AND (p.context_min_tokens = 0 OR c.context > p.context_min_tokens)
 AND in_effect(p.valid_from, p.valid_to, c.as_of)
QUALIFY row_number() OVER (
    PARTITION BY c.ask_id, c.as_of
    ORDER BY NOT c.pinned, c.inferred, c.exact, NOT c.home, p.source <> 'litellm', p.source, p.source_model_key <> c.name,
             p.source_model_key, p.context_min_tokens DESC) = 1;
