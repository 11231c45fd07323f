"""`papers index`, `papers search`, `papers contracts`, `papers export`: the store and its search index.

Every command here is a thin shell over index/service.py, which the web interface calls too, so
`--json` output and the web API's JSON are the same objects.
"""

from __future__ import annotations

import codecs
import csv
import html
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from index import service
from index.backends import BACKENDS
from index.contracts import GROUP_BY
from index.contracts import write_csv as write_contracts_csv
from index.export import WRITERS
from papers import coverage
from papers.errors import EXIT_PARTIAL, UserError, cannot_write
from papers.pipeline.lock import RunLock
from papers.schema import Record

log = logging.getLogger(__name__)

backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="tantivy",
    show_default=True,
    help="Search engine (elasticsearch needs ELASTICSEARCH_URL).",
)


class QueryCommand(click.Command):
    """A command whose QUERY words may start with a dash: `papers search fostering -respite`.

    Click would read `-respite` as an unknown option (and `-nursing` as `-n ursing`), so any
    argument that is not exactly one of the command's own options is a query word. `--` still
    ends the options, and `-n5` still means `--limit 5`.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        names = {name for p in options for name in (*p.opts, *p.secondary_opts)}
        valued = {name for p in options if not p.is_flag and not p.count for name in p.opts}
        known: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in names:
                known.append(arg)
                if arg in valued and (value := next(rest, None)) is not None:
                    known.append(value)
            elif arg[:2] in valued and arg[2:].isdigit():
                known.append(arg)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*known, "--", *words])


def record_files(paths: tuple[str, ...]) -> list[Path]:
    """JSONL files named, plus every *.jsonl under folders named (recursive, sorted)."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(path.rglob("*.jsonl"))
            if not inside:
                raise UserError(f"no .jsonl record files in {given} (make them with `papers extract`)")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise UserError(f"no such file or folder: {given}")
    for path in found:
        _require_text(path)
    return found


def _require_text(path: Path, sniff: int = 65536) -> None:
    """Refuse, before anything is stored, a file that is plainly not JSON lines (a database, a PDF).

    Only the head is read: a stray bad byte further down is one bad line, counted like the others.
    """
    with path.open("rb") as fh:
        head = fh.read(sniff)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut character is fine
        binary = b"\0" in head
    except UnicodeDecodeError:
        binary = True
    if binary:
        raise UserError(
            f"{path} is not a JSONL record file (binary or not UTF-8); make one with `papers extract`"
        )


class RecordReader:
    """Streams records from JSONL files; a bad line is logged and counted, never fatal."""

    def __init__(self, files: list[Path]):
        self.files = files
        self.bad = 0

    def __iter__(self) -> Iterator[Record]:
        for path in self.files:
            with path.open("rb") as fh:
                for n, raw in enumerate(fh, 1):
                    if not raw.strip():
                        continue
                    try:
                        yield Record.from_json(raw.decode("utf-8"))
                    except ValueError as exc:  # UnicodeDecodeError included
                        self.bad += 1
                        first = str(exc).splitlines()[0]
                        log.error("%s:%d: not a record, skipped (%s)", path, n, first)


@click.command("index")
@click.argument("paths", nargs=-1)
@backend_option
@click.option(
    "--rebuild",
    is_flag=True,
    help="Rebuild the whole index from the store (searches keep the old "
    "index until the new one is complete).",
)
@click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr.")
@click.pass_obj
def index_command(settings, paths: tuple[str, ...], backend: str, rebuild: bool, progress: bool) -> None:
    """Load records into the store, then bring the search index up to date.

    PATHS are JSONL record files (from `papers extract`) or folders of them; they go into the
    store first, which stays the source of truth. With no PATHS, everything in the store that the
    index lacks is indexed.

    \b
    Examples:
      papers index dev.jsonl
      papers index --rebuild
    """
    reader = RecordReader(record_files(paths)) if paths else None
    # It writes records and index marks: one writer per data directory, as crawl and update.
    with RunLock(settings.data_dir, "index"):
        summary = service.index_records(settings, reader, backend=backend, rebuild=rebuild, progress=progress)
    loaded = summary["loaded"]
    if loaded is not None:
        click.echo(
            f"stored: {loaded['new']} new, {loaded['changed']} changed, {loaded['unchanged']} unchanged"
            + (f", {reader.bad} bad lines skipped" if reader.bad else ""),
            err=True,
        )
    click.echo(
        f"indexed {summary['indexed']} records into {backend} in {summary['seconds']} s; "
        f"the index holds {summary['count']}",
        err=True,
    )
    if reader is not None and reader.bad:
        sys.exit(EXIT_PARTIAL)


