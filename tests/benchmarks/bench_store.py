"""The store's nightly queries and growth at scale (issue 17 items 6 and 8).

    python -m tests.benchmarks store          (BENCH_DOCUMENTS=5000 for a quicker run)

1. The "what changed" pass (papers/pipeline/pending.py reads every page's id and sha256) and the
   deletion of a record's index marks by id, with the indexes the store creates against the same
   queries forced to ignore them (what a store without them did). Warm OS cache: the gap grows
   when the bodies are not in memory (about 40 GB at a million documents).
2. A year of simulated nights (tests/test_retention.py's night): rows, data-directory folders and
   database pages at days 30, 90, 180 and 365, with retention at 30 days.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from index.store import Store
from papers.pipeline import pending
from papers.schema import Document
from papers.settings import Settings

N = int(os.environ.get("BENCH_DOCUMENTS", "50000"))
BODY = 8_000  # bytes of page body: committee pages run 5-50 kB
MARKS = 1_000  # records whose marks are deleted, as one night's re-extraction drops them


def _store(root: Path) -> Store:
    store = Store(root / "papers.sqlite3")
    pending.ensure_schema(store.conn)
    body = "x" * BODY
    with store.transaction():
        for n in range(N):
            store.put_document(
                Document(
                    id=f"BRY:decision_details:{n}",
                    council="BRY",
                    platform="moderngov",
                    page_type="decision_details",
                    url=f"https://bry.test/{n}",
                    body=f"{n} {body}",
                )
            )
        store.conn.executemany(
            "INSERT INTO index_marks (backend, id, sha256) VALUES (?, ?, 'x')",
            ((b, f"r{n}") for b in ("tantivy", "elasticsearch") for n in range(N)),
        )
    return store


def _timed(path: Path, sql: str, args: tuple | list = (), drop: str | None = None) -> float:
    """Seconds for a query (or a batch of statements) on a fresh connection to a copy of the store,
    without the index ``drop`` if given (as a store made before it)."""
    copy = path.with_name("copy.sqlite3")
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    if drop:
        conn.execute(f"DROP INDEX {drop}")
    started = time.perf_counter()
    if isinstance(args, list):
        conn.execute("BEGIN")
        conn.executemany(sql, args)
        conn.execute("COMMIT")
    else:
        conn.execute(sql, args).fetchall()
    seconds = time.perf_counter() - started
    conn.close()
    copy.unlink()
    return seconds


def plans() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = _store(Path(tmp))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        print(
            f"{N:,} documents of {BODY:,} bytes and {2 * N:,} index marks in {time.perf_counter() - started:.1f} s"
        )
        deletes = [(f"r{n}",) for n in range(0, N, max(1, N // MARKS))]
        what_changed = "SELECT id, sha256 FROM documents"
        marks = "DELETE FROM index_marks WHERE id = ?"
        rows = [
            ("what changed: ids and hashes", what_changed, (), None),
            ("  same, without documents_sha", what_changed, (), "documents_sha"),
            (f"delete marks of {len(deletes):,} records", marks, deletes, None),
            ("  same, without index_marks_id", marks, deletes, "index_marks_id"),
        ]
        print(f"{'query':<40} {'seconds':>9}")
        for label, sql, args, drop in rows:
            print(f"{label:<40} {_timed(store.path, sql, args, drop):>9.3f}")


def growth() -> None:
    from tests.test_retention import night

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), retention_days=30).ensure()
        print(
            f"\n{'night':>5} {'runs':>5} {'stages':>7} {'flags':>6} {'failures':>9} {'folders':>8} {'db pages':>9}"
        )
        with Store(settings.db_path) as store:
            for n in range(365):
                sizes = night(store, settings, n)
                if n + 1 in (30, 90, 180, 365):
                    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
                    print(
                        f"{n + 1:>5} {sizes['runs']:>5} {sizes['run_stages']:>7} {sizes['run_flags']:>6} "
                        f"{sizes['crawl_failures']:>9} {sizes['crawl folders']:>8} {pages:>9}"
                    )


def main() -> None:
    plans()
    growth()


if __name__ == "__main__":
    main()
