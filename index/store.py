"""The store of record: one SQLite database holding documents, attachments and extracted records.

The search index is a cache of this store, not a source of truth: anything indexed can be rebuilt
from here (`papers index --rebuild`). Other modules keep their own tables in the same database
(crawl state in crawlers/state.py, runs and watches in papers/pipeline) and create them with
their own ``ensure_schema(conn)``; this module owns the tables below.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from papers.schema import Attachment, Document, Record

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    platform TEXT NOT NULL,
    page_type TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    platform_ids TEXT NOT NULL DEFAULT '{}',
    committee TEXT,
    decision_maker TEXT,
    date TEXT,
    body TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    fetched_at TEXT,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_council ON documents(council);
CREATE TABLE IF NOT EXISTS attachments (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT,
    path TEXT,
    sha256 TEXT,
    size INTEGER,
    content_type TEXT,
    PRIMARY KEY (document_id, url)
);
-- One record per extracted text (a page, or one of its attachments). `indexed_sha` is the
-- record hash last written to the search index: a record whose sha differs is queued.
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    document_id TEXT,
    council TEXT,
    page_type TEXT,
    decision_date TEXT,
    status TEXT NOT NULL,
    extractor_version TEXT,
    sha256 TEXT NOT NULL,
    indexed_sha TEXT,
    json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_document ON records(document_id);
CREATE INDEX IF NOT EXISTS records_unindexed ON records(indexed_sha) WHERE indexed_sha IS NULL;
"""


