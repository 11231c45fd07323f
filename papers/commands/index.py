"""`papers index`, `papers search`, `papers contracts`, `papers suppliers`, `papers export`: the store
and its search index.

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
from index.contracts import GROUP_BY, UNKNOWN_GROUP
from index.contracts import write_csv as write_contracts_csv
from index.export import WRITERS
from index.matters import SUPPLIER_FIELDS
from papers import coverage, tables
from papers.errors import EXIT_PARTIAL, UserError, cannot_write
from papers.pipeline.lock import RunLock
from papers.schema import Record
from papers.tables import Column, terminal_width

log = logging.getLogger(__name__)

backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="tantivy",
    show_default=True,
    help="Search engine (elasticsearch: a 9.x server at ELASTICSEARCH_URL; 8.x and older are refused).",
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
                        yield Record.from_json(raw)  # bytes: pydantic decodes (and refuses bad UTF-8)
                    except ValueError as exc:
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
    if summary["refused"]:
        click.echo(
            f"error: {backend} refused {summary['refused']} records (reasons logged above); "
            "they stay queued for the next run",
            err=True,
        )
    if (reader is not None and reader.bad) or summary["refused"]:
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
      category:85 supplier:"veolia"           CPV code or its first digits; supplier name

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
    click.echo(render_search(result, offset, terminal_width()))


def render_search(result: dict, offset: int, width: int | None) -> str:
    """Numbered hits (title, council, date, type, snippet, URL), then the facet counts, broken
    between words to ``width`` (None: piped, one line each); a date, amount or URL is never cut."""
    shown = len(result["hits"])
    lines = [f"{result['total']} hits" + (f", showing {offset + 1}-{offset + shown}" if shown else "")]
    for rank, hit in enumerate(result["hits"], offset + 1):
        council = hit.get("council_name") or hit["council"]
        meta = " · ".join(str(v) for v in (council, hit["decision_date"], hit["page_type"]) if v)
        head = tables.wrap_text(f"{rank}. {hit['title'] or hit['id']}  [{meta}]", width, "", "   ")
        lines += ["", click.style(head, bold=True)]
        lines.append(tables.wrap_text(snippet_text(hit["snippet"]), width, "   "))
        if hit["url"]:
            lines.append(f"   {hit['url']}")
    facets = {name: counts for name, counts in result["facets"].items() if counts}
    if facets:
        lines.append("")
    for name, counts in facets.items():
        shown_as = {k: service.council_name(k) or k for k in counts} if name == "council" else {}
        text = f"{name}: " + ", ".join(f"{shown_as.get(k, k)} {v}" for k, v in counts.items())
        lines.append(tables.wrap_text(text, width, "", "  "))
    return "\n".join(lines)


def money(value: float | None) -> str:
    return "" if value is None else f"£{value:,.0f}"


def months(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@click.command("contracts", cls=QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--group-by", type=click.Choice(GROUP_BY), default="council", show_default=True)
@click.option(
    "--by-record",
    is_flag=True,
    help="One row per record (page or report) instead of one per matter.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='One JSON object: {"group_by", "by_record", "total", "rows", "groups"}.',
)
@click.option("--csv", "as_csv", is_flag=True, help="The rows, a blank line, then the groups, as CSV.")
@backend_option
@click.pass_obj
def contracts_command(
    settings,
    query: tuple[str, ...],
    group_by: str,
    by_record: bool,
    as_json: bool,
    as_csv: bool,
    backend: str,
) -> None:
    """Compare contracts: one row per matter, then per group count, median and quartiles.

    A matter is the pages about one decision (decision, issue page, agenda item, its reports,
    minutes); each term comes from its best source, and "differs" names terms its sources state
    differently. Values are annualised as extracted: per-year amounts as stated, totals divided
    by the term in years where the term is known; otherwise blank and counted as unknown.

    \b
    Examples:
      papers contracts 'route:framework' --group-by council --csv
      papers contracts --group-by category
      papers contracts --by-record
    """
    result = service.contracts(
        settings, " ".join(query), group_by=group_by, backend=backend, by_record=by_record
    )
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if as_csv:
        write_contracts_csv(result, sys.stdout)
        return
    click.echo(render_contracts(result, terminal_width()))


# The contracts table by what a reader came for: who, what, when and how much never fold; the
# rest folds under its row, the highest priority number first, when the terminal is narrow.
CONTRACT_COLUMNS = (
    Column("council", wrap=True, min_width=10),
    Column("title", wrap=True, min_width=24),  # narrower, it reads as a column of fragments
    Column("decided"),
    Column("per year", right=True),
    Column("total", priority=2, right=True),
    Column("term", priority=3, right=True),
    Column("ext.", priority=6, right=True),
    Column("start", priority=4),
    Column("end", priority=4),
    Column("routes", priority=7, wrap=True, min_width=12),
    Column("suppliers", priority=5, wrap=True, min_width=12),
)
# Per matter only: the terms its pages state differently.
DIFFERS = Column("differs", priority=8, wrap=True, min_width=10)
GROUP_COLUMNS = (
    Column("known", priority=3, right=True),
    Column("unknown", priority=2, right=True),
    Column("lower quartile", priority=1, right=True),
    Column("median", right=True),
    Column("upper quartile", priority=1, right=True),
)


def render_contracts(result: dict, width: int | None) -> str:
    """The rows table, then the groups table, for a terminal of ``width`` columns (None: piped)."""
    by_record = result.get("by_record", False)
    rows = [
        [
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
            "; ".join(s["name"] for s in r["suppliers"]),
            *(() if by_record else (", ".join(r["conflicts"]),)),
        ]
        for r in result["rows"]
    ]
    columns = CONTRACT_COLUMNS if by_record else (*CONTRACT_COLUMNS, DIFFERS)
    group_by = result["group_by"]
    groups = [
        [
            g.get("name") or (f"{g['group']} {g['label']}" if g.get("label") else g["group"]),
            str(g["count"]),
            str(g["known"]),
            str(g["unknown"]),
            money(g["q1"]),
            money(g["median"]),
            money(g["q3"]),
        ]
        for g in result["groups"]
    ]
    counted = Column("records" if by_record else "matters", right=True)
    if group_by == "council":  # people look councils up by name; the unknown stay last
        groups.sort(key=lambda row: (row[0] == UNKNOWN_GROUP, row[0].lower()))
    return "\n".join(
        [
            f"{len(rows)} contract {'records' if by_record else 'matters'}",
            tables.render(columns, rows, width),
            "",
            f"annual value by {group_by}",
            tables.render(
                (Column(group_by, wrap=True, min_width=10), counted, *GROUP_COLUMNS), groups, width
            ),
        ]
    )


# Who, how many and how much never fold; the rest folds under its row when the terminal is narrow.
SUPPLIER_COLUMNS = (
    Column("supplier", wrap=True, min_width=16),
    Column("key", priority=5, wrap=True, min_width=12),
    Column("councils", priority=2, wrap=True, min_width=10),
    Column("matters", right=True),
    Column("known total", right=True),
    Column("known per year", priority=1, right=True),
    Column("first", priority=3),
    Column("last", priority=3),
)


def render_suppliers(result: dict, width: int | None) -> str:
    """The suppliers table for a terminal of ``width`` columns (None: piped)."""
    rows = [
        [
            r["name"],
            r["key"],
            ", ".join(r["councils"]),
            str(r["matters"]),
            money(r["total_value"]),
            money(r["annual_value"]),
            r["first_decision"] or "",
            r["last_decision"] or "",
        ]
        for r in result["suppliers"]
    ]
    return "\n".join([f"{result['total']} suppliers", tables.render(SUPPLIER_COLUMNS, rows, width)])


@click.command("suppliers", cls=QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help='One JSON object: {"total", "suppliers"}.')
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per supplier.")
@backend_option
@click.pass_obj
def suppliers_command(settings, query: tuple[str, ...], as_json: bool, as_csv: bool, backend: str) -> None:
    """Who holds the contracts: one row per supplier over the matters matching QUERY.

    Suppliers are one by their normalised key ("APCOA Parking (UK) Limited" is "APCOA Parking
    UK Ltd"); values are the sums of the known total and annual values of their matters.

    \b
    Examples:
      papers suppliers
      papers suppliers 'category:90 council:camden' --csv
    """
    result = service.suppliers(settings, " ".join(query), backend=backend)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(SUPPLIER_FIELDS)
        for row in result["suppliers"]:
            writer.writerow([" ".join(row[f]) if f == "councils" else row[f] for f in SUPPLIER_FIELDS])
        return
    click.echo(render_suppliers(result, terminal_width()))


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


COMMANDS = [index_command, search_command, contracts_command, suppliers_command, export_command]
