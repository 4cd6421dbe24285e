-- The completeness audit of a page run, and which page it read.
--   rows_seen:   rows (or model entries) of the page that look priced: a money amount next to a model name
--                or in a price column; NULL for runs without an audit (registry copies, runs before this).
--   rows_priced: those that produced at least one price.
--   page_kind:   the page format read (the capture kind of a replay, e.g. 'docs.md', 'html'; '' for a live
--                fetch): the guards compare a run with the previous run of the same page (source_url + kind).
ALTER TABLE runs ADD COLUMN rows_seen INTEGER;
ALTER TABLE runs ADD COLUMN rows_priced INTEGER;
ALTER TABLE runs ADD COLUMN page_kind VARCHAR;

CREATE OR REPLACE VIEW crawl_runs AS
SELECT run_id, source, kind, status, observed_at, started_at, finished_at,
       CAST(epoch(finished_at) - epoch(started_at) AS DOUBLE) AS seconds,
       pages, items, rejected, added, changed, removed, error, warnings, source_url, content_sha256,
       page_kind, rows_seen, rows_priced,
       CASE WHEN rows_seen > 0 THEN CAST(rows_priced / rows_seen AS DECIMAL(5, 4)) END AS coverage
FROM runs;