def now_iso() -> str:
    """UTC now as an ISO timestamp with second precision."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store:
    """Documents, attachments and records in one SQLite file (WAL, one transaction per batch)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves, one per batch.
        self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across application crashes in WAL mode; a power cut may lose the last
        # transaction, which the next run re-fetches because crawl state commits with it.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic batch: everything inside commits together or not at all."""
        if self.conn.in_transaction:  # nested: join the outer batch
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- documents -------------------------------------------------------------------------

    def put_document(self, doc: Document) -> str:
        """Insert or update a crawled page; returns "new", "changed" or "unchanged"."""
        doc.sha256 = doc.sha256 or sha256_text(doc.body)
        with self.transaction() as c:
            row = c.execute("SELECT sha256 FROM documents WHERE id = ?", (doc.id,)).fetchone()
            if row is not None and row["sha256"] == doc.sha256:
                self._put_attachments(c, doc)
                return "unchanged"
            stamp = now_iso()
            c.execute(
                """INSERT INTO documents (id, council, platform, page_type, url, title, platform_ids,
                       committee, decision_maker, date, body, content_type, sha256, fetched_at,
                       first_seen, updated_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET council=excluded.council, platform=excluded.platform,
                       page_type=excluded.page_type, url=excluded.url, title=excluded.title,
                       platform_ids=excluded.platform_ids, committee=excluded.committee,
                       decision_maker=excluded.decision_maker, date=excluded.date, body=excluded.body,
                       content_type=excluded.content_type, sha256=excluded.sha256,
                       fetched_at=excluded.fetched_at, updated_at=excluded.updated_at""",
                (
                    doc.id, doc.council, doc.platform, doc.page_type, doc.url, doc.title,
                    json.dumps(doc.platform_ids, sort_keys=True), doc.committee, doc.decision_maker,
                    doc.date, doc.body, doc.content_type, doc.sha256, doc.fetched_at or stamp, stamp, stamp,
                ),
            )
            self._put_attachments(c, doc)
            return "new" if row is None else "changed"

    @staticmethod
    def _put_attachments(c: sqlite3.Connection, doc: Document) -> None:
        for a in doc.attachments:
            c.execute(
                """INSERT INTO attachments (document_id, url, title, path, sha256, size, content_type)
                   VALUES (?,?,?,?,?,?,?)
                   ON CONFLICT(document_id, url) DO UPDATE SET title=excluded.title, path=excluded.path,
                       sha256=excluded.sha256, size=excluded.size, content_type=excluded.content_type""",
                (doc.id, a.url, a.title, a.path, a.sha256, a.size, a.content_type),
            )

    def get_document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return self._document(row) if row else None

    def documents(self, council: str | None = None) -> Iterator[Document]:
        sql, args = "SELECT * FROM documents", ()
        if council:
            sql, args = sql + " WHERE council = ?", (council,)
        for row in self.conn.execute(sql + " ORDER BY id", args).fetchall():
            yield self._document(row)

    def _document(self, row: sqlite3.Row) -> Document:
        atts = [
            Attachment(url=a["url"], title=a["title"], path=a["path"], sha256=a["sha256"],
                       size=a["size"], content_type=a["content_type"])
            for a in self.conn.execute(
                "SELECT * FROM attachments WHERE document_id = ? ORDER BY url", (row["id"],)
            )
        ]
        return Document(
            id=row["id"], council=row["council"], platform=row["platform"], page_type=row["page_type"],
            url=row["url"], title=row["title"], platform_ids=json.loads(row["platform_ids"]),
            committee=row["committee"], decision_maker=row["decision_maker"], date=row["date"],
            body=row["body"], content_type=row["content_type"], sha256=row["sha256"],
            fetched_at=row["fetched_at"], attachments=atts,
        )

    # -- records ---------------------------------------------------------------------------

    def put_records(self, records: Iterable[Record]) -> dict[str, int]:
        """Insert or update records in one transaction; counts of new, changed and unchanged."""
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        with self.transaction() as c:
            for rec in records:
                body = rec.to_json()
                sha = sha256_text(body)
                row = c.execute("SELECT sha256 FROM records WHERE id = ?", (rec.id,)).fetchone()
                if row is not None and row["sha256"] == sha:
                    counts["unchanged"] += 1
                    continue
                c.execute(
                    """INSERT INTO records (id, document_id, council, page_type, decision_date, status,
                           extractor_version, sha256, indexed_sha, json, updated_at)
                       VALUES (?,?,?,?,?,?,?,?,NULL,?,?)
                       ON CONFLICT(id) DO UPDATE SET document_id=excluded.document_id,
                           council=excluded.council, page_type=excluded.page_type,
                           decision_date=excluded.decision_date, status=excluded.status,
                           extractor_version=excluded.extractor_version, sha256=excluded.sha256,
                           indexed_sha=NULL, json=excluded.json, updated_at=excluded.updated_at""",
                    (rec.id, rec.document_id, rec.council, rec.page_type, rec.decision_date, rec.status,
                     rec.extractor_version, sha, body, now_iso()),
                )
                counts["new" if row is None else "changed"] += 1
        return counts

    def get_record(self, record_id: str) -> Record | None:
        row = self.conn.execute("SELECT json FROM records WHERE id = ?", (record_id,)).fetchone()
        return Record.from_json(row["json"]) if row else None

    def records(self, where: str = "", args: tuple = ()) -> Iterator[Record]:
        """Stream records (optionally filtered by a trusted SQL condition) in id order."""
        sql = "SELECT json FROM records" + (f" WHERE {where}" if where else "") + " ORDER BY id"
        for row in self.conn.execute(sql, args):
            yield Record.from_json(row["json"])

    def unindexed(self) -> Iterator[Record]:
        """Records whose current version is not yet in the search index (the index queue)."""
        return self.records("indexed_sha IS NULL OR indexed_sha != sha256")

    def mark_indexed(self, record_ids: Iterable[str]) -> None:
        """Record that the index now holds these records' current versions."""
        with self.transaction() as c:
            c.executemany("UPDATE records SET indexed_sha = sha256 WHERE id = ?", ((i,) for i in record_ids))

    def mark_all_unindexed(self) -> None:
        """Queue every record again (before a full index rebuild)."""
        with self.transaction() as c:
            c.execute("UPDATE records SET indexed_sha = NULL")

    def count(self, table: str) -> int:
        if table not in {"documents", "attachments", "records"}:
            raise ValueError(f"unknown table {table!r}")
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
