"""The markdown pipe-table parser, on small markdown written here."""

from __future__ import annotations

from aiprices.crawler.parsers.markdown import clean_cell, headings, links, parse_tables, split_row

DOC = """# Pricing

Intro text with a | pipe that is not a table.

## Model pricing

| Model                                   | Base Input Tokens | Output Tokens |
| --------------------------------------- | ----------------- | ------------- |
| Claude X ([deprecated](/docs/dep))      | \\$15 / MTok       | \\$75 / MTok   |
| **Claude Y**                            | $3 / MTok         | `a \\| b`      |

### Batch processing

> | Model | Batch input |
> | :- | -: |
> | Claude X | <Tooltip tip="half">\\$7.50</Tooltip> |

```
| not | a table |
| --- | --- |
```

## Tools
Model | Choice
--- | ---
Claude X | `auto`<hr className="my-2" />`any`
"""


def test_finds_every_table_with_its_heading_path():
    tables = parse_tables(DOC)
    assert [t.headings for t in tables] == [
        ["Pricing", "Model pricing"],
        ["Pricing", "Model pricing", "Batch processing"],
        ["Pricing", "Tools"],
    ]
    assert tables[1].heading == "Batch processing"
    assert tables[0].line == 7


def test_cells_are_clean_text():
    first = parse_tables(DOC)[0]
    assert first.header == ["Model", "Base Input Tokens", "Output Tokens"]
    assert first.rows == [
        ["Claude X (deprecated)", "$15 / MTok", "$75 / MTok"],
        ["Claude Y", "$3 / MTok", "a | b"],
    ]
    assert first.records()[1]["Output Tokens"] == "a | b"
    assert links(first.raw_rows[0][0]) == [("deprecated", "/docs/dep")]


def test_quoted_table_and_mintlify_tags():
    batch = parse_tables(DOC)[1]
    assert batch.rows == [["Claude X", "$7.50"]]


def test_breaks_become_newlines_and_pipeless_edges_work():
    tools = parse_tables(DOC)[2]
    assert tools.header == ["Model", "Choice"]
    assert tools.rows == [["Claude X", "auto\nany"]]


def test_code_fences_are_not_tables():
    assert all("not" not in t.header for t in parse_tables(DOC))


def test_split_row_keeps_escaped_pipes_and_empty_cells():
    assert split_row("| a \\| b | | c |") == ["a \\| b", "", "c"]
    assert split_row("a|b") == ["a", "b"]


def test_clean_cell_escapes_links_and_entities():
    assert clean_cell("Flux1.1 \\[pro]") == "Flux1.1 [pro]"
    assert clean_cell("[Kimi K3](https://x.test/k3) &amp; more") == "Kimi K3 & more"
    assert clean_cell("$0.039+ ([varies](/docs/x))") == "$0.039+ (varies)"
    assert clean_cell("  **$1.25**,&nbsp;prompts <= 200k  ") == "$1.25, prompts <= 200k"


def test_headings_list():
    assert headings(DOC) == [
        (1, 1, "Pricing"),
        (5, 2, "Model pricing"),
        (12, 3, "Batch processing"),
        (23, 2, "Tools"),
    ]


def test_no_tables_in_plain_text():
    assert parse_tables("just | some | text\nno separator here") == []
