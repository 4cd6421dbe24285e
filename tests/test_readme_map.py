"""The README's "How it fits together" stays true: every file it names on a price's path exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    return text[start : text.index("\n## ", start + 1)]


def test_every_file_on_the_price_path_exists():
    named = set(re.findall(r"`((?:aiprices|crawler|pipeline|schedules|warehouse|calculators|report|sql)/[^`\s]+)`",
                           section("How it fits together")))  # fmt: skip
    files = {f"warehouse/{n}" if n.startswith("sql/") else n for n in named if "*" not in n}
    assert len(files) >= 30
    assert sorted(f for f in files if not (ROOT / f).exists()) == []


def test_the_path_has_the_steps_it_counts():
    steps = re.findall(r"^\| (\d+) \|", section("How it fits together"), flags=re.MULTILINE)
    assert [int(s) for s in steps] == list(range(1, 22))
    assert "in 21 steps through 32 files" in " ".join(section("How it fits together").split())
