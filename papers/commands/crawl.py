"""`papers crawl` and `papers snapshot serve`: fetch council papers into the store."""

from __future__ import annotations

import json
import sys
import time

import click

from crawlers.summary import COUNTS
from papers import tables
from papers.errors import EXIT_PARTIAL
from papers.pipeline.job import UpdateJob
from papers.settings import Settings
from papers.tables import Column, terminal_width

CRAWL_COLUMNS = (
    Column("council"),
    *(Column(k, right=True, priority=2 if k == "unchanged" else 0) for k in COUNTS),
    Column("answered", right=True, priority=1),
    Column("secs", right=True, priority=3),
    Column("status"),
)


def render_table(summary: dict, width: int | None) -> str:
    """The per-council summary a person reads at the end of a run, then each council's failures."""
    rows = [
        [
            council,
            *(str(row[k]) for k in COUNTS),
            str(row["requests"]["answered"]),
            f"{row['seconds']:.1f}",
            row["status"],
        ]
        for council, row in sorted(summary["councils"].items())
    ]
    totals = summary["totals"]
    rows.append(["total", *(str(totals[k]) for k in COUNTS), "", f"{summary.get('seconds', 0):.1f}", ""])
    lines = [tables.render(CRAWL_COLUMNS, rows, width)]
    for council, row in sorted(summary["councils"].items()):
        for f in row.get("failures", [])[:5]:
            lines.append(tables.wrap_text(f"{council} failed: {f['url']} ({f['error']})", width, "", "  "))
    return "\n".join(lines)


@click.command("crawl")
@click.option(
    "--council", "councils", multiple=True, metavar="ID", help="Council id from the registry (repeatable)."
)
@click.option(
    "--since", metavar="DATE", help="Start at this date (YYYY-MM-DD) instead of each council's last run."
)
@click.option(
    "--snapshot", is_flag=True, help="Crawl the bundled offline snapshot (served on a free local port)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as one JSON object.")
@click.pass_obj
def crawl_command(
    settings: Settings, councils: tuple[str, ...], since: str | None, snapshot: bool, as_json: bool
) -> None:
    """Fetch new and changed agenda items, decisions, reports and minutes into the store.

    Each council resumes from its last successful run (minus a look-back window); a council's
    first run back-fills from 2000. Exits 1 when a council failed entirely, 3 when another run
    (a crawl or an update) holds the data directory.
    """
    # A run like an update's (one at a time per data directory, recorded for `papers runs` with
    # its health flags), with only the crawl stage.
    summary = UpdateJob(settings).crawl(councils=list(councils) or None, since=since, snapshot=snapshot)
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
    else:
        click.echo(render_table(summary, terminal_width()))
    for council in summary["failed_councils"]:
        why = summary["councils"][council].get("unreachable")
        click.echo(f"error: {council}: {f'site unreachable: {why}' if why else 'nothing answered'}", err=True)
    if summary["failed_councils"]:
        sys.exit(EXIT_PARTIAL)


@click.group("snapshot")
def snapshot_group() -> None:
    """The bundled offline snapshot of council sites."""


@snapshot_group.command("serve")
@click.option("--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0: a free one).")
def serve_command(port: int) -> None:
    """Serve the snapshot on 127.0.0.1 until interrupted, listing each council's base URL."""
    from crawlers.snapshot import SnapshotServer

    with SnapshotServer(port=port) as server:
        click.echo(f"serving {len(server.councils)} councils at {server.url} (Ctrl-C to stop)")
        for cid in server.councils:
            click.echo(f"  {cid:<5} {server.base_url_for(cid)}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


COMMANDS: list = [crawl_command, snapshot_group]