def snippet_text(snippet: str, bold: bool = True) -> str:
    """An HTML snippet for a terminal: <b> as bold (or nothing), entities unescaped."""
    parts = re.split(r"(<b>.*?</b>)", snippet)
    out = []
    for part in parts:
        if part.startswith("<b>"):
            text = html.unescape(part[3:-4])
            out.append(click.style(text, bold=True) if bold else text)
        else:
            out.append(html.unescape(part))
    return " ".join("".join(out).split())


SEARCH_CSV = ("rank", "score", "id", "title", "council", "page_type", "decision_date", "url", "snippet")


@click.command("search", cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
# The service checks both bounds, so CLI and web refuse the same values with the same one line.
@click.option(
    "--limit",
    "-n",
    type=int,
    default=20,
    show_default=True,
    help=f"Hits to show (at most {service.MAX_SEARCH_LIMIT}).",
)
@click.option(
    "--offset",
    type=int,
    default=0,
    help=f"Skip this many hits (paging; at most {service.MAX_SEARCH_OFFSET:,}).",
)
@click.option("--json", "as_json", is_flag=True, help='One JSON object: {"total", "hits", "facets"}.')
@click.option("--csv", "as_csv", is_flag=True, help="Hits as CSV (snippets as plain text).")
@backend_option
@click.pass_obj
def search_command(
    settings, query: tuple[str, ...], limit: int, offset: int, as_json: bool, as_csv: bool, backend: str
) -> None:
    """Ranked hits with highlighted snippets, and counts by council, type, route and year.

    \b
    Query language:
      fostering "care services" -respite      words (all must match), phrases, exclusions
      framework OR dps                        either
      council:bromley type:decision_details   filters; also committee:, maker:, route:
      after:2019-01-01 before:2020 year:2019  decision date
      value>=2m value<500k term>=36           annualised value (GBP), term in months

    \b
    Examples:
      papers search 'route:framework after:2019-01-01 fostering'
      papers search fostering -respite        (words after QUERY join it)
    """
    result = service.search(settings, " ".join(query), limit=limit, offset=offset, backend=backend)
    for note in coverage.uncovered_notes(" ".join(query)):  # on stderr: --json and --csv stay data
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(SEARCH_CSV)
        for rank, hit in enumerate(result["hits"], offset + 1):
            writer.writerow(
                [
                    rank,
                    hit["score"],
                    hit["id"],
                    hit["title"],
                    hit["council"],
                    hit["page_type"],
                    hit["decision_date"],
                    hit["url"],
                    snippet_text(hit["snippet"], bold=False),
                ]
            )
        return
    shown = len(result["hits"])
    click.echo(f"{result['total']} hits" + (f", showing {offset + 1}-{offset + shown}" if shown else ""))
    for rank, hit in enumerate(result["hits"], offset + 1):
        meta = " · ".join(str(v) for v in (hit["council"], hit["decision_date"], hit["page_type"]) if v)
        click.echo(f"\n{rank}. {click.style(hit['title'] or hit['id'], bold=True)}  [{meta}]")
        click.echo(f"   {snippet_text(hit['snippet'])}")
        if hit["url"]:
            click.echo(f"   {hit['url']}")
    if any(result["facets"].values()):
        click.echo("")
    for name, counts in result["facets"].items():
        if counts:
            click.echo(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def money(value: float | None) -> str:
    return "" if value is None else f"£{value:,.0f}"


def months(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@click.command("contracts", cls=QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--group-by", type=click.Choice(GROUP_BY), default="council", show_default=True)
@click.option(
    "--json", "as_json", is_flag=True, help='One JSON object: {"group_by", "total", "rows", "groups"}.'
)
@click.option("--csv", "as_csv", is_flag=True, help="The rows, a blank line, then the groups, as CSV.")
@backend_option
@click.pass_obj
def contracts_command(
    settings, query: tuple[str, ...], group_by: str, as_json: bool, as_csv: bool, backend: str
) -> None:
    """Compare contract decisions: one row each, then per group count, median and quartiles.

    Values are annualised as extracted: per-year amounts as stated, totals divided by the term in
    years where the term is known; otherwise blank and counted as unknown.

    \b
    Example:
      papers contracts 'route:framework' --group-by council --csv
    """
    result = service.contracts(settings, " ".join(query), group_by=group_by, backend=backend)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if as_csv:
        write_contracts_csv(result, sys.stdout)
        return
    from rich.console import Console
    from rich.table import Table

    rows = Table(title=f"{len(result['rows'])} contract decisions")
    for name in (
        "council",
        "title",
        "decided",
        "per year",
        "total",
        "term",
        "ext.",
        "start",
        "end",
        "routes",
    ):
        # Titles can be whole paragraphs: cut them so each decision stays on one line.
        rows.add_column(name, overflow="ellipsis", no_wrap=True, max_width=48 if name == "title" else None)
    for r in result["rows"]:
        rows.add_row(
            r["council_name"] or r["council"] or "",
            r["title"] or "",
            r["decision_date"] or "",
            money(r["annual_value"]),
            money(r["total_value"]),
            months(r["term_months"]),
            months(r["extension_months"]),
            r["start_date"] or "",
            r["end_date"] or "",
            ", ".join(r["routes"]),
        )
    groups = Table(title=f"annual value by {group_by}")
    for name in (group_by, "decisions", "known", "unknown", "lower quartile", "median", "upper quartile"):
        groups.add_column(name, justify="left" if name == group_by else "right")
    for g in result["groups"]:
        groups.add_row(
            g["group"],
            str(g["count"]),
            str(g["known"]),
            str(g["unknown"]),
            money(g["q1"]),
            money(g["median"]),
            money(g["q3"]),
        )
    # Piped output gets a fixed, wide layout rather than rich's 80-column default.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(rows)
    console.print(groups)


@click.command("export", cls=QueryCommand)
@click.argument("query", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(WRITERS)),
    default="jsonl",
    show_default=True,
    help="jsonl: full records; csv: one flat row each; ocds: an OCDS 1.1 release package of the "
    "contract decisions.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    required=True,
    help="File to write ('-' for stdout).",
)
@backend_option
@click.pass_obj
def export_command(settings, query: tuple[str, ...], fmt: str, output: str, backend: str) -> None:
    """Export the records matching QUERY (all records without one).

    \b
    Example:
      papers export 'value>=1m' --format ocds -o contracts.json
    """
    text = " ".join(query)
    if output == "-":
        n = service.export(settings, text, fmt, sys.stdout, backend=backend)
    else:
        # Written beside the target and renamed at the end: a failed export leaves no half file.
        target = Path(output)
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", suffix=".part")
        except OSError as exc:
            raise cannot_write(output, exc) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                n = service.export(settings, text, fmt, fh, backend=backend)
            os.replace(tmp, target)
        except BaseException as exc:
            os.unlink(tmp)
            if isinstance(exc, OSError):
                raise cannot_write(output, exc) from None
            raise
    what = "contract releases" if fmt == "ocds" else "records"
    click.echo(f"exported {n} {what} -> {output}", err=True)
    if fmt == "ocds" and n == 0:
        click.echo(
            "warning: no contract decisions matched; an OCDS package needs at least one release", err=True
        )


COMMANDS = [index_command, search_command, contracts_command, export_command]
