"""The layers of DESIGN.md, enforced: import-linter's contracts (pyproject.toml) over the installed names.

The source folders map into the ``aiprices`` namespace only when installed (an editable install resolves them
through a finder that import-linter cannot walk), so the test lays the tree out as it installs, with
symlinks, and runs ``lint-imports`` there in a child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAPPED = ("crawler", "pipeline", "warehouse", "calculators", "schedules", "report")

# No module of these may import the `aiprices` shell package itself (`from aiprices import __version__`):
# a layers contract cannot see an import of the root package, so this is checked with grimp directly.
ROOT_CHECK = """
import grimp, sys
graph = grimp.build_graph("aiprices")
bad = sorted(f"{m} -> aiprices" for m in graph.modules
             if m.startswith(("aiprices.crawler", "aiprices.pipeline", "aiprices.warehouse", "aiprices.calculators"))
             and "aiprices" in graph.find_modules_directly_imported_by(m))
print("\\n".join(bad))
sys.exit(1 if bad else 0)
"""


@pytest.fixture(scope="module")
def installed_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("layout")
    pkg = root / "aiprices"
    pkg.mkdir()
    for item in (REPO / "aiprices").iterdir():
        if item.name != "__pycache__":
            (pkg / item.name).symlink_to(item)
    for name in MAPPED:
        (pkg / name).symlink_to(REPO / name)
    return root


def run(args: list[str], tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, timeout=120)


def test_import_linter_contracts_hold(installed_tree):
    lint = shutil.which("lint-imports") or pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    out = run([lint, "--config", str(REPO / "pyproject.toml"), "--no-cache"], installed_tree)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "BROKEN" not in out.stdout and "4 kept, 0 broken" in out.stdout


def test_lower_layers_never_import_the_shell_package(installed_tree):
    out = run([sys.executable, "-c", ROOT_CHECK], installed_tree)
    assert out.returncode == 0, f"imports of the aiprices shell from a lower layer:\n{out.stdout}{out.stderr}"
