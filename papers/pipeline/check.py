"""`papers check`: does the index agree with the store, and does the store agree with itself?

The store is the source of truth, so every check compares something against it: the index's ids and
count, each page body against its recorded sha256, each downloaded attachment against the sha256
recorded when it was fetched, each record's JSON against its hash. Work a killed run left behind
(documents awaiting extraction, records queued for the index) is reported too: until the next run
completes it, the index does not hold what the store does.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from index.store import Store, sha256_text
from papers.pipeline import pending
from papers.pipeline.lock import RunLock
from papers.settings import Settings


@dataclass
class Finding:
    kind: str  # a short stable label, e.g. "page checksum", "missing from index"
    id: str
    detail: str = ""


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # Known states that are not inconsistencies: documents quarantined or waiting to be retried
    # after failed extractions (their records, status "error", are stored and indexed).
    notes: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, id: str, detail: str = "") -> None:
        self.findings.append(Finding(kind, id, detail))

    def by_kind(self) -> Counter:
        return Counter(f.kind for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "problems": dict(self.by_kind()),
            "findings": [f.__dict__ for f in self.findings],
            "notes": [f.__dict__ for f in self.notes],
        }


def check(settings: Settings, backend: str = "tantivy", lock: RunLock | None = None) -> Report:
    """Compare store and index; checksum pages, attachments and records; SQLite's quick_check.

    ``lock`` (the run lock) is held only while the store's snapshot is taken and the index's ids
    are read, so both describe the same moment; the long part (hashing every page, record and
    file) reads that snapshot after the lock is free, and a nightly update may start meanwhile.
    """
    from index.service import backend_for

    report = Report()
    index = backend_for(settings, backend)
    with Store(settings.db_path) as store:
        with lock or nullcontext():
            pending.ensure_schema(store.conn)
            store.conn.execute("BEGIN")  # one read snapshot for everything below
            store.conn.execute("SELECT count(*) FROM records").fetchone()  # starts it
            index_ids = set(index.ids())
            report.counts.update(index=index.count())
        try:
            _quick_check(store, report)
            _check_pages(store, report)
            _check_attachments(store, settings.files_dir, report)
            record_ids = _check_records(store, report)
            _check_queues(store, backend, report)
            queued = {r.id for r in store.unindexed(backend)}
        finally:
            store.conn.execute("ROLLBACK")
    for rec_id in sorted(record_ids - index_ids):
        why = "queued; the next update sends it" if rec_id in queued else "marked indexed but absent"
        report.add("missing from index", rec_id, why)
    for rec_id in sorted(index_ids - record_ids):
        report.add("only in index", rec_id, "not in the store (rebuild with `papers index --rebuild`)")
    for rec_id in sorted(queued & index_ids):
        report.add("stale in index", rec_id, "the store holds a newer version; the next update sends it")
    if report.counts["index"] != len(index_ids):
        report.add("index count", "*", f"count() says {report.counts['index']}, ids() lists {len(index_ids)}")
    return report


def _quick_check(store: Store, report: Report) -> None:
    """SQLite's own structural check of the database file (pages, b-trees, free list)."""
    said = [row[0] for row in store.conn.execute("PRAGMA quick_check")]
    if said != ["ok"]:
        for line in "\n".join(said).splitlines():
            report.add("database structure", "papers.sqlite3", line)


def _check_queues(store: Store, backend: str, report: Report) -> None:
    """Work a killed run left: documents to extract, deletions still owed to the index."""
    tried = pending.attempts(store.conn)
    for doc_id, sha in pending.to_extract(store.conn).items():
        attempt = tried.get(doc_id)
        if attempt is not None and attempt.source_sha == sha and attempt.failures:
            report.notes.append(
                Finding(
                    "retrying extraction",
                    doc_id,
                    f"{attempt.failures} of {pending.MAX_ATTEMPTS} attempts failed, next after "
                    f"{attempt.next_attempt}: {attempt.reason}",
                )
            )
        else:
            report.add(
                "awaiting extraction", doc_id, "stored but not extracted yet; the next update extracts it"
            )
    for attempt in pending.quarantined(store.conn):
        report.notes.append(
            Finding(
                "quarantined",
                attempt.document_id,
                f"{attempt.failures} failed attempts, last: {attempt.reason}; tried again when its source changes",
            )
        )
    for rec_id in pending.pending_deletes(store.conn, backend):
        report.add(
            "awaiting index delete", rec_id, "removed from the store, still to be removed from the index"
        )


def _check_pages(store: Store, report: Report) -> None:
    n = 0
    for doc_id, body, sha in store.conn.execute("SELECT id, body, sha256 FROM documents ORDER BY id"):
        n += 1
        actual = sha256_text(body)
        if actual != sha:
            report.add("page checksum", doc_id, f"stored {sha[:12]}, body hashes to {actual[:12]}")
    report.counts["documents"] = n


def _check_attachments(store: Store, files_dir: Path, report: Report) -> None:
    n = 0
    rows = store.conn.execute(
        "SELECT document_id, url, path, sha256 FROM attachments ORDER BY document_id, url"
    ).fetchall()
    for doc_id, url, path, sha in rows:
        n += 1
        if not path:  # never downloaded (failed or over the size cap): the crawler retries it
            continue
        file = files_dir / path
        if not file.is_file():
            report.add("attachment missing", f"{doc_id} {url}", f"no file at {file}")
        elif sha and (actual := file_sha256(file)) != sha:
            report.add(
                "attachment checksum", f"{doc_id} {url}", f"stored {sha[:12]}, file hashes to {actual[:12]}"
            )
    report.counts["attachments"] = n


def _check_records(store: Store, report: Report) -> set[str]:
    ids = set()
    for rec_id, body, sha in store.conn.execute("SELECT id, json, sha256 FROM records ORDER BY id"):
        ids.add(rec_id)
        if sha256_text(body) != sha:
            report.add("record checksum", rec_id, "the record's JSON does not match its hash")
    report.counts["records"] = len(ids)
    return ids


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
