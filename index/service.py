"""What the CLI, the web interface and the nightly job call: one place, so their JSON is identical.

search(settings, q)          -> {"total": N, "hits": [...], "facets": {...}}
contracts(settings, q)       -> {"group_by": G, "by_record": B, "total": N, "rows": [...], "groups": [...]}
suppliers(settings, q)       -> {"total": N, "suppliers": [...]}
index_records(settings)      -> {"backend", "loaded", "deleted", "indexed", "count", "refused", "rebuild", "seconds"}
export(settings, q, fmt, fh) -> number of records (or releases) written
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, TypeVar

import numpy as np

from index import contracts as contract_table
from index import export as exporters
from index import matters as matter_table
from index.backends import SearchBackend, open_backend
from index.documents import record_key
from index.query import Query, parse
from index.store import Store, Stored
from papers.errors import UserError
from papers.schema import Record
from papers.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 1000  # records per index write
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


def _registered(council: str | None):
    """The registry's entry for a council id in any case, or None (unknown, or no registry)."""
    from crawlers.registry import RegistryError, find_council

    try:
        return find_council(council) if council else None
    except (OSError, RegistryError):  # no registry: bare ids still work
        return None


def registry_id(council: str | None) -> str | None:
    """A council id as the registry spells it ("bry" -> "BRY"), for whatever machines read (JSON,
    CSV); the index and the contracts table keep ids in lower case for case-blind filters. An id
    the registry does not know is returned as given."""
    found = _registered(council)
    return found.id if found else council


def council_name(council: str | None) -> str | None:
    """The registry's name for a council id in any case, or None."""
    found = _registered(council)
    return found.name if found else None


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
    hits = [{**h, "council": registry_id(h.get("council"))} for h in result.hits]
    result_facets = dict(result.facets)
    if "council" in result_facets:
        result_facets["council"] = {registry_id(k): n for k, n in result_facets["council"].items()}
    return {"total": result.total, "hits": hits, "facets": result_facets}


def contracts(
    settings: Settings,
    q: str | Query | None = None,
    group_by: str = "council",
    backend: str = "tantivy",
    limit: int | None = None,
    offset: int = 0,
    by_record: bool = False,
) -> dict:
    """Matching contract matters (``by_record``: records): ``total``, the ``rows`` (all, or a page
    with ``limit``/``offset``) and per group count/known/unknown/q1/median/q3 of the annual value
    over every match, each matter counted once.

    By record, listing 40,000 full rows costs far more than the groups, so pages and group-only
    views (``limit=0``) read just the columns the groups need.
    """
    if group_by not in contract_table.GROUP_BY:
        raise UserError(f"cannot group by '{group_by}' (one of: {', '.join(contract_table.GROUP_BY)})")
    if (limit is not None and limit < 0) or offset < 0:
        raise UserError("limit and offset must be at least 0")
    query = _query(q)
    require_store(settings)
    with Store(settings.db_path) as store:
        keys = None if query.is_empty else backend_for(settings, backend).keys(query, contracts_only=True)
        if not by_record:
            # Groups need a few values of every matter; the page's rows are merged in full.
            matters = _matters(store)
            chosen = matters.select(keys)
            listed = np.flatnonzero(chosen)
            end = None if limit is None else offset + limit
            rows = _detailed(store, [matters.rows[i] for i in listed[offset:end].tolist()])
            total, groups = len(listed), matters.groups(group_by).summary(chosen)
        else:
            if limit is None and not offset:
                rows = grouped = store.contract_rows(keys)
            else:
                grouped = store.contract_rows(
                    keys, ("annual_value", contract_table.GROUP_COLUMNS[group_by]), ordered=False
                )
                rows = store.contract_rows(keys, limit=limit, offset=offset) if limit != 0 else []
            total, groups = len(grouped), contract_table.summarise(grouped, group_by)
    names = {}
    for row in rows:
        row["council"] = registry_id(row.get("council"))
        names.setdefault(row["council"], row.get("council_name"))
    if group_by == "council":
        for g in groups:
            found = _registered(g["group"])
            g["group"] = found.id if found else g["group"]
            g["name"] = names.get(g["group"]) or (found.name if found else g["group"])
    return {
        "group_by": group_by,
        "by_record": by_record,
        "total": total,
        "rows": rows,
        "groups": groups,
    }


# What a light matter keeps between calls: its groups, its value, its records.
_KEPT = (
    "council",
    "decision_date",
    "decision_maker",
    "routes",
    "category_id",
    "category_description",
    "suppliers",
    "annual_value",
    "records",
)


