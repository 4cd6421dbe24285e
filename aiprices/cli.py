"""The ``aiprices`` command: a thin click layer; heavy modules load only when their command runs."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from aiprices import __version__

# command name -> "module:attribute"; loaded on first use so that --help and `sql` start fast.
COMMANDS: dict[str, str] = {
    "sql": "aiprices.commands.query:sql",
    "price": "aiprices.commands.query:price",
    "history": "aiprices.commands.query:history",
    "changes": "aiprices.commands.query:changes",
    "export": "aiprices.commands.export:export",
    "registry": "aiprices.commands.registry:registry",
    "backfill": "aiprices.commands.registry:backfill",
    "crawl": "aiprices.commands.crawl:crawl",
    "reparse": "aiprices.commands.crawl:reparse",
    "load": "aiprices.commands.crawl:load",
    "runs": "aiprices.commands.runs:runs",
    "calc": "aiprices.commands.calc:calc",
    "budget": "aiprices.commands.budget:budget",
    "usage": "aiprices.commands.usage:usage",
    "schedule": "aiprices.commands.schedule:schedule",
    "review": "aiprices.commands.review:review",
    "doctor": "aiprices.commands.doctor:doctor",
    "report": "aiprices.commands.report:report",
}

SHORT_HELP: dict[str, str] = {
    "sql": "Run a read-only SQL query over the price history.",
    "price": "Every price of a model on a date, with provenance.",
    "history": "The price history of a model.",
    "changes": "The changelog of prices.",
    "export": "Export the history to partitioned Parquet.",
    "registry": "Load today's LiteLLM registry.",
    "backfill": "Load many dated copies of a registry.",
    "crawl": "Crawl vendors' price pages (live or from an archive).",
    "reparse": "Re-parse a run's archived pages.",
    "load": "Load staged runs a crawl kept on disk.",
    "runs": "Recent runs of each source, with their ids.",
    "calc": "One-off cost calculators.",
    "budget": "Price and reprice saved budget files.",
    "usage": "Import actual usage; check it for cost spikes.",
    "schedule": "Run the daily crawl on a schedule.",
    "review": "Review quarantined price changes.",
    "doctor": "Check the warehouse's integrity.",
    "report": "Write a static site of prices, changes and budget drift.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked (or asked for their own help)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run as a program (the console script, ``python -m aiprices``, ``CliRunner``): every error,
        Click's own usage errors included, ends as one ``error: …`` line (``report_error``) and its exit code."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            returned = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Exception as exc:  # noqa: BLE001 - the edge where errors become one line
            if os.environ.get("AIPRICES_DEBUG") and not isinstance(exc, click.ClickException):
                raise
            sys.exit(report_error(exc))
        sys.exit(returned or 0)  # ctx.exit(N)'s code (--help, --version); commands' own values are dropped below

    def invoke(self, ctx: click.Context) -> None:
        """Run the subcommand; what it returns is not an exit code (as in Click's standalone mode)."""
        super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _installed(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not _installed(name):
            return None
        if ctx.resilient_parsing or _listing_help(ctx):
            return click.Command(name, short_help=SHORT_HELP.get(name, ""))
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"command '{name}' is not available in this install ({exc})") from None


def _installed(name: str) -> bool:
    """Whether a command's module ships in this install (found without importing it)."""
    return importlib.util.find_spec(COMMANDS[name].split(":")[0]) is not None


def _listing_help(ctx: click.Context) -> bool:
    """True while click renders the top-level command list (no need to import every command)."""
    return ctx.parent is None and ctx.invoked_subcommand is None and sys.argv[1:2] in (["--help"], ["-h"])


@click.group("aiprices", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aiprices")
def cli() -> None:
    """aiprices: daily AI price history in DuckDB, and budgets repriced against it.

    The warehouse file is --db on each command, or AIPRICES_DB.
    """


def report_error(exc: Exception) -> int:
    """Say what went wrong in one ``error: …`` line on stderr; returns the exit code (2 for usage errors)."""
    from aiprices.cli_support import echo_error  # only on the error path: start-up stays light

    if isinstance(exc, click.exceptions.Abort):
        echo_error("interrupted")
        return 130
    if isinstance(exc, click.UsageError):
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        echo_error(_our_case(exc.format_message()) + hint)
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        echo_error(exc.format_message())
        return exc.exit_code
    text = str(exc).strip()
    echo_error(text.splitlines()[0] if text else type(exc).__name__)
    return 1


def _our_case(message: str) -> str:
    """Click's sentence ("No such option '--x'.") in the project's style ("no such option '--x'")."""
    message = message.rstrip(".")
    return message[:1].lower() + message[1:] if message[1:2].islower() else message


def main() -> None:
    """Entry point of the ``aiprices`` console script."""
    cli.main()


if __name__ == "__main__":
    main()
