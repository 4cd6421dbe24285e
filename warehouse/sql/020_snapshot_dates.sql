-- A snapshot's month-year suffix (command-r-08-2024) is a month and a year, not any two digits and four: the
-- catalogue read grok-4.20-0309 (key grok4-20-0309) as a "-20-0309" snapshot of grok-4, so xAI's Grok 4.20 and
-- Grok 4 (0709) were one model and the cross-check compared their prices. Now "-MM-YYYY" needs a month 01-12 and a
-- year 20YY; grok4-20-0309 is the 0309 snapshot of grok4-20. Only the macro changes: catalogue_entries applies it
-- when read, and no stored name holds its result.
CREATE OR REPLACE MACRO snapshot_base(k) AS
regexp_replace(k, '-([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}|(0[1-9]|1[0-2])-20[0-9]{2}|[0-9]{3,4}|latest)$', '');
