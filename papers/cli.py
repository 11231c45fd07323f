"""The `papers` command: one entry point that drives every stage.

Each subcommand lives in its own module under papers/commands/ and is registered here, so a
newcomer finds `papers X` in papers/commands/X.py.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from papers import __version__, logs
from papers.commands import crawl, extract, index, serve, update
from papers.errors import UserError
from papers.settings import Settings

log = logging.getLogger("papers")


class Group(click.Group):
    """A click group that turns UserError into one clear line and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PAPERS_DATA",
    default="./data",
    show_default=True,
    help="Where the store, index and downloaded files live (env PAPERS_DATA).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for everything).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--log-json", is_flag=True, help="Log as JSON lines (for schedulers).")
@click.version_option(__version__, prog_name="papers")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path, verbose: int, quiet: bool, log_json: bool) -> None:
    """Turn UK council committee papers into searchable, structured evidence."""
    logs.setup(-1 if quiet else verbose, json_lines=log_json)
    ctx.obj = Settings(data_dir=data_dir)


for module in (extract, crawl, index, update, serve):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
