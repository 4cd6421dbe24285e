"""Run a plan's source spiders in crawler processes, one Scrapy process per shard (``python -m aiprices.crawler.run``).

The Twisted reactor cannot be restarted inside a process, so ``aiprices crawl`` (and the scheduler) start
this module as a subprocess per crawl. Each source's run (rows and outcome) is staged in ``<staging>/<source>/``
by the stage pipeline (``warehouse/staging.py`` format); this module never touches the warehouse. When the
process that started it dies (``--parent-pid``), it exits too: an orphaned crawl would keep the crawl lock and
race the next one.

A plan with several shards (one per CPU: parsing is CPU work on a process's one reactor thread) imports Scrapy,
our spiders and pipelines once, then forks one process per further shard before any thread, reactor or log
handler exists; each runs its shard with its own reactor and writes its own log. Those imports are most of a
crawler process's start (~0.5 s of CPU), which each shard paid again when each was started as a new interpreter.
The forked processes stay in the first one's process group (stopping the group stops them all) and exit when it
is gone; it waits for them and fails when one of them did.

Plan::

    {"staging_dir": ..., "archive_root": ..., "settings": {...},
     "shards": [{"log": null | "<file for this shard's output>",
                 "sources": [{"source": "openrouter", "run_id": ..., "start_urls": [...] | null, "kinds": [...],
                              "observed_at": "2026-08-02T00:00:00+00:00"}]}]}

The first shard runs in the process itself (its output goes where the process's goes).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
import traceback
from functools import partial
from pathlib import Path
from typing import NoReturn

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.misc import load_object

# The component lists every crawler builds from the settings (each class is imported when a crawler starts).
COMPONENTS = ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS")


def crawler_settings(plan: dict) -> Settings:
    settings = Settings()
    settings.setmodule("aiprices.crawler.settings", priority="project")
    settings.set("AIPRICES_STAGING_DIR", plan["staging_dir"], priority="cmdline")
    settings.set("AIPRICES_ARCHIVE_ROOT", plan["archive_root"], priority="cmdline")
    for key, value in (plan.get("settings") or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def preload(settings: Settings) -> None:
    """Import what every crawler loads (spiders and their extractors, pipelines, middlewares, extensions, download
    handlers), so that processes forked afterwards share it. What fails to import is left to the crawler that
    loads it, which reports the failure as before."""
    paths = [path for name in COMPONENTS for path, order in settings.getwithbase(name).items() if order is not None]
    paths += [path for path in settings.getwithbase("DOWNLOAD_HANDLERS").values() if path]
    for load in [partial(get_spider_loader, settings)] + [partial(load_object, path) for path in paths]:
        try:
            load()
        except Exception:  # noqa: BLE001, S112 - met again, and reported, by the crawler that needs it
            continue


def run_plan(plan: dict, sources: list[dict]) -> list[str]:
    """Crawl ``sources`` of ``plan`` concurrently in this process; returns when all spiders have closed.

    Returns one line per source whose crawler could not run at all (e.g. a pipeline that fails to load):
    Scrapy logs such failures and carries on, so they are collected here for the exit status.
    """
    process = CrawlerProcess(crawler_settings(plan), install_root_handler=True)
    failures: list[str] = []
    for entry in sources:
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


def fork_shard(plan: dict, shard: dict) -> int:
    """Run ``shard`` in a forked process (output to its log); its pid. The child never returns."""
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        log = os.open(shard["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        exit_with_parent(parent)
        code = report(run_plan(plan, shard["sources"]))
    except BaseException:  # noqa: BLE001 - a forked child must never return into its parent's code
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def wait_shards(children: dict[int, dict]) -> list[str]:
    """Wait for every forked shard; one line per shard that failed."""
    failures = []
    for pid, shard in children.items():
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code:
            names = ", ".join(entry["source"] for entry in shard["sources"])
            failures.append(f"crawler process of {names} failed (exit {code}; log: {shard['log']})")
    return failures


def report(failures: list[str]) -> int:
    """The exit status, after one line on stderr naming what could not run."""
    if failures:
        print(f"error: crawler could not run: {'; '.join(failures)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True, type=Path, help="JSON plan written by aiprices crawl")
    parser.add_argument("--parent-pid", type=int, help="exit as soon as this process is no longer the parent")
    args = parser.parse_args(argv)
    try:
        plan = json.loads(args.plan.read_text())
        first, *others = plan["shards"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: cannot read plan {args.plan}: {exc}", file=sys.stderr)
        return 2
    if others:  # before any thread exists: a forked process has only the thread that forked it
        preload(crawler_settings(plan))
        children = {fork_shard(plan, shard): shard for shard in others}
    else:
        children = {}
    if args.parent_pid:
        exit_with_parent(args.parent_pid)
    failures = run_plan(plan, first["sources"])
    return report(failures + wait_shards(children))


def exit_now(code: int) -> NoReturn:
    """Exit without the interpreter's teardown (freeing Scrapy's and Twisted's modules took ~0.1 s, which the crawl
    waited for before its final load): every staged run is renamed into place by now, and output is flushed here."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
