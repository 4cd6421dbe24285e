"""The Python face of the model catalogue (``sql/010_catalogue.sql``): which prices a model name means.

The rules that decide which spellings are one model live in that one SQL file, so that views, the resolver
and the cross-check apply them inside DuckDB; this module asks them questions and owns the one did-you-mean.
"""

from __future__ import annotations

import difflib

from .errors import UnknownModel

# The modes a model can have (``models.mode``, decided by ``model_mode`` in the SQL).
MODES = ("chat", "embedding", "image", "audio", "video", "rerank", "moderation", "fine-tuning")

# The offers a name means: a source's own key that is no model id (``azure/gpt-4o``, a page's "Claude Sonnet
# 4.5") names that offer; any model id, in any spelling, names every offer of its model.
OFFERS_OF = """
WITH e AS (SELECT * FROM name_entries([?]))
SELECT DISTINCT source, source_model_key FROM e
WHERE source_model_key = name OR NOT (SELECT bool_or(source_model_key = name) AND NOT bool_or(model = name) FROM e)
"""


# Add the names of a relation of price rows to the stored catalogue (``catalogue_names``, migration 016), merging
# the units and price keys of names already known.
_RECORD_NAMES = """
INSERT INTO catalogue_names
SELECT source, vendor, source_model_key, model, list(DISTINCT unit), list(DISTINCT price_key), model_name(model),
       model_key(model)
FROM {relation} GROUP BY source, vendor, source_model_key, model
ON CONFLICT (source, vendor, source_model_key, model) DO UPDATE
SET units = list_distinct(list_concat(units, excluded.units)), keys = list_distinct(list_concat(keys, excluded.keys))
"""


def record_names(con, relation: str) -> None:
    """Keep the catalogue's names current with new price rows (``relation``: a table or view of price rows), in
    the caller's transaction: the loader calls it for each load's new intervals."""
    con.execute(_RECORD_NAMES.format(relation=relation))


def spellings(con, names: list[str]) -> dict[str, tuple[str, str]]:
    """``name -> (spelling, key)``: the id without deployment parts, and the key spellings of one model share."""
    rows = con.execute("SELECT n, model_name(n), model_key(n) FROM (SELECT unnest(?) AS n)", [names]).fetchall()
    return {name: (spelling, key) for name, spelling, key in rows}


def canonical_of(con, name: str) -> list[str]:
    """The canonical model ids (``models.model``) a name means; empty when the catalogue does not know it."""
    rows = con.execute(
        "SELECT DISTINCT m.model FROM name_entries([?]) AS n JOIN model_aliases AS m USING (source, source_model_key)"
        " ORDER BY 1",
        [name],
    ).fetchall()
    return [model for (model,) in rows]


def offers_of(con, name: str, vendor: str | None = None) -> list[tuple[str, str]]:
    """``(model, source_model_key)`` of every offer of the model ``name`` means, else ``UnknownModel`` with the
    closest names."""
    rows = con.execute(
        "SELECT DISTINCT model, source_model_key FROM price_intervals "
        f"WHERE (source, source_model_key) IN ({OFFERS_OF})"
        " AND vendor = coalesce(?, vendor) ORDER BY 1, 2",
        [name, vendor],
    ).fetchall()
    if rows:
        return rows
    close = closest(con, name)
    hint = f"; closest: {', '.join(close)}" if close else ""
    scope = f" for vendor {vendor}" if vendor else ""
    raise UnknownModel(f"unknown model '{name}'{scope}{hint}")


def closest(con, name: str, n: int = 5) -> list[str]:
    """The known names (canonical ids and source keys) nearest to an unknown one."""
    names = [
        k
        for (k,) in con.execute(
            "SELECT model FROM models UNION SELECT source_model_key FROM model_aliases "
            "UNION SELECT source_model FROM model_aliases"
        ).fetchall()
    ]
    return difflib.get_close_matches(name, names, n=n, cutoff=0.6)
