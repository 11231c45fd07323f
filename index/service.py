"""What the CLI, the web interface and the nightly job call: one place, so their JSON is identical.

search(settings, q)          -> {"total": N, "hits": [...], "facets": {...}}
contracts(settings, q)       -> {"group_by": G, "total": N, "rows": [...], "groups": [...]}
index_records(settings)      -> {"backend", "loaded", "indexed", "count", "rebuild", "seconds"}
export(settings, q, fmt, fh) -> number of records (or releases) written
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

from index import contracts as contract_table
from index import export as exporters
from index.backends import SearchBackend, open_backend
from index.query import Query, parse
from index.store import Store
from papers.errors import UserError
from papers.schema import Record
from papers.settings import Settings

log = logging.getLogger(__name__)

BATCH = 1000  # records per store transaction and per index write
COMMIT_EVERY = 20_000  # records between index commits outside a rebuild (each commit makes a segment)
# What one search call may ask for, whoever calls (CLI, web, update job). Deep offsets cost the
# engine memory in proportion (tantivy collects offset + limit hits: 10^11 aborts the process), and
# no reader pages past 10,000 hits: narrow the query instead. The web API caps its limit lower.
MAX_SEARCH_LIMIT = 1000
MAX_SEARCH_OFFSET = 10_000

_backends: dict[tuple[str, str], SearchBackend] = {}


def backend_for(settings: Settings, name: str = "tantivy") -> SearchBackend:
    """One open backend per (engine, location) per process: opening an index is not free."""
    where = str(settings.index_dir if name == "tantivy" else settings.elasticsearch_url)
    if (name, where) not in _backends:
        _backends[(name, where)] = open_backend(settings, name)
    return _backends[(name, where)]


def require_store(settings: Settings) -> None:
    """Reading commands never create a data directory: a mistyped --data-dir is said, not hidden."""
    if not settings.db_path.exists():
        raise UserError(
            f"no store at {settings.db_path}: run `papers update` (or `papers index RECORDS.jsonl`) "
            "first, or point --data-dir / PAPERS_DATA at your data"
        )


def _query(q: str | Query | None) -> Query:
    return q if isinstance(q, Query) else parse(q)


def search(
    settings: Settings,
    q: str | Query | None,
    limit: int = 20,
    offset: int = 0,
    backend: str = "tantivy",
    facets: bool = True,
) -> dict:
    """Ranked hits (HIT_FIELDS + score + HTML snippet) and facet counts for council/type/route/year.

    Facets cost a second pass over every match; ``facets=False`` (e.g. for later pages whose
    facets the caller already has) returns ``"facets": {}``.
    """
    if not 0 <= limit <= MAX_SEARCH_LIMIT:
        raise UserError(f"limit must be between 0 and {MAX_SEARCH_LIMIT}, not {limit}")
    if not 0 <= offset <= MAX_SEARCH_OFFSET:
        raise UserError(
            f"offset must be between 0 and {MAX_SEARCH_OFFSET:,}, not {offset}: narrow the query to see deeper hits"
        )
    query = _query(q)  # a malformed query is reported before anything else
    if backend == "tantivy":
        require_store(settings)
    result = backend_for(settings, backend).search(query, limit=limit, offset=offset, facets=facets)
    return {"total": result.total, "hits": result.hits, "facets": result.facets}


def contracts(
    settings: Settings,
    q: str | Query | None = None,
    group_by: str = "council",
    backend: str = "tantivy",
    limit: int | None = None,
    offset: int = 0,
) -> dict:
    """Matching contract decisions: ``total``, the ``rows`` (all, or a page with ``limit``/``offset``)
    and per group count/known/unknown/q1/median/q3 of the annual value over every match.

    Listing 40,000 full rows costs far more than the groups, so pages and group-only views
    (``limit=0``) read just the columns the groups need.
    """
    if group_by not in contract_table.GROUP_BY:
        raise UserError(f"cannot group by '{group_by}' (one of: {', '.join(contract_table.GROUP_BY)})")
    if (limit is not None and limit < 0) or offset < 0:
        raise UserError("limit and offset must be at least 0")
    query = _query(q)
    require_store(settings)
    with Store(settings.db_path) as store:
        keys = None if query.is_empty else backend_for(settings, backend).keys(query, contracts_only=True)
        if limit is None and not offset:
            rows = grouped = store.contract_rows(keys)
        else:
            grouped = store.contract_rows(
                keys, ("annual_value", contract_table.GROUP_COLUMNS[group_by]), ordered=False
            )
            rows = store.contract_rows(keys, limit=limit, offset=offset) if limit != 0 else []
    return {
        "group_by": group_by,
        "total": len(grouped),
        "rows": rows,
        "groups": contract_table.summarise(grouped, group_by),
    }


def matching_records(
    store: Store, settings: Settings, q: str | Query | None, backend: str = "tantivy"
) -> Iterator[Record]:
    """Every record matching a query (all records for an empty one), streamed in id order."""
    query = _query(q)
    if query.is_empty:
        return store.records()
    return store.records_by_keys(backend_for(settings, backend).keys(query))


def export(
    settings: Settings, q: str | Query | None, fmt: str, out: IO[str], backend: str = "tantivy"
) -> int:
    """Write the matching records as jsonl, csv or an OCDS release package; returns how many."""
    writer = exporters.WRITERS.get(fmt)
    if writer is None:
        raise UserError(f"unknown export format '{fmt}' (one of: {', '.join(exporters.WRITERS)})")
    query = _query(q)
    require_store(settings)
    with Store(settings.db_path) as store:
        return writer(matching_records(store, settings, query, backend), out)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def index_records(
    settings: Settings,
    records: Iterable[Record] | None = None,
    backend: str = "tantivy",
    rebuild: bool = False,
    progress: bool = True,
) -> dict:
    """Load ``records`` into the store (if given), then index everything the backend lacks.

    The store stays the source of truth: records are stored first, and marked indexed only after
    the backend has committed them, so a crash re-indexes rather than loses.
    """
    started = time.perf_counter()
    engine = backend_for(settings, backend)
    with Store(settings.ensure().db_path) as store:
        loaded = None
        if records is not None:
            loaded = {"new": 0, "changed": 0, "unchanged": 0}
            for batch in _batches(records, BATCH):
                for k, v in store.put_records(batch).items():
                    loaded[k] += v
        if rebuild or engine.count() < store.count_indexed(backend):
            # The index holds less than the store marked (a deleted folder, a new layout, lost
            # commits): every record is queued again; upserts by id make that safe.
            store.mark_all_unindexed(backend)
        # An empty index (or one being rebuilt) holds none of the ids about to be added, and this
        # process is its only writer: no older copies to replace.
        fresh = rebuild or engine.count() == 0
        # A rebuild, and a load into an empty index, commit once, at the end (a rebuild's searches
        # keep the old index until then). Measured at 1M records (tests/benchmarks/scale.py), a
        # load committing every COMMIT_EVERY records peaked at 359 MB private (1.9x its 100k peak:
        # each commit waits out merges of ever larger segments), a rebuild at 267 MB (1.1x). Their
        # marks are written batch by batch under a staging name and become the backend's after
        # that commit: no list of every record id is held, and a killed load re-sends everything.
        staged = f"{backend}:rebuild"
        if fresh:
            store.mark_all_unindexed(staged)  # what a killed load or rebuild left
        if rebuild:
            engine.start_rebuild()
        total = store.count_unindexed(backend)
        indexed = 0
        pending: list[str] = []
        with _progress(progress, total, f"indexing into {backend}") as advance:
            for batch in _batches(store.unindexed(backend), BATCH):
                indexed += engine.add(batch, fresh=fresh)
                advance(len(batch))
                if fresh:
                    store.mark_indexed([r.id for r in batch], staged)
                    continue
                pending.extend(r.id for r in batch)
                if len(pending) >= COMMIT_EVERY:
                    engine.commit()
                    store.mark_indexed(pending, backend)
                    pending = []
            engine.commit()
            if fresh:
                store.promote_marks(staged, backend)
            else:
                store.mark_indexed(pending, backend)
        return {
            "backend": backend,
            "loaded": loaded,
            "indexed": indexed,
            "count": engine.count(),
            "rebuild": rebuild,
            "seconds": round(time.perf_counter() - started, 2),
        }


class _progress:
    """A rich progress bar on stderr, or nothing when progress is off or there is nothing to do."""

    def __init__(self, enabled: bool, total: int, label: str):
        self.bar = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
            return lambda n: self.bar.advance(self.task, n)
        return lambda n: None

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
