"""``aiprices ARGS`` in the test's own process, through the installed command's entry point (``cli.main``).

The same edge as the real program (one-line errors, exit codes, stdout and stderr apart) without paying a
Python start per call; tests whose subject is the process boundary itself still start a real process.
"""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from aiprices.cli import main


def run_aiprices(*args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Run ``aiprices ARGS`` in process; the outcome as ``subprocess.run(..., text=True)`` would give it."""
    argv = ["aiprices", *args]
    with CliRunner().isolation(env=env) as (out, err, _):
        saved, sys.argv = sys.argv, argv
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = saved
    return subprocess.CompletedProcess(argv, code, out.getvalue().decode(), err.getvalue().decode())