class _Matters:
    """Every matter of one store, light (index/matters.py merge without detail), in the table's
    order, with what a query's matters are picked and grouped by: each record's key (the index
    hands back keys) beside its matter, and per grouping the matters as contracts.Groups."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        members = [(record_key(i), n) for n, m in enumerate(rows) for i in m["records"]]
        members.sort()
        self.keys = np.array([k for k, _ in members], dtype=np.int64)
        self.owner = np.array([n for _, n in members], dtype=np.int64)
        self._groups: dict[str, contract_table.Groups] = {}
        self._lock = threading.Lock()

    def select(self, keys: list[int] | None) -> np.ndarray:
        """A mask over the matters: those with a record among ``keys`` (all of them for None)."""
        chosen = np.zeros(len(self.rows), dtype=bool)
        if keys is None:
            chosen[:] = True
        elif len(keys) and len(self.keys):
            wanted = np.sort(np.asarray(keys, dtype=np.int64))  # sorted, the lookups walk memory in order
            at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
            chosen[self.owner[at[self.keys[at] == wanted]]] = True
        return chosen

    def groups(self, group_by: str) -> contract_table.Groups:
        with self._lock:
            if group_by not in self._groups:
                self._groups[group_by] = contract_table.Groups(self.rows, group_by)
            return self._groups[group_by]


class _MatterCache:
    """The store's _Matters, kept until anything commits to the store: forming 40,000 matters
    costs far more than filtering them.

    A connection of its own that never writes asks ``PRAGMA data_version``, which changes exactly
    when another connection has committed since it last asked; a store file replaced under the
    same name (another inode or change time: inode numbers are reused) starts the cache afresh.
    """

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.conn: sqlite3.Connection | None = None
        self.file: tuple[int, int] = (0, 0)
        self.version: int | None = None
        self.matters = _Matters([])

    def get(self, store: Store) -> _Matters:
        with self.lock:
            stat = os.stat(self.path)
            if self.conn is None or (stat.st_ino, stat.st_ctime_ns) != self.file:
                if self.conn is not None:
                    self.conn.close()
                self.conn = sqlite3.connect(self.path, check_same_thread=False)
                self.file, self.version = (stat.st_ino, stat.st_ctime_ns), None
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self.version:
                table = store.contract_rows(None, matter_table.LIGHT_FIELDS, lazy=True)
                light = matter_table.matter_rows(table, detail=False)
                self.matters = _Matters([{name: m[name] for name in _KEPT} for m in light])
                self.version = version
            return self.matters


_matter_caches: dict[str, _MatterCache] = {}


def _matters(store: Store) -> _Matters:
    """Every matter of the store, light, from the cache when still current."""
    path = str(store.path.resolve())
    cache = _matter_caches.get(path) or _matter_caches.setdefault(path, _MatterCache(path))
    return cache.get(store)


def _detailed(store: Store, light: list[dict]) -> list[dict]:
    """Light matters merged again in full from the table rows of their records."""
    ids = [record_key(i) for matter in light for i in matter["records"]]
    full = store.contract_rows(ids, contract_table.ROW_FIELDS + contract_table.LINK_FIELDS, lazy=True)
    return matter_table.detailed(light, full)


def matching_matters(store: Store, keys: list[int] | None) -> list[dict]:
    """The matters with a record among these keys (all matters for None). Matters are formed over
    the whole table, so a query that matches one page of a decision still gets all its sources."""
    matters = _matters(store)
    return _detailed(store, [matters.rows[i] for i in np.flatnonzero(matters.select(keys)).tolist()])


def suppliers(settings: Settings, q: str | Query | None = None, backend: str = "tantivy") -> dict:
    """One row per supplier key over the matching matters (papers suppliers)."""
    query = _query(q)
    require_store(settings)
    with Store(settings.db_path) as store:
        keys = None if query.is_empty else backend_for(settings, backend).keys(query, contracts_only=True)
        rows = matter_table.supplier_rows(matching_matters(store, keys))
    for row in rows:
        row["councils"] = [registry_id(c) for c in row["councils"]]
    return {"total": len(rows), "suppliers": rows}


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
        if writer is exporters.write_ocds:
            # Releases are matters: every page of a matter that one matching page belongs to.
            keys = None if query.is_empty else backend_for(settings, backend).keys(query, contracts_only=True)
            members = [record_key(i) for m in matching_matters(store, keys) for i in m["records"]]
            links = {
                r["id"]: (r["links"], r["meeting"])
                for r in store.contract_rows(fields=("id", "links", "meeting"))
            }
            return exporters.write_ocds(store.records_by_keys(members), out, links)
        records = matching_records(store, settings, query, backend)
        return writer(records, out)


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

    The store stays the source of truth: records are stored first (into a fresh embedded index,
    each batch is indexed right after it is stored), and marked indexed only after the backend
    has committed them, so a crash re-indexes rather than loses.
    """
    from papers.pipeline.pending import send_deletes

    started = time.perf_counter()
    engine = backend_for(settings, backend)
    rebuild = rebuild or engine.needs_rebuild()
    with Store(settings.ensure().db_path) as store:
        # Records removed from the store leave this backend's index first (its own queue).
        deleted = send_deletes(store, engine, backend)
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
        loaded = None
        indexed = 0
        load_refused = 0
        # Into a fresh index, a load into an empty store indexes everything it stores: then only
        # what the engine refused is left for the queue, which is not scanned for nothing (at 1M
        # records counting and reading it back takes about 8 s).
        overlap = fresh and engine.index_while_storing
        queue_empty = overlap and records is not None and store.is_empty()
        if records is not None:
            # Into a fresh embedded index each batch is indexed as it is stored: nothing is read
            # back, and the engine's threads run beside the Python that feeds them (README,
            # "Running at national scale"). Into an index with older copies, each must leave at
            # the commit that brings its new one, which the queue below sees to.
            def index_stored(stored: list[Stored]) -> list[tuple[str, str]]:
                nonlocal indexed, load_refused
                for replaced in (False, True):  # a record this load indexed before must replace it
                    batch = [s.record for s in stored if s.replaced is replaced]
                    indexed += engine.add(batch, fresh=not replaced) if batch else 0
                not_taken = engine.refused()  # stays queued: the pass below tries it again
                load_refused += len(not_taken)
                return [(s.record.id, s.sha256) for s in stored if s.record.id not in not_taken]

            with _progress(progress, None, "storing and indexing" if overlap else "storing") as advance:
                loaded = store.load(
                    _counted(records, advance), index=index_stored if overlap else None, mark_as=staged
                )
            log.debug("stored %s in %.0f s", loaded, time.perf_counter() - started)
        queue = staged if fresh else backend
        scan = load_refused or not queue_empty
        queued = store.unindexed(queue) if scan else iter(())
        # Counted for the progress bar alone: a whole-store pass (about 1 s at 1M records, cold).
        total = store.count_unindexed(queue) if scan and progress else 0
        refused = 0
        pending: list[str] = []
        with _progress(progress, total, f"indexing into {backend}") as advance:
            for batch in _batches(queued, BATCH):
                indexed += engine.add(batch, fresh=fresh)
                # A record the engine refused stays queued (and is logged); the rest of its batch is marked.
                not_taken = engine.refused()
                refused += len(not_taken)
                taken = [r.id for r in batch if r.id not in not_taken]
                advance(len(batch))
                if fresh:
                    store.mark_indexed(taken, staged)
                    continue
                pending.extend(taken)
                if len(pending) >= COMMIT_EVERY:
                    engine.commit()
                    store.mark_indexed(pending, backend)
                    pending = []
            committing = time.perf_counter()
            engine.commit()
            log.debug("%s committed in %.0f s", backend, time.perf_counter() - committing)
            if fresh:
                store.promote_marks(staged, backend)
            else:
                store.mark_indexed(pending, backend)
        return {
            "backend": backend,
            "loaded": loaded,
            "deleted": deleted,
            "indexed": indexed,
            "count": engine.count(),
            "refused": refused,
            "rebuild": rebuild,
            "seconds": round(time.perf_counter() - started, 2),
        }


def _counted(items: Iterable[T], advance: Callable[[int], None], every: int = BATCH) -> Iterator[T]:
    """``items``, calling ``advance`` with how many went by, every ``every`` of them and at the end."""
    n = 0
    for n, item in enumerate(items, 1):
        yield item
        if n % every == 0:
            advance(every)
    advance(n % every)


class _progress:
    """A rich progress bar on stderr, or nothing when progress is off or there is nothing to do
    (``total`` None: not known beforehand, the bar counts)."""

    def __init__(self, enabled: bool, total: int | None, label: str):
        self.bar = None
        if enabled and total != 0:
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
