"""Run several source spiders in ONE Scrapy process from a JSON plan (``python -m aiprices.crawler.run``).

The Twisted reactor cannot be restarted inside a process, so ``aiprices crawl`` (and the scheduler) start
this module as a subprocess per crawl. Each source's run (rows and outcome) is staged in ``<staging>/<source>/``
by the stage pipeline (``warehouse/staging.py`` format); this module never touches the warehouse. When the
process that started it dies (``--parent-pid``), it exits too: an orphaned crawl would keep the crawl lock and
race the next one.

Plan::

    {"staging_dir": ..., "archive_root": ..., "settings": {...},
     "sources": [{"source": "openrouter", "run_id": ..., "start_urls": [...] | null, "kinds": [...],
                  "observed_at": "2026-08-02T00:00:00+00:00"}]}
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


def crawler_settings(plan: dict) -> Settings:
    settings = Settings()
    settings.setmodule("aiprices.crawler.settings", priority="project")
    settings.set("AIPRICES_STAGING_DIR", plan["staging_dir"], priority="cmdline")
    settings.set("AIPRICES_ARCHIVE_ROOT", plan["archive_root"], priority="cmdline")
    for key, value in (plan.get("settings") or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_plan(plan: dict) -> list[str]:
    """Crawl every planned source concurrently; returns when all spiders have closed.

    Returns one line per source whose crawler could not run at all (e.g. a pipeline that fails to load):
    Scrapy logs such failures and carries on, so they are collected here for the exit status.
    """
    process = CrawlerProcess(crawler_settings(plan), install_root_handler=True)
    failures: list[str] = []
    for entry in plan["sources"]:
        spider_cls = process.spider_loader.load(entry["source"])
        started = process.crawl(
            spider_cls,
            run_id=entry["run_id"],
            start_urls=entry.get("start_urls") or None,
            kinds=entry.get("kinds") or None,
            observed_at=entry.get("observed_at"),
        )
        started.addErrback(_record_failure, entry["source"], failures)
    process.start()
    return failures


def _record_failure(failure, source: str, failures: list[str]) -> None:
    exc = failure.value
    failures.append(f"{source}: {type(exc).__name__}: {exc}")


ORPHAN_EXIT = 143  # as if terminated


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Exit at once (no cleanup: nothing will load what is staged) when ``parent`` is no longer our parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(ORPHAN_EXIT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True, type=Path, help="JSON plan written by aiprices crawl")
    parser.add_argument("--parent-pid", type=int, help="exit as soon as this process is no longer the parent")
    args = parser.parse_args(argv)
    if args.parent_pid:
        exit_with_parent(args.parent_pid)
    try:
        plan = json.loads(args.plan.read_text())
    except (OSError, ValueError) as exc:
        print(f"error: cannot read plan {args.plan}: {exc}", file=sys.stderr)
        return 2
    failures = run_plan(plan)
    if failures:
        print(f"error: crawler could not run: {'; '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
