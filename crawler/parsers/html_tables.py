"""HTML tables -> rectangular grids of cells, with rowspan/colspan expanded and header rows counted.

Price pages put a model name in one cell spanning several rows (one per tier or context band) and
group columns under spanning headers ("Input" over "<= 200K" and "> 200K"). Extractors want a plain
grid where every position holds the cell that covers it, so they can read ``grid[r][c]`` directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import html as lxml_html
from lxml.etree import _Element

_WS = re.compile(r"\s+")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def clean_text(text: str) -> str:
    """Collapse whitespace (incl. NBSP) to single spaces and strip."""
    return _WS.sub(" ", text.replace("\u00a0", " ").replace("\u200b", "")).strip()


def element_text(el: _Element, drop: Iterable[str] = ()) -> str:
    """The visible text of ``el``; elements whose tag is in ``drop`` (e.g. ``sup``, ``del``) are skipped.

    Block-level children are separated by a space so ``<p>$1</p><p>$2</p>`` does not glue into ``$1$2``.
    """
    drop = set(drop)
    parts: list[str] = []

    def walk(node: _Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in drop:
            if node.tail:
                parts.append(node.tail)
            return
        if tag in ("br", "p", "div", "li", "td", "th"):
            parts.append(" ")
        if tag not in ("script", "style", "template") and node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in ("p", "div", "li"):
            parts.append(" ")
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return clean_text("".join(parts))


@dataclass
class Cell:
    """One grid position. A spanning cell appears at every position it covers (same ``el``)."""

    text: str
    el: _Element | None
    is_header: bool = False
    row: int = 0  # grid row/column of the cell's top-left corner (its origin)
    col: int = 0


@dataclass
class Table:
    """An expanded table: ``grid[r][c]`` is a ``Cell``; the first ``header_rows`` rows are headers."""

    grid: list[list[Cell]]
    header_rows: int
    el: _Element
    heading: str = ""  # text of the nearest heading before the table
    context: list[str] = field(default_factory=list)  # headings of enclosing sections, outermost first

    @property
    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.grid]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.grid), default=0)

    def header(self, sep: str = " / ") -> list[str]:
        """One label per column: the distinct header texts above it joined with ``sep``."""
        labels: list[str] = []
        for c in range(self.width):
            seen: list[str] = []
            for r in range(self.header_rows):
                t = self.grid[r][c].text if c < len(self.grid[r]) else ""
                if t and t not in seen:
                    seen.append(t)
            labels.append(sep.join(seen))
        return labels

    def body(self) -> list[list[Cell]]:
        return self.grid[self.header_rows :]


def _rows(table: _Element) -> list[_Element]:
    """Direct rows of ``table`` (through thead/tbody/tfoot), never rows of nested tables."""
    rows: list[_Element] = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if r.tag == "tr")
    return rows


def _span(el: _Element, name: str) -> int:
    try:
        return max(1, min(int(el.get(name, "1") or 1), 1000))
    except ValueError:
        return 1


def expand(table: _Element, drop: Iterable[str] = ()) -> Table:
    """Expand one ``<table>`` element into a ``Table``."""
    drop = tuple(drop)
    rows = _rows(table)
    grid: list[list[Cell | None]] = []
    header_rows = 0
    counting_headers = True
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        line = grid[r]
        c = 0
        cells = [td for td in tr if td.tag in ("td", "th")]
        in_thead = tr.getparent() is not None and tr.getparent().tag == "thead"
        for td in cells:
            while c < len(line) and line[c] is not None:
                c += 1
            cell = Cell(element_text(td, drop), td, td.tag == "th" or in_thead, r, c)
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            for dr in range(rs):
                if r + dr >= len(rows):
                    break
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                while len(target) < c + cs:
                    target.append(None)
                for dc in range(cs):
                    target[c + dc] = cell
            c += cs
        row_is_header = bool(cells) and (in_thead or all(td.tag == "th" for td in cells))
        if counting_headers and row_is_header:
            header_rows = r + 1
        elif cells:
            counting_headers = False
    width = max((len(r) for r in grid), default=0)
    full = [[cell or Cell("", None) for cell in row] + [Cell("", None)] * (width - len(row)) for row in grid]
    return Table(full, header_rows, table, heading_before(table))


def _heading_text(h: _Element) -> str:
    """A heading's text; ``<h2><p>Title</p></h2>`` is split by the HTML parser into an empty ``h2`` and the
    ``p`` after it, whose text is then the title."""
    nxt = h.getnext()
    return element_text(h) or (element_text(nxt) if nxt is not None and nxt.tag == "p" else "")


def heading_before(el: _Element) -> str:
    """Text of the nearest heading preceding ``el`` in document order."""
    for prev in el.itersiblings(preceding=True):
        if isinstance(prev.tag, str):
            if prev.tag in _HEADINGS:
                return _heading_text(prev)
            found = prev.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
            if found:
                return _heading_text(found[-1])
    parent = el.getparent()
    return heading_before(parent) if parent is not None else ""


_UTF8 = lxml_html.HTMLParser(encoding="utf-8")


def fragment_text(html: str) -> str:
    """The visible text of an HTML fragment (a cell's markup carried in a JSON prop)."""
    return element_text(lxml_html.fragment_fromstring(html, create_parent="div"))


def parse_document(body: bytes | str) -> _Element:
    """Parse HTML into an lxml tree; bytes are read as UTF-8 (every price page we read is UTF-8)."""
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    return lxml_html.document_fromstring(data, parser=_UTF8)


def parse_tables(body: bytes | str | _Element, drop: Iterable[str] = ()) -> list[Table]:
    """Every ``<table>`` in the document (outer and nested), expanded, in document order."""
    root = body if isinstance(body, _Element) else parse_document(body)
    return [expand(t, drop) for t in root.iter("table")]
