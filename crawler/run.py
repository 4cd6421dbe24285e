"""Run several source spiders in ONE Scrapy process from a JSON plan (``python -m aiprices.crawler.run``).

The Twisted reactor cannot be restarted inside a process, so ``aiprices crawl`` (and the scheduler) start
this module as a subprocess per crawl. Each source's run (rows and outcome) is staged in ``<staging>/<source>/``
by the stage pipeline (``warehouse/staging.py`` format); this module never touches the warehouse.

Plan::

    {"staging_dir": ..., "archive_root": ..., "settings": {...},
     "sources": [{"source": "openrouter", "run_id": ..., "start_urls": [...] | null, "kinds": [...],
                  "observed_at": "2026-08-02T00:00:00+00:00"}]}
"""

from __future__ import annotations

import argparse
import json
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True, type=Path, help="JSON plan written by aiprices crawl")
    args = parser.parse_args(argv)
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
