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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from index import contracts, matters
from index.documents import is_contract, record_key
from papers.schema import Attachment, Document, Record
from papers.urls import ITEM_DECISION_PREFIX

DEFAULT_BACKEND = "tantivy"
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes of WAL kept between checkpoints
# A load (Store.load) holds LOAD_BATCH records in memory and commits every LOAD_COMMIT of them,
# with a LOAD_CACHE_KB page cache: each commit writes every page it touched (to the WAL, then
# again at the checkpoint), and the indexes on random keys touch a page per record. Measured at
# 300,000 records, 1,000-record commits with the default 2 MB cache wrote 38 KB per 5 KB record
# and slowed as the store grew; these settings (with LOAD_INDEXES) write 17 KB, and a 1M load
# keeps its pace (README, "Running at national scale"). 25,000-record commits rather than 10,000
# wrote 11% less at 100k (a commit's dirty pages, about 150 MB, still fit the cache).
LOAD_BATCH = 1000
LOAD_COMMIT = 25_000
LOAD_CACHE_KB = 256 * 1024

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
-- Covers the nightly "what changed" pass (papers/pipeline/pending.py reads every id and sha256):
-- sha256 sits after the page body, so without it each row's body would be read to reach it.
CREATE INDEX IF NOT EXISTS documents_sha ON documents(id, sha256);
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
-- One record per extracted text (a page, or one of its attachments). `key` is
-- index.documents.record_key(id): search backends hand back keys, and rows are fetched by key.
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    key INTEGER,
    document_id TEXT,
    council TEXT,
    page_type TEXT,
    decision_date TEXT,
    status TEXT NOT NULL,
    extractor_version TEXT,
    sha256 TEXT NOT NULL,
    json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The index queue, per search backend: a record whose sha differs from its mark (or that has
-- no mark) is not yet in that backend's index.
CREATE TABLE IF NOT EXISTS index_marks (
    backend TEXT NOT NULL,
    id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (backend, id)
) WITHOUT ROWID;
-- Deleting a record's marks goes by id alone, which the primary key (backend first) cannot find.
CREATE INDEX IF NOT EXISTS index_marks_id ON index_marks(id);
"""
# One compact row per contract record, written with its record, so the contracts table reads a
# few numbers per row instead of parsing every record's JSON (see index/contracts.py).
CONTRACTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS contracts (\n    key INTEGER PRIMARY KEY,\n    id TEXT NOT NULL UNIQUE,\n    "
    + ",\n    ".join(f"{n} {t}" for n, t in contracts.COLUMNS)
    + "\n)"
)
SCHEMA += CONTRACTS_TABLE + ";\n"
# Whether a record (``records r``) is in a backend's index queue (the one ? parameter): no mark
# holds its current hash. Every count and read of the queue uses this condition.
QUEUED = (
    "NOT EXISTS (SELECT 1 FROM index_marks m WHERE m.backend = ? AND m.id = r.id AND m.sha256 = r.sha256)"
)
# Indexes a load into an empty store builds once, at its end (one sorted pass each, instead of a
# random B-tree insert per record); every open makes any that is missing, so a killed load leaves
# no index behind.
LOAD_INDEXES = {
    "records_document": "records(document_id)",
    "records_key": "records(key)",
    # The listing order (index/contracts.py ORDER): a page of rows walks it instead of sorting
    # every match (100,000 records: a page of 50 out of 32,000 in 22 ms, not 161).
    "contracts_order": "contracts(council, decision_date, title, id)",
    # Covers the whole-store passes of an update or re-extraction: counting and reading the index
    # queue (id and sha256 against index_marks), per council, and finding records' documents.
    # Without it each pass reads every record's JSON to reach these columns: at 1M records, from a
    # cold cache, `papers reextract --all` of 300 documents took 36 s, 15 s with it.
    "records_queue": "records(id, sha256, council, document_id)",
}
_INSERT_CONTRACT = (
    f"INSERT INTO contracts (key, id, {', '.join(n for n, _ in contracts.COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(contracts.COLUMNS) + 2))})"
)


class Stored(NamedTuple):
    """A record as a load stored it: the hash it was stored under, and whether the store held
    an older version before (a search index may then hold one too)."""

    record: Record
    sha256: str
    replaced: bool


def now_iso() -> str:
    """UTC now as an ISO timestamp with second precision."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Links:
    """The contract row of a record with what index/matters.py reads off its crawled page (one
    lookup per page: a page's attachments share it)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.pages: dict[str, tuple[str, str | None]] = {}

    def row_values(self, rec: Record) -> tuple | None:
        if not is_contract(rec):
            return None
        page = rec.document_id or rec.id
        if page not in self.pages:
            row = self.conn.execute(
                "SELECT page_type, platform_ids, body FROM documents WHERE id = ?", (page,)
            ).fetchone()
            found = row and matters.page_links(row[0], json.loads(row[1]), row[2])
            self.pages[page] = found or ("", None)
        return contracts.row_values(rec, *self.pages[page])


def id_page(where: str = "") -> str:
    """The ids of a page of records after a given id (then ``where``'s arguments, then a limit).

    Ids first, their JSON after: a condition the records_queue index covers (the index queue) is
    checked in that index, and only the matching records' JSON is read.
    """
    return f"SELECT r.id FROM records r WHERE r.id > ? {'AND (' + where + ')' if where else ''} ORDER BY r.id LIMIT ?"


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
        # A WAL grown while a reader held an old snapshot is cut back to this after a checkpoint.
        self.conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a store made by an earlier version up to date (records.key, contract rows)."""
        columns = {row["name"] for row in self.conn.execute("PRAGMA table_info(records)")}
        have = {row["name"] for row in self.conn.execute("PRAGMA table_info(contracts)")}
        if "key" not in columns or have != {"key", "id", *(n for n, _ in contracts.COLUMNS)}:
            # The contracts table is a digest of the records: an older layout is made again.
            with self.transaction() as c:
                if "key" not in columns:
                    c.execute("ALTER TABLE records ADD COLUMN key INTEGER")
                c.execute("DROP TABLE contracts")
                c.execute(CONTRACTS_TABLE)
                links = _Links(c)
                for row in c.execute("SELECT id, json FROM records").fetchall():
                    c.execute("UPDATE records SET key = ? WHERE id = ?", (record_key(row["id"]), row["id"]))
                    values = links.row_values(Record.from_json(row["json"]))
                    if values is not None:
                        c.execute(_INSERT_CONTRACT, values)
        self._create_load_indexes()
        self._migrate_item_decision_ids()

    def _create_load_indexes(self) -> None:
        for name, on in LOAD_INDEXES.items():
            self.conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")

    def _migrate_item_decision_ids(self) -> None:
        """Move decisions known by agenda item (`AIId`) into their own id space (crawlers.urls
        document_id): stores from before kept them as `{council}:decision_details:{AIId}`, where a
        decision `ID` of the same number overwrote them. Their records are dropped (and queued for
        deletion from the search index): the next update extracts the document under its new id."""
        old = self.conn.execute(
            """SELECT id, council, json_extract(platform_ids, '$.item') AS item FROM documents
               WHERE page_type = 'decision_details' AND json_extract(platform_ids, '$.decision') IS NULL
                 AND json_extract(platform_ids, '$.item') IS NOT NULL AND id NOT LIKE ?""",
            (f"%:decision_details:{ITEM_DECISION_PREFIX}%",),
        ).fetchall()
        if not old:
            return
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        with self.transaction() as c:
            c.execute("PRAGMA defer_foreign_keys = ON")
            for row in old:
                new = f"{row['council']}:decision_details:{ITEM_DECISION_PREFIX}{row['item']}"
                records = [
                    r[0] for r in c.execute("SELECT id FROM records WHERE document_id = ?", (row["id"],))
                ]
                self.delete_records(records)
                if "index_deletes" in tables:  # papers/pipeline/pending.py's queue
                    c.executemany(
                        "INSERT OR REPLACE INTO index_deletes (record_id, queued_at) VALUES (?, ?)",
                        ((r, now_iso()) for r in records),
                    )
                if "extraction_state" in tables:
                    c.execute("DELETE FROM extraction_state WHERE document_id = ?", (row["id"],))
                if "crawl_pages" in tables:
                    c.execute(
                        "UPDATE crawl_pages SET document_id = ? WHERE document_id = ?", (new, row["id"])
                    )
                c.execute("UPDATE documents SET id = ? WHERE id = ?", (new, row["id"]))
                c.execute("UPDATE attachments SET document_id = ? WHERE document_id = ?", (new, row["id"]))

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
                    doc.id,
                    doc.council,
                    doc.platform,
                    doc.page_type,
                    doc.url,
                    doc.title,
                    json.dumps(doc.platform_ids, sort_keys=True),
                    doc.committee,
                    doc.decision_maker,
                    doc.date,
                    doc.body,
                    doc.content_type,
                    doc.sha256,
                    doc.fetched_at or stamp,
                    stamp,
                    stamp,
                ),
            )
            self._put_attachments(c, doc)
            return "new" if row is None else "changed"

    @staticmethod
    def _put_attachments(c: sqlite3.Connection, doc: Document) -> None:
        """The page's attachments as last fetched: one the page no longer links is dropped (its
        records follow when the pipeline re-extracts the document, whose source hash changed)."""
        c.execute(
            "DELETE FROM attachments WHERE document_id = ? AND url NOT IN (SELECT value FROM json_each(?))",
            (doc.id, json.dumps([a.url for a in doc.attachments])),
        )
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
            Attachment(
                url=a["url"],
                title=a["title"],
                path=a["path"],
                sha256=a["sha256"],
                size=a["size"],
                content_type=a["content_type"],
            )
            for a in self.conn.execute(
                "SELECT * FROM attachments WHERE document_id = ? ORDER BY url", (row["id"],)
            )
        ]
        return Document(
            id=row["id"],
            council=row["council"],
            platform=row["platform"],
            page_type=row["page_type"],
            url=row["url"],
            title=row["title"],
            platform_ids=json.loads(row["platform_ids"]),
            committee=row["committee"],
            decision_maker=row["decision_maker"],
            date=row["date"],
            body=row["body"],
            content_type=row["content_type"],
            sha256=row["sha256"],
            fetched_at=row["fetched_at"],
            attachments=atts,
        )

    # -- records ---------------------------------------------------------------------------

    def put_records(self, records: Iterable[Record]) -> dict[str, int]:
        """Insert or update records in one transaction; counts of new, changed and unchanged.

        A contract decision's compact row (index/contracts.py) is written in the same transaction.
        """
        return self._put(records)[0]

    def _put(self, records: Iterable[Record]) -> tuple[dict[str, int], list[Stored]]:
        """put_records, also giving back each new or changed record (its last version, once) as Stored."""
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        stamp = now_iso()
        rows = []
        for rec in records:
            body = rec.to_json()
            rows.append((rec, sha256_text(body), body))
        # In id order: neighbouring ids share index pages, so fewer pages are touched per commit.
        rows.sort(key=lambda row: row[0].id)
        with self.transaction() as c:
            had = dict(
                c.execute(
                    "SELECT id, sha256 FROM records WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps([rec.id for rec, _, _ in rows]),),
                ).fetchall()
            )
            links = _Links(c)
            put: list[tuple] = []
            held = set(had)  # what the store held before this batch
            stored: dict[str, Stored] = {}  # by id: a record given twice is its last version
            contract_rows: dict[str, tuple] = {}  # by id: a record given twice keeps its last row
            for rec, sha, body in rows:
                old = had.get(rec.id)
                if old == sha:
                    counts["unchanged"] += 1
                    continue
                counts["new" if old is None else "changed"] += 1
                had[rec.id] = sha  # a record given twice is stored once
                stored[rec.id] = Stored(rec, sha, rec.id in held)
                put.append(
                    (
                        rec.id,
                        record_key(rec.id),
                        rec.document_id,
                        rec.council,
                        rec.page_type,
                        rec.decision_date,
                        rec.status,
                        rec.extractor_version,
                        sha,
                        body,
                        stamp,
                    )
                )
                if (values := links.row_values(rec)) is not None:
                    contract_rows[rec.id] = values
                else:
                    contract_rows.pop(rec.id, None)
            c.executemany(
                """INSERT INTO records (id, key, document_id, council, page_type, decision_date, status,
                       extractor_version, sha256, json, updated_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET document_id=excluded.document_id,
                       council=excluded.council, page_type=excluded.page_type,
                       decision_date=excluded.decision_date, status=excluded.status,
                       extractor_version=excluded.extractor_version, sha256=excluded.sha256,
                       json=excluded.json, updated_at=excluded.updated_at""",
                put,
            )
            if counts["changed"]:  # a changed record may have stopped deciding a contract
                c.executemany("DELETE FROM contracts WHERE id = ?", ((row[0],) for row in put))
            c.executemany(_INSERT_CONTRACT, contract_rows.values())
        return counts, list(stored.values())

    def load(
        self,
        records: Iterable[Record],
        index: Callable[[list[Stored]], Iterable[tuple[str, str]]] | None = None,
        mark_as: str | None = None,
    ) -> dict[str, int]:
        """put_records for a stream of any length (`papers index RECORDS.jsonl`): LOAD_BATCH
        records in memory at a time, a commit every LOAD_COMMIT, a LOAD_CACHE_KB page cache, and,
        into an empty store, LOAD_INDEXES built after the last commit. A killed load keeps what
        it committed; run again, it finds those records unchanged and stores the rest.

        ``index`` is given each batch's new and changed records as they are stored (as Stored:
        with the hash each was stored under, and whether the store held it before), for a search
        index to take without reading them back; the (id, hash) versions it returns are marked
        under ``mark_as`` in the batch's transaction.
        """
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        it = iter(records)
        with self._loading():
            more = True
            while more:
                with self.transaction():
                    done = 0
                    while done < LOAD_COMMIT:
                        batch = list(islice(it, LOAD_BATCH))
                        if not batch:
                            more = False
                            break
                        batch_counts, stored = self._put(batch)
                        for key, n in batch_counts.items():
                            counts[key] += n
                        if index is not None and stored:
                            versions = index(stored)
                            if mark_as is not None:
                                self.mark_versions(versions, mark_as)
                        done += len(batch)
        return counts

    @contextmanager
    def _loading(self) -> Iterator[None]:
        """A big page cache for one load (given back after it), and an empty store's
        LOAD_INDEXES dropped until its end."""
        cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        empty = self.is_empty()
        self.conn.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KB}")
        try:
            if empty:
                for name in LOAD_INDEXES:
                    self.conn.execute(f"DROP INDEX IF EXISTS {name}")
            yield
        finally:
            if empty:
                self._create_load_indexes()
            self.conn.execute(f"PRAGMA cache_size = {cache}")

    def is_empty(self) -> bool:
        """Whether the store holds no record (cheaper than counting them)."""
        return self.conn.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def delete_records(self, record_ids: Iterable[str]) -> int:
        """Remove records with their contract rows and index marks, in one transaction; how many
        records there were. (Removing them from a search index is the caller's queue to keep.)"""
        args = [(r,) for r in record_ids]
        with self.transaction() as c:
            gone = sum(c.execute("DELETE FROM records WHERE id = ?", a).rowcount for a in args)
            c.executemany("DELETE FROM contracts WHERE id = ?", args)
            c.executemany("DELETE FROM index_marks WHERE id = ?", args)
        return gone

    def get_record(self, record_id: str) -> Record | None:
        row = self.conn.execute("SELECT json FROM records WHERE id = ?", (record_id,)).fetchone()
        return Record.from_json(row["json"]) if row else None

    def records(self, where: str = "", args: tuple = (), batch: int = 500) -> Iterator[Record]:
        """Stream records (optionally filtered by a trusted SQL condition on ``records r``) in id order.

        Reads in pages by id, so callers may write to the store (e.g. mark_indexed) between pages.
        """
        sql = id_page(where)
        read = "SELECT json FROM records WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
        last = ""
        while True:
            ids = [row[0] for row in self.conn.execute(sql, (last, *args, batch))]
            if ids:
                for row in self.conn.execute(read, (json.dumps(ids),)).fetchall():
                    yield Record.from_json(row["json"])
            if len(ids) < batch:
                return
            last = ids[-1]

    def records_by_keys(self, keys: Iterable[int]) -> Iterator[Record]:
        """The records with these keys (index.documents.record_key), in id order."""
        sql = "SELECT json FROM records WHERE key IN (SELECT value FROM json_each(?)) ORDER BY id"
        for row in self.conn.execute(sql, (json.dumps(list(keys)),)):
            yield Record.from_json(row["json"])

    def unindexed(self, backend: str = DEFAULT_BACKEND) -> Iterator[Record]:
        """Records whose current version is not yet in this backend's index (its queue)."""
        return self.records(QUEUED, (backend,))

    def count_unindexed(self, backend: str = DEFAULT_BACKEND) -> int:
        return self.conn.execute(f"SELECT count(*) FROM records r WHERE {QUEUED}", (backend,)).fetchone()[0]

    def count_indexed(self, backend: str = DEFAULT_BACKEND) -> int:
        """Stored records this backend's index is believed to hold (any version)."""
        return self.conn.execute(
            "SELECT count(*) FROM index_marks m JOIN records r ON r.id = m.id WHERE m.backend = ?", (backend,)
        ).fetchone()[0]

    def mark_indexed(self, record_ids: Iterable[str], backend: str = DEFAULT_BACKEND) -> None:
        """Record that this backend's index now holds these records' current versions."""
        with self.transaction() as c:
            c.executemany(
                """INSERT INTO index_marks (backend, id, sha256)
                   SELECT ?, id, sha256 FROM records WHERE id = ?
                   ON CONFLICT(backend, id) DO UPDATE SET sha256 = excluded.sha256""",
                ((backend, i) for i in record_ids),
            )

    def mark_versions(self, versions: Iterable[tuple[str, str]], backend: str = DEFAULT_BACKEND) -> None:
        """Record that this backend's index now holds these (id, sha256) versions: the hashes the
        records were stored under, so no lookup, and exactly the version that was indexed."""
        with self.transaction() as c:
            c.executemany(
                """INSERT INTO index_marks (backend, id, sha256) VALUES (?, ?, ?)
                   ON CONFLICT(backend, id) DO UPDATE SET sha256 = excluded.sha256""",
                ((backend, record_id, sha) for record_id, sha in versions),
            )

    def promote_marks(self, staged: str, backend: str) -> None:
        """Make marks written under ``staged`` (a rebuild's, until its index commits) the
        backend's own, replacing its old ones, in one transaction."""
        with self.transaction() as c:
            c.execute("DELETE FROM index_marks WHERE backend = ?", (backend,))
            c.execute("UPDATE index_marks SET backend = ? WHERE backend = ?", (backend, staged))

    def mark_all_unindexed(self, backend: str | None = None) -> None:
        """Queue every record again for one backend (or all), before a full index rebuild."""
        with self.transaction() as c:
            if backend is None:
                c.execute("DELETE FROM index_marks")
            else:
                c.execute("DELETE FROM index_marks WHERE backend = ?", (backend,))

    def contract_rows(
        self,
        keys: Iterable[int] | None = None,
        fields: tuple[str, ...] = contracts.ROW_FIELDS,
        limit: int | None = None,
        offset: int = 0,
        ordered: bool = True,
        lazy: bool = False,
    ) -> list[dict]:
        """Contract rows (``fields`` of index/contracts.py ROW_FIELDS), all or those with these keys,
        ordered by council, decision date, title and id (``ordered=False``: in no order, for
        callers that only count or group them); ``limit``/``offset`` page through them.
        ``lazy``: JSON columns stay text until index.contracts.json_field reads them."""
        unknown = set(fields) - set(contracts.ROW_FIELDS) - set(contracts.LINK_FIELDS)
        if unknown:
            raise ValueError(f"not contract columns: {sorted(unknown)}")
        sql = f"SELECT {', '.join(fields)} FROM contracts"
        args: tuple = ()
        if keys is not None:
            keys = list(keys)
            # A few keys: look each one up. Thousands: one pass over the table is cheaper than
            # thousands of random lookups, and "+key" tells SQLite not to use the key index.
            column = "key" if len(keys) < 2000 else "+key"
            sql += f" WHERE {column} IN (SELECT value FROM json_each(?))"
            args = (json.dumps(keys),)
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: a third of the cost of sqlite3.Row for 40k rows
        sql += contracts.ORDER if ordered else ""
        if limit is not None:
            sql, args = sql + " LIMIT ? OFFSET ?", (*args, limit, offset)
        return [contracts.decode(dict(zip(fields, row, strict=True)), lazy) for row in cur.execute(sql, args)]

    def count(self, table: str) -> int:
        if table not in {"documents", "attachments", "records", "contracts"}:
            raise ValueError(f"unknown table {table!r}")
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
