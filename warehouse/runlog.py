"""Reading the run log (the ``crawl_runs`` view): recent runs, each source's latest, what is loaded."""

from __future__ import annotations

from datetime import datetime


def recent_runs(con, source: str | None = None, limit: int = 20) -> tuple[list[str], list[tuple]]:
    """The newest runs, most recently started first, optionally of one source."""
    sql = (
        "SELECT run_id, source, kind, status, observed_at, round(seconds, 1) AS seconds, items, added, changed, "
        "removed, error FROM crawl_runs"
    )
    params: list = []
    if source:
        sql += " WHERE source = ?"
        params.append(source)
    sql += " ORDER BY started_at DESC, observed_at DESC, run_id LIMIT ?"
    cur = con.execute(sql, [*params, int(limit)])
    return [d[0] for d in cur.description], cur.fetchall()


def latest_run_per_source(con) -> list[tuple]:
    """``(source, status, observed_at as text, error)`` of each source's newest run."""
    return con.execute(
        "SELECT source, arg_max(status, observed_at), CAST(max(observed_at) AS VARCHAR), "
        "arg_max(error, observed_at) FROM crawl_runs GROUP BY source ORDER BY source"
    ).fetchall()


def verified_summary(con, fresh_days: int = 2) -> str | None:
    """``N of M vendors verified within D days`` (``vendor_status_within``); None before any crawl."""
    row = con.execute("SELECT any_value(summary) FROM vendor_status_within(?)", [fresh_days]).fetchone()
    return row[0]


def newest_loaded(con) -> dict[str, datetime]:
    """Per source, the newest observation loaded with prices (``ok`` or ``partial``)."""
    rows = con.execute(
        "SELECT source, max(observed_at) FROM crawl_runs WHERE status IN ('ok', 'partial') GROUP BY source"
    ).fetchall()
    return dict(rows)
