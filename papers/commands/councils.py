"""`papers councils`: every registry council, the spider that covers it, its last crawl and what
the store holds for it (papers/coverage.py)."""

from __future__ import annotations

import csv
import json
import sys

import click

from papers import coverage, tables
from papers.errors import UserError
from papers.settings import Settings
from papers.tables import Column, terminal_width


@click.command("councils")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects, one per council.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV, one row per council.")
@click.option(
    "--platform", metavar="P", help="Only councils on this platform (moderngov, cmis, custom_html, ...)."
)
@click.option(
    "--summary", is_flag=True, help="Councils per platform and nation as a Markdown table (the README's)."
)
@click.pass_obj
def councils_command(
    settings: Settings, as_json: bool, as_csv: bool, platform: str | None, summary: bool
) -> None:
    """Which councils the index covers: platform, spider (or why none), last crawl and its status,
    and counts of documents, records and contract matters. Works before anything is crawled.
    """
    if as_json and as_csv:
        raise UserError("choose one of --json and --csv")
    if summary:
        click.echo(coverage.summary_markdown(), nl=False)
        return
    known = coverage.platforms()
    if platform and platform not in known:
        raise UserError(f"unknown platform {platform!r} (the registry has {', '.join(known)})")
    rows = coverage.councils(settings, platform)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=coverage.FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        click.echo(render_table(rows, terminal_width()))


# Who and whether covered never fold; the rest folds under its row when the terminal is narrow.
COUNCIL_COLUMNS = (
    Column("id"),
    Column("name", wrap=True, min_width=16),
    Column("platform", priority=3),
    Column("spider"),
    Column("last crawl", priority=2),
    Column("status", priority=1),
    Column("documents", right=True, priority=4, empty="0"),
    Column("records", right=True, priority=4, empty="0"),
    Column("matters", right=True, priority=4, empty="0"),
)


def render_table(rows: list[dict], width: int | None) -> str:
    """The councils table, then a line of totals, for a terminal of ``width`` columns (None: piped)."""
    cells = [
        [
            r["id"],
            r["name"],
            r["platform"],
            r["spider"] or "-",
            r["last_crawl"] or "never",
            r["status"] or "-",
            str(r["documents"]),
            str(r["records"]),
            str(r["matters"]),
        ]
        for r in rows
    ]
    covered = sum(1 for r in rows if r["spider"])
    crawled = sum(1 for r in rows if r["last_crawl"])
    total = f"{len(rows)} councils, {covered} covered by a spider, {crawled} crawled"
    return "\n".join([tables.render(COUNCIL_COLUMNS, cells, width), total])


COMMANDS: list = [councils_command]
