"""`papers councils`: every registry council, the spider that covers it, its last crawl and what
the store holds for it (papers/coverage.py)."""

from __future__ import annotations

import csv
import json
import sys

import click

from papers import coverage
from papers.errors import UserError
from papers.settings import Settings


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
        print_table(rows)


def print_table(rows: list[dict]) -> None:
    click.echo(
        f"{'id':<5} {'name':<34} {'platform':<12} {'spider':<10} {'last crawl':<21} {'status':<8}"
        f"{'documents':>10}{'records':>9}{'matters':>9}"
    )
    for r in rows:
        click.echo(
            f"{r['id']:<5} {r['name'][:34]:<34} {r['platform'][:12]:<12} {r['spider'] or '-':<10} "
            f"{r['last_crawl'] or 'never':<21} {r['status'] or '-':<8}"
            f"{r['documents']:>10}{r['records']:>9}{r['matters']:>9}"
        )
    covered = sum(1 for r in rows if r["spider"])
    click.echo(
        f"{len(rows)} councils, {covered} covered by a spider, {sum(1 for r in rows if r['last_crawl'])} crawled"
    )


COMMANDS: list = [councils_command]
