"""The work the store still owes: documents to extract and record ids to delete from the index.

Why a queue in the store and not in memory: a run can be killed between any two statements. The
crawler commits a document before anything is extracted from it, so "stored but not extracted" is
a state that must survive; the next run finds it here and finishes the job. The index queue is the
store's own (records without a matching index mark); deletions need a queue of their own because a
deleted record leaves no row behind to compare.

A document needs extraction when its *source hash* (its page sha256 plus every attachment's url and
sha256) differs from the one its records were made from, or when its last extraction hit a
transient error.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from index.store import QUEUED, Store, now_iso
from papers.schema import SCHEMA_VERSION

SCHEMA = """
CREATE TABLE IF NOT EXISTS extraction_state (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    source_sha TEXT NOT NULL,
    extractor_version TEXT,
    retry INTEGER NOT NULL DEFAULT 0,
    extracted_at TEXT NOT NULL
);
-- Per search backend, as index marks are: each backend that held a deleted record removes it
-- from its own index and clears only its own rows.
-- Extraction attempts that failed or have not ended, per document and source hash. running_since
-- is set (and committed) before a document is extracted and cleared when that ends: still set at
-- the next run, the document took its process down (a native crash, the OOM killer). Failures in
-- a row are capped: the document is then quarantined until its source changes.
CREATE TABLE IF NOT EXISTS extraction_attempts (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    source_sha TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    running_since TEXT,
    next_attempt TEXT,
    quarantined_at TEXT,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS index_deletes (
    backend TEXT NOT NULL,
    record_id TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (backend, record_id)
) WITHOUT ROWID;
"""

# Statuses worth another try on the next run: the bytes were fine, something else went wrong.
# ("corrupt", "encrypted" and the like are properties of the file and are retried when it changes.)
RETRY_STATUSES = frozenset({"error"})
# A document failing this many attempts in a row is quarantined; between attempts it waits
# RETRY_AFTER, doubled per failure (nightly runs retry it each night, an hourly cron less often).
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(hours=6)
CRASHED = "the process died while extracting it (a native crash, the OOM killer or a kill)"


def ensure_schema(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(index_deletes)")}
    if columns and "backend" not in columns:
        _queue_per_backend(conn)
    conn.executescript(SCHEMA)


def _queue_per_backend(conn: sqlite3.Connection) -> None:
    """Migrate a store whose deletion queue had no backend: each queued id is queued again for
    every backend the store has indexed into (deleting an id an index lacks is harmless)."""
    conn.executescript(
        """BEGIN IMMEDIATE;
           ALTER TABLE index_deletes RENAME TO index_deletes_old;"""
        + SCHEMA
        + """INSERT OR IGNORE INTO index_deletes (backend, record_id, queued_at)
               SELECT b.backend, o.record_id, o.queued_at FROM index_deletes_old o,
                   (SELECT DISTINCT backend FROM index_marks UNION SELECT 'tantivy') b;
           DROP TABLE index_deletes_old;
           COMMIT;"""
    )


# Every page's hash, read from the documents_sha index (index/store.py), never from the page bodies.
DOCUMENT_HASHES = "SELECT id, sha256 FROM documents INDEXED BY documents_sha"
# The index queue by council, counted in the records_queue index (index/store.py), not the JSON.
QUEUED_BY_COUNCIL = f"SELECT coalesce(r.council, '?'), count(*) FROM records r WHERE {QUEUED} GROUP BY 1"


def source_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    """The source hash of every stored document, by document id."""
    parts: dict[str, list[str]] = {row[0]: [row[1]] for row in conn.execute(DOCUMENT_HASHES)}
    for doc_id, url, sha in conn.execute(
        "SELECT document_id, url, sha256 FROM attachments ORDER BY document_id, url"
    ):
        if doc_id in parts:
            parts[doc_id].append(f"{url}={sha or ''}")
    return {doc_id: hashlib.sha256("\n".join(p).encode()).hexdigest() for doc_id, p in parts.items()}


def to_extract(conn: sqlite3.Connection) -> dict[str, str]:
    """Documents needing extraction, mapped to the source hash to record once they are done
    (quarantined documents not included until their source changes)."""
    done = {
        row[0]: (row[1], row[2])
        for row in conn.execute("SELECT document_id, source_sha, retry FROM extraction_state")
    }
    held = {a.document_id: a.source_sha for a in attempts(conn).values() if a.quarantined_at}
    return {
        doc_id: sha
        for doc_id, sha in sorted(source_hashes(conn).items())
        if (doc_id not in done or done[doc_id][0] != sha or done[doc_id][1]) and held.get(doc_id) != sha
    }


@dataclass
class Attempts:
    """A document's failed (or unfinished) extraction attempts of one version of its source."""

    document_id: str
    source_sha: str
    failures: int
    running_since: str | None
    next_attempt: str | None
    quarantined_at: str | None
    reason: str | None


def attempts(conn: sqlite3.Connection) -> dict[str, Attempts]:
    """Every document with failed or unfinished attempts, by id."""
    rows = conn.execute(
        "SELECT document_id, source_sha, failures, running_since, next_attempt, quarantined_at, reason "
        "FROM extraction_attempts ORDER BY document_id"
    )
    return {row[0]: Attempts(*row) for row in rows}


def quarantined(conn: sqlite3.Connection) -> list[Attempts]:
    return [a for a in attempts(conn).values() if a.quarantined_at]


def begin_attempt(conn: sqlite3.Connection, doc_id: str, source_sha: str) -> None:
    """Say, before extraction starts, that it has: commit this before extracting. A changed
    source starts the count afresh."""
    conn.execute(
        """INSERT INTO extraction_attempts (document_id, source_sha, running_since) VALUES (?, ?, ?)
           ON CONFLICT(document_id) DO UPDATE SET running_since = excluded.running_since,
               failures = CASE WHEN source_sha = excluded.source_sha THEN failures ELSE 0 END,
               quarantined_at = NULL, source_sha = excluded.source_sha""",
        (doc_id, source_sha, now_iso()),
    )


def end_attempt(
    conn: sqlite3.Connection, doc_id: str, source_sha: str, failure: str | None, backoff: bool = True
) -> bool:
    """Close an attempt: a success forgets earlier failures; a failure is counted, the next try
    put off (unless ``backoff`` is false), and after MAX_ATTEMPTS the document quarantined. True
    when quarantined now."""
    if failure is None:
        conn.execute("DELETE FROM extraction_attempts WHERE document_id = ?", (doc_id,))
        return False
    row = conn.execute(
        "SELECT failures FROM extraction_attempts WHERE document_id = ? AND source_sha = ?",
        (doc_id, source_sha),
    ).fetchone()
    failures = (row[0] if row else 0) + 1
    now = datetime.now(timezone.utc)
    wait = RETRY_AFTER * 2 ** (failures - 1)
    held = failures >= MAX_ATTEMPTS
    conn.execute(
        """INSERT OR REPLACE INTO extraction_attempts (document_id, source_sha, failures, running_since,
               next_attempt, quarantined_at, reason) VALUES (?, ?, ?, NULL, ?, ?, ?)""",
        (
            doc_id,
            source_sha,
            failures,
            (now + wait).strftime("%Y-%m-%dT%H:%M:%SZ") if backoff else None,
            now_iso() if held else None,
            failure,
        ),
    )
    return held


def abandon_attempt(conn: sqlite3.Connection, doc_id: str) -> None:
    """An attempt stopped from outside (SIGTERM, ^C): not counted against the document."""
    conn.execute("UPDATE extraction_attempts SET running_since = NULL WHERE document_id = ?", (doc_id,))


def note_crashes(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """Count each attempt a dead process left running as a failure (call under the run lock);
    (document id, quarantined now) for each. It is retried at once, in a child process: the
    process may have died of something else (a kill, a power cut)."""
    left = conn.execute(
        "SELECT document_id, source_sha FROM extraction_attempts WHERE running_since IS NOT NULL"
    ).fetchall()
    return [(doc_id, end_attempt(conn, doc_id, sha, CRASHED, backoff=False)) for doc_id, sha in left]


def due(attempt: Attempts | None, source_sha: str) -> bool:
    """Whether a document may be tried now: never failed, changed since, or its wait is over."""
    if attempt is None or attempt.source_sha != source_sha or not attempt.next_attempt:
        return True
    return attempt.next_attempt <= now_iso()


def mark_extracted(conn: sqlite3.Connection, doc_id: str, source_sha: str, version: str, retry: bool) -> None:
    conn.execute(
        """INSERT OR REPLACE INTO extraction_state (document_id, source_sha, extractor_version, retry,
               extracted_at) VALUES (?,?,?,?,?)""",
        (doc_id, source_sha, version, int(retry), now_iso()),
    )


def queue_reextraction(
    conn: sqlite3.Connection, version: str, councils: list[str] | None = None, everything: bool = False
) -> tuple[int, int]:
    """Queue the stored documents whose records another extractor version made, or that an older
    record schema describes (1.0 records lack suppliers and category), or all of them.

    Returns how many documents were queued, and how many such records have no stored document to
    extract again (records loaded from files with `papers index`).
    """
    where, args = (
        ("1", ())
        if everything
        else (
            "(r.extractor_version IS NOT ? OR json_extract(r.json, '$.schema_version') IS NOT ?)",
            (version, SCHEMA_VERSION),
        )
    )
    if councils:
        where += f" AND r.council IN ({','.join('?' * len(councils))})"
        args += tuple(councils)
    owner = "coalesce(r.document_id, r.id)"
    docs = [
        row[0]
        for row in conn.execute(
            f"SELECT DISTINCT {owner} FROM records r WHERE {where} AND {owner} IN (SELECT id FROM documents)",
            args,
        )
    ]
    orphans = conn.execute(
        f"SELECT count(*) FROM records r WHERE {where} AND {owner} NOT IN (SELECT id FROM documents)", args
    ).fetchone()[0]
    conn.executemany("DELETE FROM extraction_state WHERE document_id = ?", ((d,) for d in docs))
    return len(docs), orphans


def queue_deletes(conn: sqlite3.Connection, record_ids: Iterable[str]) -> None:
    """Queue these records' removal from every backend that holds a mark for them (call before
    the marks go)."""
    conn.executemany(
        """INSERT OR REPLACE INTO index_deletes (backend, record_id, queued_at)
           SELECT backend, id, ? FROM index_marks WHERE id = ?""",
        ((now_iso(), r) for r in record_ids),
    )


def pending_deletes(conn: sqlite3.Connection, backend: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT record_id FROM index_deletes WHERE backend = ? ORDER BY record_id", (backend,)
        )
    ]


def send_deletes(store: Store, engine, backend: str) -> int:
    """Remove from this backend's index the records queued for it, and clear them from its queue
    once the index has committed; how many. (Whoever feeds a backend calls this: `papers update`
    and `papers index` alike.)"""
    ensure_schema(store.conn)
    deletes = pending_deletes(store.conn, backend)
    if deletes:
        engine.delete(deletes)
        engine.commit()
        with store.transaction() as conn:
            conn.executemany(
                "DELETE FROM index_deletes WHERE backend = ? AND record_id = ?",
                ((backend, r) for r in deletes),
            )
    return len(deletes)


def delete_records(store: Store, record_ids: list[str]) -> None:
    """Drop records the latest extraction no longer produces, and queue their index deletion, in
    one transaction (a record that comes back later is stored and indexed afresh)."""
    with store.transaction() as conn:
        queue_deletes(conn, record_ids)
        store.delete_records(record_ids)


def queued_by_council(conn: sqlite3.Connection, backend: str) -> dict[str, int]:
    """Records not yet in this backend's index, counted by council (the store's index queue)."""
    return dict(conn.execute(QUEUED_BY_COUNCIL, (backend,)).fetchall())
