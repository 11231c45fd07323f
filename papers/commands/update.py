"""`papers update`, `reextract`, `runs`, `watch` and `check`: keeping the store and index fresh."""

from __future__ import annotations

import json
import sys
from collections import Counter

import click

from index.service import require_store
from index.store import Store
from papers import tables
from papers.errors import EXIT_OK, EXIT_PARTIAL, UserError
from papers.pipeline.check import check as check_store
from papers.pipeline.job import UpdateJob
from papers.pipeline.lock import RunLock
from papers.pipeline.runs import COUNT_KEYS, Run, Runs, StageRow
from papers.pipeline.watches import Watches, feed_path
from papers.settings import Settings
from papers.tables import Column, terminal_width

BACKENDS = click.Choice(["tantivy", "elasticsearch"])


def backend_option(text: str = "Search index to keep in step with the store."):
    return click.option("--backend", type=BACKENDS, default="tantivy", show_default=True, help=text)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.command()
@click.option("--council", "councils", multiple=True, metavar="ID", help="Only these councils (repeatable).")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Crawl from this date (default: each council resumes from its last run).",
)
@backend_option()
@click.option("--snapshot", is_flag=True, help="Crawl the bundled offline snapshot, served on 127.0.0.1.")
@json_option
@click.pass_obj
def update(
    settings: Settings, councils: tuple[str, ...], since, backend: str, snapshot: bool, as_json: bool
) -> None:
    """Crawl, extract what is new or changed, store and index, as one job.

    Safe to kill at any moment and to run twice: the next run completes what a killed one left.
    Exit codes: 0 ok; 1 partial failure (a council answered nothing, a stage failed, e.g. the index
    is down, or a council's crawl looks broken), retried next run; 2 usage error; 3 another run
    holds the data directory.
    """
    job = UpdateJob(settings, backend)
    summary = job.update(list(councils) or None, since.date().isoformat() if since else None, snapshot)
    _finish(settings, summary, as_json)


@click.command()
@click.option("--council", "councils", multiple=True, metavar="ID", help="Only these councils (repeatable).")
@click.option(
    "--all", "everything", is_flag=True, help="Re-extract every stored document, whatever its version."
)
@backend_option()
@json_option
@click.pass_obj
def reextract(
    settings: Settings, councils: tuple[str, ...], everything: bool, backend: str, as_json: bool
) -> None:
    """Re-extract records made by an older extractor version, without crawling, and re-index them."""
    require_store(settings)
    summary = UpdateJob(settings, backend).reextract(list(councils) or None, everything)
    _finish(settings, summary, as_json)


@click.command()
@click.argument("run_id", type=int, required=False)
@click.option("--limit", default=10, show_default=True, help="How many recent runs to list.")
@json_option
@click.pass_obj
def runs(settings: Settings, run_id: int | None, limit: int, as_json: bool) -> None:
    """List recent runs, or show one run's per-council, per-stage counts and health flags."""
    require_store(settings)
    with Store(settings.db_path) as store:
        table = Runs(store.conn)
        found = [table.get(run_id)] if run_id else table.recent(limit)
    if run_id and found[0] is None:
        raise UserError(f"no run {run_id} (see `papers runs`)")
    running_elsewhere = RunLock(settings.data_dir).is_held_elsewhere()
    for run in found:
        if run.status == "running" and not running_elsewhere:
            run.status = "killed"  # its process died holding no lock; the next run completes its work
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in found] if not run_id else found[0].to_dict()))
    elif run_id:
        click.echo(render_run(found[0], terminal_width()))
    else:
        click.echo(render_runs(found, terminal_width()))


@click.group()
def watch() -> None:
    """Saved searches: each update reports new matches and writes an Atom feed per search."""


@watch.command("add")
@click.argument("name")
@click.argument("query")
@backend_option("Search index that finds what already matches.")
@click.pass_obj
def watch_add(settings: Settings, name: str, query: str, backend: str) -> None:
    """Save QUERY as NAME; what matches already is its baseline, later matches are alerts."""
    require_store(settings)  # a baseline needs an index: a mistyped --data-dir is said, not created
    with Store(settings.db_path) as store:
        saved, baseline = Watches(settings, store, backend).add(name, query)
    click.echo(
        f"watch {saved.name!r} added: {baseline} documents match now; each update reports new ones "
        f"in its summary and in {feed_path(settings, saved.name)}"
    )


