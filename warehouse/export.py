"""Parquet export: the history and the changelog, partitioned by source and date (hive layout).

``DIR/price_history/source=S/date=D/*.parquet`` holds the intervals that opened on D;
``DIR/price_changes/source=S/date=D/*.parquet`` the changes recorded on D. Re-exporting a day deletes and
rewrites only that day's partitions, so an export is idempotent and other days are left alone.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

_TABLES = {
    "price_history": "SELECT *, CAST(valid_from AS DATE) AS date FROM price_history",
    "price_changes": "SELECT *, changed_on AS date FROM price_changes",
}


def export_parquet(con, out: Path, on: date | None = None) -> dict[str, int]:
    """Write the partitions (all days, or only ``on``); return rows written per table."""
    out = Path(out)
    written = {}
    for name, select in _TABLES.items():
        query = f"SELECT * FROM ({select}) WHERE ($on::DATE IS NULL OR date = $on::DATE)"
        (count,) = con.execute(f"SELECT count(*) FROM ({query})", {"on": on}).fetchone()
        written[name] = count
        target = out / name
        target.mkdir(parents=True, exist_ok=True)
        days = [on] if on else [d for (d,) in con.execute(f"SELECT DISTINCT date FROM ({select})").fetchall()]
        for part in target.glob("source=*/date=*"):
            if date.fromisoformat(part.name.removeprefix("date=")) in days:
                shutil.rmtree(part)
        if count:
            con.execute(
                f"COPY ({query}) TO '{_quote(target)}' (FORMAT parquet, PARTITION_BY (source, date), "
                "OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part_{i}', COMPRESSION zstd)",
                {"on": on},
            )
    return written


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
