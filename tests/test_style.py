"""Style is part of the build: the tree is `ruff format`-clean and `ruff check`-clean (ruff: the test extra)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers.shared import REPO

pytest.importorskip("ruff", reason="ruff is not installed (it comes with the test extra)")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args, "."], capture_output=True, text=True, cwd=REPO)


def test_the_tree_is_formatted():
    result = _ruff("format", "--check")
    assert result.returncode == 0, f"run `ruff format .`:\n{result.stdout}{result.stderr}"


def test_the_tree_passes_lint():
    result = _ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr
