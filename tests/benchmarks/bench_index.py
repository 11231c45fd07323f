"""Store, index and search at scale: tantivy (the default) against a plain SQLite FTS5 baseline.

    python -m tests.benchmarks index          (BENCH_RECORDS=10000 for a quicker run)

"+facets" is a search page's full cost for a query not seen before; "repeated" the same query
again (its counts cached until the next commit). Loads synthetic records (tests/benchmarks/synthetic.py) into the store and the tantivy index,
and the same records into an FTS5 table, then times each query kind 30 times after warm-up.
Targets at 100,000 records: search p95 <= 20 ms for every kind, grouped contracts table
<= 200 ms, >= 3,000 records/s stored and indexed, flat memory while indexing, and tantivy >= 10x
faster than FTS5 on a common word.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

from index import service
from index.contracts import summarise
from index.query import parse
from index.store import Store
from papers.settings import Settings
from tests.benchmarks.synthetic import synthetic_records

N = int(os.environ.get("BENCH_RECORDS", "100000"))
RUNS = 30
BATCH = 1000
QUERIES = {  # kind -> (our query language, the FTS5 MATCH expression, an extra SQL filter)
    "common word": ("contract", "contract", ""),
    "three words": ("contract award framework", "contract award framework", ""),
    "phrase": ('"recommendations approved"', '"recommendations approved"', ""),
    "filtered": (
        "contract council:kent year>=2018 value>=1m",
        "contract",
        "AND m.council = 'kent' AND m.year >= 2018 AND m.annual_value >= 1000000",
    ),
}
CONTRACTS_QUERY = ("maintenance", "maintenance")


def rss_mb() -> float:
    """Private resident memory (resident minus file-backed pages).

    tantivy reads its segments through mmap: those pages count as resident but are the kernel's
    page cache, reclaimable at will, and grow with the index on disk, not with the work in hand.
    """
    with open("/proc/self/statm") as fh:
        fields = fh.read().split()
    return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE") / 2**20


class MemorySampler:
    """Samples resident memory every 0.2 s in a thread: flat memory means a flat series."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.samples.append(rss_mb())

    def __enter__(self) -> MemorySampler:
        self.samples.append(rss_mb())
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mb())

    def quartiles(self) -> str:
        s = self.samples
        return " → ".join(f"{s[int(p * (len(s) - 1))]:.0f}" for p in (0, 0.25, 0.5, 0.75, 1))


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """(p50, p95) in milliseconds after three warm-up calls."""
    for _ in range(3):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


FTS_SCHEMA = """
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61');
CREATE TABLE m (rowid INTEGER PRIMARY KEY, id TEXT, council TEXT, year INTEGER, annual_value REAL,
                is_contract INTEGER, title TEXT, decision_date TEXT, url TEXT);
"""
FTS_SEARCH = """SELECT m.id, m.title, m.council, m.decision_date, m.url,
                       snippet(fts, 1, '<b>', '</b>', '…', 24), bm25(fts, 3.0, 1.0) AS rank
                FROM fts JOIN m ON m.rowid = fts.rowid WHERE fts MATCH ? {extra} ORDER BY rank LIMIT 20"""


def load_fts(db: Path, store: Store) -> float:
    """Copy every stored record into FTS5 (plus a table of filter columns); returns records/s."""
    conn = sqlite3.connect(db)
    conn.executescript(FTS_SCHEMA)
    started = time.perf_counter()
    for rowid, rec in enumerate(store.records(), 1):
        if rowid % BATCH == 1:
            conn.execute("BEGIN")
        c = rec.contract
        conn.execute("INSERT INTO fts (rowid, title, body) VALUES (?,?,?)", (rowid, rec.title, rec.text))
        conn.execute(
            "INSERT INTO m VALUES (?,?,?,?,?,?,?,?,?)",
            (
                rowid,
                rec.id,
                rec.council,
                int(rec.decision_date[:4]),
                c.annual_value,
                int(c.annual_value is not None or c.total_value is not None),
                rec.title,
                rec.decision_date,
                rec.url,
            ),
        )
        if rowid % BATCH == 0:
            conn.execute("COMMIT")
    if conn.in_transaction:
        conn.execute("COMMIT")
    rate = N / (time.perf_counter() - started)
    conn.close()
    return rate


def fts_contracts(conn: sqlite3.Connection, match: str) -> dict:
    rows = [
        {"council": r[0], "annual_value": r[1], "decision_date": r[2], "routes": [], "decision_maker": None}
        for r in conn.execute(
            "SELECT m.council, m.annual_value, m.decision_date FROM fts JOIN m ON "
            "m.rowid = fts.rowid WHERE fts MATCH ? AND m.is_contract",
            (match,),
        )
    ]
    return {"rows": rows, "groups": summarise(rows, "council")}


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        run(root)
    finally:
        service._backends.clear()
        shutil.rmtree(root, ignore_errors=True)


def run(root: Path) -> None:
    settings = Settings(data_dir=root / "data").ensure()
    store = Store(settings.db_path)
    records = synthetic_records(N)
    stored_s = 0.0
    with MemorySampler() as store_mem:
        while batch := list(islice(records, BATCH)):
            started = time.perf_counter()
            store.put_records(batch)
            stored_s += time.perf_counter() - started
    with MemorySampler() as index_mem:
        result = service.index_records(settings, progress=False)
    index_s = result["seconds"]
    assert result["count"] == N, result
    fts_rate = load_fts(root / "fts.sqlite3", store)
    fts = sqlite3.connect(root / "fts.sqlite3")

    print(f"{N:,} synthetic records from corpora/texts/dev, one process")
    print(
        f"store load:   {N / stored_s:,.0f} records/s (put_records, batches of {BATCH}); "
        f"store {folder_mb(root / 'data') - folder_mb(settings.index_dir):,.0f} MB"
    )
    print(
        f"index:        {N / index_s:,.0f} records/s (store -> tantivy, committed); "
        f"index {folder_mb(settings.index_dir):,.0f} MB"
    )
    print(f"both:         {N / (stored_s + index_s):,.0f} records/s stored and indexed (target >= 3,000)")
    print(
        f"FTS5 load:    {fts_rate:,.0f} records/s; FTS5 db {folder_mb(root) - folder_mb(root / 'data'):,.0f} MB"
    )
    print(
        f"memory (private RSS MB, min/quartiles/max) storing: {store_mem.quartiles()}; indexing: {index_mem.quartiles()}"
    )
    engine = service.backend_for(settings)
    print(
        f"\n{'query kind':<14}{'hits':>8}{'tantivy p50/p95 ms':>22}{'+facets p50/p95':>19}"
        f"{'repeated':>17}{'FTS5 p50/p95 ms':>19}{'FTS5/tantivy p95':>18}"
    )
    # +facets: a query the index has not counted yet (its cache emptied before each call);
    # repeated: the same query again, as when paging (counts cached until the next commit).
    for kind, (q, match, extra) in QUERIES.items():
        query = parse(q)
        total = engine.search(query, limit=20, facets=False).total
        bare = timed(lambda query=query: engine.search(query, limit=20, facets=False))
        full = timed(lambda q=q: (engine.facet_cache.clear(), service.search(settings, q, limit=20)))
        again = timed(lambda q=q: service.search(settings, q, limit=20))
        sql = FTS_SEARCH.format(extra=extra)
        base = timed(lambda sql=sql, match=match: fts.execute(sql, (match,)).fetchall())
        print(
            f"{kind:<14}{total:>8,}{bare[0]:>11.1f} / {bare[1]:<8.1f}{full[0]:>8.1f} / {full[1]:<8.1f}"
            f"{again[0]:>8.1f} / {again[1]:<6.1f}"
            f"{base[0]:>8.1f} / {base[1]:<8.1f}{base[1] / full[1]:>10.1f}x"
        )
    q, match = CONTRACTS_QUERY
    print("\ncontracts table grouped by council (target <= 200 ms)    p50 / p95 ms")
    for label, query in (("all contract decisions", None), (f"'{q}'", q)):
        total = service.contracts(settings, query, limit=0)["total"]
        for view, limit in (
            ("groups", 0),
            ("groups + first 50 rows", 50),
            (f"groups + all {total:,} rows", None),
        ):
            p50, p95 = timed(
                lambda query=query, limit=limit: service.contracts(settings, query, limit=limit), runs=10
            )
            print(f"  {label + ': ' + view:<52}{p50:>6.0f} / {p95:<6.0f}")
    base = timed(lambda: fts_contracts(fts, match), runs=10)
    print(f"  FTS5 baseline, '{q}': groups from a MATCH join     {base[0]:>6.0f} / {base[1]:<6.0f}")
    fts.close()
    store.close()


if __name__ == "__main__":
    main()
