"""Markdown pipe tables -> header, rows and the headings above them.

Vendors' markdown twins (Anthropic, Groq, Together, Fireworks docs) and reader renders (Jina, headless
browsers) publish prices in GitHub-style pipe tables. This module turns them into plain cell text so the
extractors deal only with prices: escapes (``\\$``, ``\\|``, ``\\[``), links ``[text](url)``, bold/code
marks, Mintlify/JSX tags (``<Tooltip>``, ``<hr className=.../>``) and padding are removed here.

Cells that held a line break (``<br>``, ``<hr />``) keep it as ``"\\n"`` so callers can split them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SEPARATOR = re.compile(r"^\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_LINK = re.compile(r"!?\[((?:[^\[\]\\]|\\.)*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_BREAK_TAG = re.compile(r"<\s*(?:br|hr)\b[^>]*/?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][\w.-]*(?:\s+[^<>]*?)?/?>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|$<>~])")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_CODE = re.compile(r"`([^`]*)`")


@dataclass
class MdTable:
    """One pipe table: cleaned header and rows, raw cells (links kept) and its heading context."""

    header: list[str]
    rows: list[list[str]]
    raw_rows: list[list[str]] = field(default_factory=list)
    raw_header: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # outermost first, the nearest heading last
    line: int = 0  # 1-based line number of the header row

    @property
    def heading(self) -> str:
        """The nearest preceding heading ("" when none)."""
        return self.headings[-1] if self.headings else ""

    def records(self) -> list[dict[str, str]]:
        """Rows as dicts keyed by header text (missing cells are "")."""
        return [dict(zip(self.header, row + [""] * (len(self.header) - len(row)), strict=False)) for row in self.rows]


def split_row(line: str) -> list[str]:
    """Split one table line on unescaped pipes (pipes inside `code` spans are kept)."""
    text = line.strip()
    cells: list[str] = []
    cur: list[str] = []
    in_code = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i : i + 2])
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur))
    if text.startswith("|"):
        cells = cells[1:]
    if text.endswith("|") and not text.endswith("\\|") and cells:
        cells = cells[:-1]
    return [c.strip() for c in cells]


def links(cell: str) -> list[tuple[str, str]]:
    """The ``(text, url)`` pairs of markdown links in a raw cell."""
    return [(clean_cell(m.group(1)), m.group(2)) for m in _LINK.finditer(cell)]


def clean_cell(cell: str) -> str:
    """Plain text of one markdown cell: links -> their text, tags and emphasis dropped, escapes undone."""
    text = _BREAK_TAG.sub("\n", cell)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _TAG.sub("", text)
    text = _CODE.sub(lambda m: m.group(1), text)
    text = _EMPHASIS.sub(lambda m: m.group(2), text)
    text = _ESCAPE.sub(lambda m: m.group(1), text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    lines = [re.sub(r"[ \t\u00a0]+", " ", part).strip() for part in text.split("\n")]
    return "\n".join(p for p in lines if p)


def _unquote(line: str) -> str:
    return _QUOTE.sub("", line, count=1)


def parse_tables(text: str) -> list[MdTable]:
    """Every pipe table in ``text`` in page order, with the heading path that precedes it.

    A table is a line with a pipe followed by a separator line (``| --- | :-: |``); it runs until the
    first line without a pipe. Tables inside block quotes or indented (Mintlify components) are found too.
    """
    lines = text.splitlines()
    tables: list[MdTable] = []
    stack: list[tuple[int, str]] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = _unquote(lines[i]).strip()
        if line.startswith("```") or line.startswith("~~~"):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            i += 1
            continue
        h = _HEADING.match(line)
        if h:
            level = len(h.group(1))
            stack = [(lv, t) for lv, t in stack if lv < level]
            stack.append((level, clean_cell(h.group(2))))
            i += 1
            continue
        nxt = _unquote(lines[i + 1]).strip() if i + 1 < len(lines) else ""
        if "|" in line and _SEPARATOR.match(nxt) and "-" in nxt:
            raw_header = split_row(line)
            raw_rows: list[list[str]] = []
            j = i + 2
            while j < len(lines):
                row_line = _unquote(lines[j]).strip()
                if "|" not in row_line or not row_line:
                    break
                raw_rows.append(split_row(row_line))
                j += 1
            tables.append(
                MdTable(
                    header=[clean_cell(c) for c in raw_header],
                    rows=[[clean_cell(c) for c in r] for r in raw_rows],
                    raw_rows=raw_rows,
                    raw_header=raw_header,
                    headings=[t for _, t in stack],
                    line=i + 1,
                )
            )
            i = j
            continue
        i += 1
    return tables


def headings(text: str) -> list[tuple[int, int, str]]:
    """``(line_number, level, text)`` of every ATX heading outside code fences, in order."""
    out: list[tuple[int, int, str]] = []
    in_fence = False
    for n, raw in enumerate(text.splitlines(), start=1):
        line = _unquote(raw).strip()
        if line.startswith("```") or line.startswith("~~~"):
            in_fence = not in_fence
            continue
        h = None if in_fence else _HEADING.match(line)
        if h:
            out.append((n, len(h.group(1)), clean_cell(h.group(2))))
    return out
