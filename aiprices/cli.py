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
    "schedule": "Run the daily crawl on a schedule.",
    "review": "Review quarantined price changes.",
    "doctor": "Check the warehouse's integrity.",
    "report": "Write a static site of prices, changes and budget drift.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked (or asked for their own help)."""

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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aiprices")
def cli() -> None:
    """aiprices: daily AI price history in DuckDB, and budgets repriced against it.

    The warehouse file is --db on each command, or AIPRICES_DB.
    """


def main() -> None:
    """Entry point: any error becomes one line on stderr and a non-zero exit, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the edge where errors become one line
        if os.environ.get("AIPRICES_DEBUG"):
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        click.echo(f"error: {message}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