@watch.command("list")
@json_option
@click.pass_obj
def watch_list(settings: Settings, as_json: bool) -> None:
    """List saved searches with their number of alerts so far."""
    require_store(settings)
    with Store(settings.db_path) as store:
        watches = Watches(settings, store)
        rows = [
            {
                **w.to_dict(),
                "alerts": len(watches.alerts(w.name, limit=10**9)),
                "feed": str(feed_path(settings, w.name)),
            }
            for w in watches.list()
        ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("no saved searches (add one with `papers watch add NAME QUERY`)")
        return
    cells = [[r["name"], r["query"], str(r["alerts"]), r["checked_at"] or "never", r["feed"]] for r in rows]
    click.echo(tables.render(WATCH_COLUMNS, cells, terminal_width()))


WATCH_COLUMNS = (
    Column("name"),
    Column("query", wrap=True, min_width=16),
    Column("alerts", right=True),
    Column("checked", priority=2),
    Column("feed", priority=1),
)


@watch.command("remove")
@click.argument("name")
@click.pass_obj
def watch_remove(settings: Settings, name: str) -> None:
    """Delete a saved search, its remembered matches and its feed."""
    require_store(settings)
    with Store(settings.db_path) as store:
        Watches(settings, store).remove(name)
    click.echo(f"watch {name!r} removed")


@click.command()
@backend_option("Search index to compare with the store.")
@json_option
@click.option("--show", default=20, show_default=True, help="Findings listed per kind.")
@click.pass_obj
def check(settings: Settings, backend: str, as_json: bool, show: int) -> None:
    """Verify the store and the index agree (ids, counts) and the stored checksums hold.

    Exit 0 when consistent, 1 otherwise; `papers update` completes queued work,
    `papers index --rebuild` rebuilds the index from the store.
    """
    require_store(settings)  # an empty store created here would be "consistent"
    # A run in progress is inconsistent by design: the lock is held while store and index are
    # read at one moment, not while every page and file is hashed.
    report = check_store(settings, backend, lock=RunLock(settings.data_dir, "check"))
    if as_json:
        click.echo(json.dumps(report.to_dict()))
    else:
        c = report.counts
        click.echo(
            f"documents {c.get('documents', 0)}, attachments {c.get('attachments', 0)}, "
            f"records {c.get('records', 0)}, index ({backend}) {c.get('index', 0)}"
        )
        for listed in (report.findings, report.notes):
            for kind, n in sorted(Counter(f.kind for f in listed).items()):
                click.echo(f"{kind}: {n}")
                for f in [f for f in listed if f.kind == kind][:show]:
                    click.echo(f"  {f.id}  {f.detail}")
                if n > show:
                    click.echo(f"  ... and {n - show} more (--json lists all)")
        click.echo("consistent" if report.ok else "INCONSISTENT")
    sys.exit(EXIT_OK if report.ok else EXIT_PARTIAL)


# -- rendering ---------------------------------------------------------------------------------


STAGES = ("crawl", "extract", "index")
# Per stage, the counts a row shows; the index stage counts records sent and still queued.
COLUMNS = {"crawl": COUNT_KEYS, "extract": COUNT_KEYS, "index": ("new", "failed")}
HEADINGS = {"new": "new", "changed": "chg", "unchanged": "same", "failed": "fail"}
INDEX_HEADINGS = {"new": "sent", "failed": "queued"}
# What folds under its row first in a narrow terminal: seconds, then unchanged, then changed.
FOLDS = {"unchanged": 3, "changed": 2}


def render_run(run: Run, width: int | None = None) -> str:
    """One run: a row per council with each stage's counts, then flags, watches, quarantines, errors."""
    lines = [
        tables.wrap_text(
            f"run {run.id} ({run.kind}) {run.status}, started {run.started_at}, "
            f"finished {run.finished_at or '-'}",
            width,
        )
    ]
    rows: dict[str, dict[str, StageRow]] = {}
    for s in run.stages:
        rows.setdefault(s.council, {})[s.stage] = s
    stages = [st for st in STAGES if any(st in r for r in rows.values())]
    columns = [Column("council")]
    for st in stages:
        names = INDEX_HEADINGS if st == "index" else HEADINGS
        folds = {"new": 1} if st == "index" else FOLDS  # records sent: queued is what matters
        columns += [
            Column(f"{st} {names[k]}", priority=folds.get(k, 0), right=True, empty="0") for k in COLUMNS[st]
        ]
        if st == "crawl":  # the council's own crawl time (the spiders overlap councils)
            columns.append(Column("crawl secs", priority=4, right=True))
    table, quiet = [], []
    for council, by_stage in rows.items():
        if council != "*" and not any(s.items or s.failed for s in by_stage.values()):
            crawl = by_stage.get("crawl")  # one line for all the councils with nothing to report, below
            quiet.append(f"{council} ({crawl.seconds:.1f}s)" if crawl and crawl.seconds else council)
            continue
        cells = ["(all)" if council == "*" else council]
        for st in stages:
            s = by_stage.get(st)
            cells += [str(getattr(s, k)) if s else "-" for k in COLUMNS[st]]
            if st == "crawl":
                cells.append(f"{s.seconds:.1f}" if s else "-")
        table.append(cells)
    if table:
        lines.append(tables.render(columns, table, width))
    if "*" in rows:
        lines.append(
            "seconds: " + ", ".join(f"{st} {rows['*'][st].seconds:.2f}" for st in stages if st in rows["*"])
        )
    if quiet:
        lines.append(
            tables.wrap_text(
                f"nothing new, changed or failed at {len(quiet)} councils: {', '.join(quiet)}", width
            )
        )
    for f in run.flags:
        lines.append(f"!! CRAWL HEALTH {f['council']}: {f['message']}")
    summary = run.summary or {}
    for name, w in (summary.get("watches") or {}).items():
        lines.append(f"watch {name}: {w['new']} new matches ({w['feed']})")
        lines.extend(f"  + {m.get('title') or m['id']}  {m.get('url') or ''}" for m in w["matches"][:10])
    extract = (summary.get("stages") or {}).get("extract") or {}
    for q in extract.get("quarantined") or []:
        lines.append(f"!! QUARANTINED {q['id']}: {q['reason']} (tried again when its source changes)")
    if extract.get("quarantined_in_store"):
        lines.append(
            f"quarantined documents in the store: {extract['quarantined_in_store']} (`papers check` lists them)"
        )
    lines.extend(f"error: {e}" for e in summary.get("errors") or [])
    # Messages wrap between words; a URL or an id is never cut.
    return "\n".join(
        tables.wrap_text(line, width, "", "    ") if "\n" not in line else line for line in lines
    )


RUNS_COLUMNS = (
    Column("id", right=True),
    Column("kind", priority=2),
    Column("started"),
    Column("status"),
    Column("new", right=True),
    Column("changed", right=True, priority=1),
    Column("failed", right=True),
    Column("flags", wrap=True, min_width=12),
)


def render_runs(found: list[Run], width: int | None = None) -> str:
    if not found:
        return "no runs yet (start one with `papers update`)"
    rows = []
    for r in found:
        crawl = next((s for s in r.stages if s.council == "*" and s.stage == "crawl"), None)
        extract = next((s for s in r.stages if s.council == "*" and s.stage == "extract"), None)
        totals = crawl or extract
        new, changed, failed = (totals.new, totals.changed, totals.failed) if totals else (0, 0, 0)
        flags = [f"{f['council']} {f['flag']}" for f in r.flags]
        held = (((r.summary or {}).get("stages") or {}).get("extract") or {}).get("quarantined") or []
        flags += [f"{len(held)} quarantined"] if held else []
        rows.append(
            [str(r.id), r.kind, r.started_at, r.status, str(new), str(changed), str(failed)]
            + [f"!! {', '.join(flags)}" if flags else ""]
        )
    return tables.render(RUNS_COLUMNS, rows, width)


def _finish(settings: Settings, summary: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary))
        for flag in summary["health"]:  # loud even under --json, where stdout belongs to the parser
            click.echo(f"!! CRAWL HEALTH {flag['council']}: {flag['message']}", err=True)
    else:
        with Store(settings.db_path) as store:
            click.echo(render_run(Runs(store.conn).get(summary["run_id"]), terminal_width()))
    sys.exit(summary["exit_code"])


COMMANDS = [update, reextract, runs, watch, check]
