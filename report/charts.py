"""Chart specifications (plotly.js figures as plain JSON data): price steps per model, drift per budget.

Prices are piecewise constant, so a series is drawn as steps (``line.shape = 'hv'``): each validity interval
gives two points, its start and its end (the report time for a current price), and a gap (``null``) where a
price was absent. One chart per unit and currency, so an axis never mixes tokens with images or USD with
CNY. Plotted values are floats for drawing only; every hover and table shows the exact decimal text.
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from aiprices.calculators.money import context_text, fmt_usd, money, unit_label

from .data import IDENTITY

_CONFIG = {"displaylogo": False, "responsive": True}


def chart_text(text: str) -> str:
    """Text for plotly, which reads a subset of HTML in names and titles (links, line breaks): entities make
    every character of a name literal, so a name from the data never becomes markup or a link."""
    return html.escape(text, quote=False)


@lru_cache(maxsize=65536)
def _x(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def series_name(row: dict, model: str) -> str:
    """``input batch >200K eu 4K · litellm (azure/gpt-4o)``: the price, then where it comes from."""
    terms = [row["price_key"], "" if row["service_tier"] == "standard" else row["service_tier"],
             context_text(row["context_min_tokens"]), row["region"], row["variant"]]  # fmt: skip
    key = "" if row["source_model_key"] == model else f" ({row['source_model_key']})"
    return f"{' '.join(t for t in terms if t)} · {row['source']}{key}"


def _is_main(row: dict) -> bool:
    """Drawn at first: standard tier, any context, global, no variant (others wait in the legend)."""
    return (row["service_tier"], row["context_min_tokens"], row["region"], row["variant"]) == ("standard", 0, "", "")


def _trace(rows: list[dict], model: str, end: datetime, show: bool) -> dict:
    points: list[tuple] = []
    for row in rows:
        if points and points[-1][0] != _x(row["valid_from"]):
            points.append((None, None, None))  # the price was absent here: a gap, not a slope
        stop = row["valid_to"] or max(end, row["valid_from"])
        points += [(_x(when), float(row["price"]), money(row["price"])) for when in (row["valid_from"], stop)]
    x, y, text = (list(col) for col in zip(*points, strict=True))
    unit = f"{rows[0]['currency']} per {unit_label(rows[0]['unit'])}"
    return {
        "type": "scatter", "mode": "lines+markers", "name": chart_text(series_name(rows[0], model)),
        "x": x, "y": y, "text": text, "line": {"shape": "hv"}, "marker": {"size": 4}, "connectgaps": False,
        "visible": True if show else "legendonly",
        "hovertemplate": f"%{{x|%Y-%m-%d}}: %{{text}} {unit}<extra>%{{fullData.name}}</extra>",
    }  # fmt: skip


def _chart_order(item) -> tuple:
    """Token prices first (what most people compare), then the charts with most series."""
    (unit, currency), series = item
    return (not unit.endswith("_per_1m_tokens"), -len(series), unit, currency)


def price_charts(model: str, intervals: list[dict], end: datetime) -> list[dict]:
    """One figure per (unit, currency) with one step trace per price identity, and its rows for the table."""
    by_axis: dict[tuple[str, str], dict[tuple, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in intervals:
        by_axis[(row["unit"], row["currency"])][tuple(row[c] for c in IDENTITY)].append(row)
    charts = []
    for (unit, currency), series in sorted(by_axis.items(), key=_chart_order):
        main = any(_is_main(rows[0]) for rows in series.values())
        traces = [_trace(rows, model, end, _is_main(rows[0]) or not main) for rows in series.values()]
        title = f"{currency} per {unit_label(unit)}"
        layout = {
            "title": {"text": chart_text(f"{model}: prices in {title}")},
            "xaxis": {"title": {"text": "date (UTC)"}, "type": "date"},
            "yaxis": {"title": {"text": title}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.25}, "hovermode": "closest",
            "margin": {"t": 50, "r": 20, "l": 70, "b": 40}, "height": 420 + 18 * min(len(traces), 30),
        }  # fmt: skip
        rows = [r for rows in series.values() for r in rows]
        charts.append({"title": title, "figure": {"data": traces, "layout": layout, "config": _CONFIG},
                       "rows": rows, "series": len(traces)})  # fmt: skip
    return charts


def drift_chart(name: str, steps: list[tuple[str, Decimal]], start: Decimal, end: Decimal, dates) -> dict:
    """A waterfall from the first-year cost on the priced date to today's, one bar per cause."""
    labels = [chart_text(t) for t in (f"priced {dates[0]}", *(label for label, _ in steps), f"now {dates[1]}")]
    values = [start, *(delta for _, delta in steps), end]
    data = [{
        "type": "waterfall", "orientation": "v", "x": labels, "y": [float(v) for v in values],
        "measure": ["absolute", *["relative"] * len(steps), "total"],
        "text": [fmt_usd(v) for v in values], "textposition": "outside",
        "hovertemplate": "%{x}: %{text}<extra></extra>",
    }]  # fmt: skip
    layout = {
        "title": {"text": chart_text(f"{name}: first-year cost, then and now (USD)")},
        "yaxis": {"title": {"text": "USD, first year"}}, "xaxis": {"title": {"text": "cause of the drift"}},
        "showlegend": False, "margin": {"t": 50, "r": 20, "l": 80, "b": 120}, "height": 460,
    }  # fmt: skip
    return {"data": data, "layout": layout, "config": _CONFIG}
