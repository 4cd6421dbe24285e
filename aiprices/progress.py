"""Progress of long work (files loaded, sources done, pages written) as rich's progress display on stderr.

Shown only on a terminal, and never with ``--quiet``, so pipes, cron and ``--json`` output stay clean.
``AIPRICES_PROGRESS=1`` forces it on (rich ``Console(force_terminal=True)``, e.g. under ``script`` or in tests),
``AIPRICES_PROGRESS=0`` turns it off. rich is imported only when the display is shown: start-up stays light.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

FORCE_ENV = "AIPRICES_PROGRESS"

# what a long job calls as it advances: (done, total), total None when not known in advance
Listener = Callable[[int, int | None], None]


def quiet_option(func):
    """``--quiet``: no progress display (it shows only on a terminal anyway)."""
    return click.option("--quiet", "-q", is_flag=True, help=f"no progress display [shown on a terminal, or with "
                        f"{FORCE_ENV}=1]")(func)  # fmt: skip


def wanted(quiet: bool) -> bool | None:
    """None: no display; else whether to force rich's terminal mode (False: draw because stderr is one)."""
    forced = os.environ.get(FORCE_ENV, "").strip()
    if quiet or forced == "0":
        return None
    if forced == "1":
        return True
    return False if sys.stderr.isatty() else None


@contextmanager
def progress_display(what: str, quiet: bool = False) -> Iterator[Listener | None]:
    """A listener that draws ``what`` done (e.g. "sources done") while the block runs; None when not shown."""
    force = wanted(quiet)
    if force is None:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, force_terminal=force or None)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield lambda done, total=None: bar.update(task, completed=done, total=total)
