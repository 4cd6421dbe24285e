"""Generic parsers used by the HTML/RSC extractors, on small inputs written here."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiprices.crawler.parsers import rsc
from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.crawler.parsers.html_tables import element_text, parse_document, parse_tables
from aiprices.crawler.parsers.price_text import PriceTextError, money_amounts, one_amount

TABLE = """
<html><body>
<h2>Standard</h2>
<table>
  <thead>
    <tr><th rowspan="2">Model</th><th colspan="2">Input</th><th rowspan="2">Output</th></tr>
    <tr><th>&lt;= 200K</th><th>&gt; 200K</th></tr>
  </thead>
  <tbody>
    <tr><td rowspan="2">Alpha <sup>1</sup></td><td>$1.25</td><td>$2.50</td><td>$10</td></tr>
    <tr><td colspan="2">$0.50</td><td>$4</td></tr>
    <tr><td>Beta</td><td>-</td><td>N/A</td><td><p>$1</p><p>$2</p></td></tr>
  </tbody>
</table>
<div><h3>Batch</h3><p>text</p></div>
<table><tr><td>x<table><tr><td>inner</td></tr></table></td></tr></table>
</body></html>
"""


@pytest.fixture(scope="module")
def tables():
    return parse_tables(TABLE, drop=("sup",))


def test_rowspan_colspan_expand_to_a_rectangle(tables):
    t = tables[0]
    assert t.header_rows == 2
    assert t.texts == [
        ["Model", "Input", "Input", "Output"],
        ["Model", "<= 200K", "> 200K", "Output"],
        ["Alpha", "$1.25", "$2.50", "$10"],
        ["Alpha", "$0.50", "$0.50", "$4"],
        ["Beta", "-", "N/A", "$1 $2"],
    ]
    assert t.header() == ["Model", "Input / <= 200K", "Input / > 200K", "Output"]
    # a spanning cell is the same cell object at every position it covers, with its origin
    assert t.grid[2][0] is t.grid[3][0] and (t.grid[3][0].row, t.grid[3][0].col) == (2, 0)
    assert [r[0].text for r in t.body()] == ["Alpha", "Alpha", "Beta"]


def test_heading_and_nested_tables(tables):
    assert tables[0].heading == "Standard"
    assert tables[1].heading == "Batch"  # heading inside a preceding sibling block
    assert len(tables) == 3
    assert tables[1].texts == [["x inner"]]  # outer cell text includes the nested table
    assert tables[2].texts == [["inner"]]


def test_element_text_drops_tags_and_separates_blocks():
    root = parse_document("<div>Price <del>$9</del><p>$1</p><p>$2</p>\u00a0now</div>")
    div = root.find(".//div")
    assert element_text(div) == "Price $9 $1 $2 now"
    assert element_text(div, drop=("del",)) == "Price $1 $2 now"


def test_utf8_bytes_are_decoded():
    t = parse_tables("<table><tr><td>0.02元</td></tr></table>".encode())[0]
    assert t.texts == [["0.02元"]]


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("$1.25", ["1.25"]),
        ("\\$15 / MTok", ["15"]),
        ("$$1.5", ["1.5"]),
        ("1$", ["1"]),
        ("0.02元", ["0.02"]),
        ("$1,000.50", ["1000.50"]),
        ("$0.20$0.50", ["0.20", "0.50"]),
        ("$0.435 (75% off)$1.74", ["0.435", "1.74"]),
        ("128K context, 50% off", []),
    ],
)
def test_money_amounts(text, amounts):
    assert money_amounts(text) == [Decimal(a) for a in amounts]


def test_one_amount():
    assert one_amount("$2.00 / 1M") == Decimal("2.00")
    assert one_amount("Free") == Decimal(0)
    assert one_amount("-") is None and one_amount("Not available") is None
    with pytest.raises(PriceTextError):
        one_amount("$1 / $2")


def _push(chunk: str) -> str:
    return f"<script>self.__next_f.push([1,{json.dumps(chunk)}])</script>"


def test_rsc_rows_span_chunks_and_decimals_stay_exact():
    row = '7:{"models":[{"name":"A","price":"$$1.5","inputPrice":0.12}]}\n'
    html = "<html>" + _push(row[:20]) + _push(row[20:]) + _push('8:I[1,["x"],"default"]\n') + "</html>"
    assert rsc.payload_text(html) == row + '8:I[1,["x"],"default"]\n'
    (obj,) = rsc.objects_with(html, ["name", "price"])
    assert obj["inputPrice"] == Decimal("0.12") and isinstance(obj["inputPrice"], Decimal)
    assert rsc.rsc_string(obj["price"]) == "$1.5"
    assert rsc.rsc_string("$L47") == "$L47"


def test_rsc_bare_json_chunk_without_row_id():
    html = _push('{"pricingGroups":[{"models":[{"modelName":"E","inputPrice":1}]}]}')
    assert [o["modelName"] for o in rsc.objects_with(html, ["modelName"])] == ["E"]


def test_challenge_marker():
    assert challenge_marker(b"<title>Just a moment...</title>") is not None
    assert challenge_marker(b"<html><table><tr><td>$1</td></tr></table></html>") is None
