"""The store's hot queries use indexes, so they do not slow down as the store grows (issue 17 item 6).

The figures at a million documents are in `make bench`; here the plans themselves are checked on a
small store, because SQLite picks the same plan whatever the row count when the index exists.
"""

import sqlite3

import pytest

from index.store import QUEUED, Store, id_page
from papers.pipeline import pending


@pytest.fixture
def conn(tmp_path) -> sqlite3.Connection:
    store = Store(tmp_path / "papers.sqlite3")
    pending.ensure_schema(store.conn)
    yield store.conn
    store.close()


def plan(conn: sqlite3.Connection, sql: str, args: tuple = ()) -> str:
    return " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))


def test_deleting_a_records_index_marks_finds_them_by_id(conn):
    said = plan(conn, "DELETE FROM index_marks WHERE id = ?", ("r1",))
    assert "USING" in said and "index_marks_id" in said, said


def test_what_changed_reads_document_hashes_without_page_bodies(conn):
    """pending.source_hashes reads every document's id and sha256: from a covering index."""
    said = plan(conn, pending.DOCUMENT_HASHES)
    assert "COVERING INDEX documents_sha" in said, said


def test_deletion_queue_and_index_queue_are_read_by_key(conn):
    said = plan(conn, "SELECT record_id FROM index_deletes WHERE backend = ? ORDER BY record_id", ("t",))
    assert "PRIMARY KEY" in said and "TEMP B-TREE" not in said, said
    said = plan(
        conn,
        f"SELECT 1 FROM records r WHERE {QUEUED}",
        ("t",),
    )
    assert "SEARCH m USING PRIMARY KEY" in said, said


def test_the_index_queue_is_counted_and_paged_without_reading_records_json(conn):
    """Every update counts the queue (per council, and in all) and reads it page by page: each a
    pass over the whole store, checked in the records_queue index, never in the records' JSON."""
    for sql, args in (
        (f"SELECT count(*) FROM records r WHERE {QUEUED}", ("t",)),
        (pending.QUEUED_BY_COUNCIL, ("t",)),
        (id_page(QUEUED), ("", "t", 500)),
    ):
        said = plan(conn, sql, args)
        assert "COVERING INDEX records_queue" in said and "SEARCH m USING PRIMARY KEY" in said, said


def test_records_to_extract_again_are_found_without_reading_records_json(conn):
    """`papers reextract --all` finds each record's document (and counts those without one) from
    the records_queue index: the statements it runs, planned."""
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    pending.queue_reextraction(conn, "v", everything=True)
    conn.set_trace_callback(None)
    selects = [sql for sql in ran if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, ran
    for sql in selects:
        said = plan(conn, sql)
        assert "COVERING INDEX records_queue" in said, said
