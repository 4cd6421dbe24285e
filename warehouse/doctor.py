"""Integrity checks over the warehouse: intervals, changelog and runs must tell one consistent story.

Each check is one SQL query returning the offending rows (none when healthy). The loader only writes in
whole transactions, so any finding means a bug or a hand edit, never a crash half-way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from .errors import WarehouseDamaged
from .open_errors import first_line, is_damage

SAMPLE = 5
# Changelog rows that never reached the intervals on purpose (held back, then dropped or still waiting).
NOT_APPLIED = "('quarantined', 'rejected')"

CHECKS: dict[str, tuple[str, str]] = {
    "overlapping_intervals": (
        "validity intervals of one price overlap, are empty, or more than one is open",
        """
        SELECT price_id, source, source_model_key, price_key, valid_from, valid_to FROM (
            SELECT *, lead(valid_from) OVER w AS next_from,
                   count(*) FILTER (WHERE valid_to IS NULL) OVER (PARTITION BY price_id) AS n_open
            FROM price_intervals WINDOW w AS (PARTITION BY price_id ORDER BY valid_from, valid_to NULLS LAST))
        WHERE (valid_to IS NOT NULL AND valid_to <= valid_from)
           OR (next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from))
           OR n_open > 1
        ORDER BY price_id, valid_from
        """,
    ),
    "change_without_history": (
        "a changelog row that no interval of the history matches",
        f"""
        SELECT c.change_id, c.run_id, c.source, c.source_model_key, c.price_key, c.kind, c.changed_at
        FROM changes AS c
        WHERE coalesce(c.flag, '') NOT IN {NOT_APPLIED} AND (
            (c.kind IN ('added', 'changed') AND NOT EXISTS (
                SELECT 1 FROM price_intervals h WHERE h.price_id = c.price_id AND h.valid_from = c.changed_at
                  AND h.price = c.new_price))
         OR (c.kind IN ('changed', 'removed') AND NOT EXISTS (
                SELECT 1 FROM price_intervals h WHERE h.price_id = c.price_id AND h.valid_to = c.changed_at
                  AND h.price = c.old_price))
         OR (c.kind = 'removed' AND EXISTS (
                SELECT 1 FROM price_intervals h WHERE h.price_id = c.price_id AND h.valid_from = c.changed_at)))
        ORDER BY c.changed_at
        """,
    ),
    "history_without_change": (
        "an interval that opened or closed with no changelog row saying so",
        f"""
        SELECT h.price_id, h.source, h.source_model_key, h.price_key, h.valid_from, h.valid_to
        FROM price_intervals AS h
        WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.price_id = h.price_id
                            AND c.changed_at = h.valid_from AND c.kind IN ('added', 'changed')
                            AND coalesce(c.flag, '') NOT IN {NOT_APPLIED})
           OR (h.valid_to IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM changes c WHERE c.price_id = h.price_id AND c.changed_at = h.valid_to
                  AND c.kind IN ('changed', 'removed') AND coalesce(c.flag, '') NOT IN {NOT_APPLIED}))
        ORDER BY h.valid_from
        """,
    ),
    "orphaned_intervals": (
        "an interval opened or retired by a run that crawl_runs does not know",
        """
        SELECT price_id, source, source_model_key, run_id, retired_run_id FROM price_intervals h
        WHERE run_id NOT IN (SELECT run_id FROM runs)
           OR (retired_run_id IS NOT NULL AND retired_run_id NOT IN (SELECT run_id FROM runs))
        """,
    ),
    "orphaned_changes": (
        "a changelog row of a run that crawl_runs does not know",
        "SELECT change_id, run_id, source, source_model_key FROM changes WHERE run_id NOT IN (SELECT run_id FROM runs)",
    ),
    "orphaned_crosschecks": (
        "a cross-check opened, retired or recorded by a run that crawl_runs does not know",
        """
        SELECT DISTINCT run_id, source FROM (
            SELECT run_id, source FROM crosscheck_intervals
            UNION ALL SELECT retired_run_id, source FROM crosscheck_intervals WHERE retired_run_id IS NOT NULL
            UNION ALL SELECT run_id, source FROM crosscheck_runs)
        WHERE run_id NOT IN (SELECT run_id FROM runs)
        """,
    ),
    "run_counts": (
        "a run whose added/changed/removed counts differ from its changelog rows at its own instant",
        # A run counts what changed when it ran; a change its page dated ahead (a promotion's stated end, a
        # scheduled price) is logged under the run at that date, and a later run may re-date it.
        """
        SELECT r.run_id, r.source, r.added, r.changed, r.removed, c.added AS rows_added,
               c.changed AS rows_changed, c.removed AS rows_removed
        FROM runs r LEFT JOIN (
            SELECT c.run_id, count(*) FILTER (WHERE c.kind = 'added') AS added,
                   count(*) FILTER (WHERE c.kind = 'changed') AS changed,
                   count(*) FILTER (WHERE c.kind = 'removed') AS removed
            FROM changes AS c JOIN runs AS o ON o.run_id = c.run_id AND c.changed_at = o.observed_at
            GROUP BY c.run_id) c USING (run_id)
        WHERE (r.added, r.changed, r.removed) IS DISTINCT FROM
              (coalesce(c.added, 0), coalesce(c.changed, 0), coalesce(c.removed, 0))
        """,
    ),
    "failed_run_wrote_prices": (
        "a failed run that nevertheless opened, retired or changed prices",
        """
        SELECT run_id, source FROM runs WHERE status = 'failed' AND (
            run_id IN (SELECT run_id FROM changes) OR run_id IN (SELECT run_id FROM price_intervals)
            OR run_id IN (SELECT retired_run_id FROM price_intervals WHERE retired_run_id IS NOT NULL))
        """,
    ),
    "bad_run_status": (
        "a run with an unknown status",
        "SELECT run_id, source, status FROM runs WHERE status NOT IN ('ok', 'partial', 'failed')",
    ),
    "stale_quarantine": (
        "a pending quarantined change whose price has no open interval or whose changelog row is gone",
        """
        SELECT q.change_id, q.source, q.source_model_key, q.price_key FROM quarantine q
        WHERE q.status = 'pending' AND (
            NOT EXISTS (SELECT 1 FROM price_intervals h WHERE h.price_id = q.price_id AND h.valid_to IS NULL)
            OR NOT EXISTS (SELECT 1 FROM changes c WHERE c.change_id = q.change_id AND c.flag = 'quarantined'))
        """,
    ),
}


@dataclass
class Finding:
    check: str
    description: str
    count: int
    sample: list[tuple] = field(default_factory=list)


def run_checks(con) -> list[Finding]:
    """Every check; only the failing ones are returned (an empty list means healthy).

    A damaged block is found only when a check reads it: that is ``WarehouseDamaged``, not a failed query.
    """
    findings = []
    for name, (description, sql) in CHECKS.items():
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error as exc:
            if not is_damage(exc):
                raise
            detail = first_line(exc)
            raise WarehouseDamaged(f"check {name} read a damaged block ({detail})", detail) from None
        if rows:
            findings.append(Finding(name, description, len(rows), rows[:SAMPLE]))
    return findings


def summary(con) -> dict[str, int]:
    """What was checked: row counts of the tables the checks read."""
    out = {}
    for table in ("runs", "price_intervals", "changes", "quarantine", "corrections"):
        (out[table],) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return out
