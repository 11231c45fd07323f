"""Read-only access to the store of record for the web app: records, their pages, files, coverage.

Why one Store per thread: the app answers requests on a thread pool and a sqlite3 connection must
not be shared by threads mid-query; WAL lets every reader see the last committed batch while a
nightly `papers update` writes.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from index.store import Store
from papers.schema import Attachment, Document, Record
from papers.settings import Settings
from papers.web.limits import MAX_ID_CHARS


def valid_id(record_id: str) -> bool:
    """Ids are opaque keys looked up by SQL parameter; refuse only what no id can contain."""
    return 0 < len(record_id) <= MAX_ID_CHARS and not any(ord(c) < 32 for c in record_id)


@dataclass
class AttachmentView:
    """One attachment of the page a record came from, with where to read it here."""

    index: int
    attachment: Attachment
    record_id: str | None  # the attachment's own extracted record, when there is one
    local: bool  # the downloaded copy exists under files_dir
    href: str = ""  # where this site serves the local copy (set by the page)


class Reader:
    """Everything the pages need from the store, never writing to it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._local = threading.local()

    def store(self) -> Store | None:
        """This thread's Store, or None while no database exists (nothing crawled yet)."""
        store = getattr(self._local, "store", None)
        if store is None:
            if not self.settings.db_path.exists():
                return None  # do not create an empty database from a read-only server
            store = self._local.store = Store(self.settings.db_path)
        return store

    def record(self, record_id: str) -> Record | None:
        store = self.store()
        if store is None or not valid_id(record_id):
            return None
        return store.get_record(record_id)

    def page_of(self, record: Record) -> Document | None:
        """The crawled page a record was extracted from (itself, or the page it is attached to)."""
        store = self.store()
        return store.get_document(record.document_id or record.id) if store else None

    def attachments(self, document: Document | None) -> list[AttachmentView]:
        """The page's attachments with links to their records and local copies."""
        store = self.store()
        if document is None or store is None:
            return []
        views = []
        for i, att in enumerate(document.attachments):
            rid = f"{document.id}/{att.sha256[:12]}" if att.sha256 else None
            if rid and not store.conn.execute("SELECT 1 FROM records WHERE id = ?", (rid,)).fetchone():
                rid = None
            views.append(AttachmentView(i, att, rid, self.attachment_path(att) is not None))
        return views

    def attachment_path(self, att: Attachment) -> Path | None:
        """The downloaded file, only if it lies inside files_dir (a stored path is never trusted)."""
        if not att.path:
            return None
        root = self.settings.files_dir.resolve()
        path = (root / att.path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    def table_exists(self, name: str) -> bool:
        store = self.store()
        if store is None:
            return False
        row = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return row.fetchone() is not None

    def rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """A trusted read-only query (SQL written in this package, values as parameters)."""
        store = self.store()
        return store.conn.execute(sql, args).fetchall() if store else []
