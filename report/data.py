"""What the report shows, read from the warehouse's public views in a few set-based queries.

Every page is built from these lists; nothing here formats text. One query per view (not one per model),
so the report over thousands of models costs a handful of scans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

IDENTITY = ("source", "source_model_key", "price_key", "unit", "service_tier", "context_min_tokens", "region",
            "variant", "currency", "time_window")  # fmt: skip


def _dicts(cur) -> list[dict]:
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


@dataclass
class SourceRow:
    """One row of the status table."""

    source: str
    status: str | None
    last_verified_at: datetime | None
    last_run_at: datetime | None
    last_error: str | None
    prices: int = 0
    changes_7d: int = 0
    changes_30d: int = 0
    fresh: bool = False


@dataclass
class Overview:
    newest_observation: datetime | None
    vendors: list[SourceRow] = field(default_factory=list)
    others: list[SourceRow] = field(default_factory=list)  # aggregators and registries
    fresh_days: int = 2

    @property
    def verified(self) -> int:
        return sum(v.fresh for v in self.vendors)


def overview(con, now: datetime, fresh_days: int) -> Overview:
    """Per source: last verified, last run's status, prices held, changes in the last 7 and 30 days."""
    (newest,) = con.execute("SELECT max(observed_at) FROM crawl_runs WHERE status IN ('ok', 'partial')").fetchone()
    today = now.date()
    counts = {
        r["source"]: r
        for r in _dicts(con.execute(
            """
            SELECT source, sum(prices) AS prices, sum(c7) AS c7, sum(c30) AS c30 FROM (
                SELECT source, count(*) AS prices, 0 AS c7, 0 AS c30 FROM prices_current GROUP BY source
                UNION ALL
                SELECT source, 0, count(*) FILTER (WHERE changed_on > ?), count(*) FROM price_changes
                WHERE changed_on > ? GROUP BY source
            ) GROUP BY source
            """,
            [today - timedelta(days=7), today - timedelta(days=30)],
        ))
    }  # fmt: skip
    crawled = _dicts(con.execute(
        "SELECT vendor AS source, status, last_verified_at, last_run_at, last_error, aggregator, verified "
        "FROM vendor_status_within(?, as_of := ?) ORDER BY vendor",
        [fresh_days, now],
    ))  # fmt: skip
    registries = _dicts(con.execute(
        "SELECT source, arg_max(status, observed_at) AS status, max(observed_at) FILTER (WHERE status = 'ok') "
        "AS last_verified_at, max(observed_at) AS last_run_at, arg_max(error, observed_at) AS last_error "
        "FROM crawl_runs WHERE kind = 'registry' GROUP BY source ORDER BY source"
    ))  # fmt: skip
    out = Overview(newest, fresh_days=fresh_days)
    cutoff = now - timedelta(days=fresh_days)
    for raw in crawled + registries:
        c = counts.get(raw["source"], {})
        # vendor_status_within judges aggregators and freshness; a registry is neither a vendor nor judged there
        aggregator, verified = raw.pop("aggregator", True), raw.pop("verified", None)
        row = SourceRow(**raw, prices=int(c.get("prices") or 0), changes_7d=int(c.get("c7") or 0),
                        changes_30d=int(c.get("c30") or 0))  # fmt: skip
        if verified is None:
            verified = row.last_verified_at is not None and row.last_verified_at >= cutoff
        row.fresh = verified
        (out.others if aggregator else out.vendors).append(row)
    return out


def changes(con) -> list[dict]:
    """The whole changelog, newest first."""
    return _dicts(con.execute(
        "SELECT changed_on, source, vendor, model, source_model_key, price_key, unit, service_tier, "
        "context_min_tokens, region, variant, currency, old_price, new_price, pct_change, kind, flag, source_url "
        "FROM price_changes ORDER BY changed_at DESC, source, source_model_key, price_key, service_tier, "
        "context_min_tokens, region, variant"
    ))  # fmt: skip


def histories(con) -> dict[str, list[dict]]:
    """Every validity interval, by canonical model, in identity then time order."""
    by_model: dict[str, list[dict]] = defaultdict(list)
    rows = _dicts(con.execute(
        f"SELECT model, vendor, {', '.join(IDENTITY)}, price, valid_from, valid_to FROM price_history "
        f"ORDER BY model, {', '.join(IDENTITY)}, valid_from"
    ))  # fmt: skip
    for row in rows:
        by_model[row["model"]].append(row)
    return dict(by_model)


def prices_on(con, day: date) -> dict[str, list[dict]]:
    """The prices in effect at the end of ``day`` (the ``prices_on`` macro, as ``aiprices price`` reads)."""
    by_model: dict[str, list[dict]] = defaultdict(list)
    rows = _dicts(con.execute(
        f"SELECT model, vendor, {', '.join(IDENTITY)}, price, valid_from, last_verified_at, source_url, "
        f"source_field, inferred_rule FROM prices_on(?::DATE) ORDER BY model, {', '.join(IDENTITY)}",
        [day],
    ))  # fmt: skip
    for row in rows:
        by_model[row["model"]].append(row)
    return dict(by_model)


def disagreements(con) -> list[dict]:
    """Where a page and the registry disagree in their latest cross-check, by vendor."""
    return _dicts(con.execute(
        """
        SELECT * FROM crosschecks_current WHERE status = 'mismatch'
        ORDER BY vendor, source, model, price_key, service_tier, context_min_tokens, region, variant
        """
    ))  # fmt: skip


def recent_runs(con, limit: int = 300) -> list[dict]:
    return _dicts(con.execute(
        "SELECT run_id, source, kind, status, observed_at, started_at, seconds, pages, items, rejected, added, "
        "changed, removed, error FROM crawl_runs ORDER BY started_at DESC, source LIMIT ?",
        [limit],
    ))  # fmt: skip
