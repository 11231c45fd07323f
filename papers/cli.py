"""The `papers` command: one entry point that drives every stage.

Each subcommand lives in its own module under papers/commands/ and is registered here, so a
newcomer finds `papers X` in papers/commands/X.py.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path

import click

from papers import __version__, logs
from papers.commands import councils, crawl, extract, index, serve, update
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


for module in (extract, crawl, index, update, serve, councils):
    for command in module.COMMANDS:
        cli.add_command(command)


# Standard output refused what we wrote: a full disk or quota (`> /dev/full`), a file too large.
OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def main() -> None:
    """Console-script entry point."""
    try:
        try:
            cli.main(standalone_mode=True)
        finally:
            sys.stdout.flush()  # output still buffered fails here, where it can be reported
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`papers search x | head`): stop quietly, as Unix tools do.
        _drop_stdout()
        sys.exit(1)
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        _drop_stdout()
        click.echo(f"error: cannot write output: {exc.strerror}", err=True)
        sys.exit(1)


def _drop_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's last flush cannot fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    main()
