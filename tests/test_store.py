"""The store of record: stable ids, idempotent loads, the index queue."""

import pytest

from index import store as store_module
from index.store import Store
from papers.schema import Attachment, ContractSummary, Document, Record


def make_doc(body: str = "<p>hello</p>") -> Document:
    return Document(
        id="bromley:decision_details:42",
        council="bromley",
        platform="moderngov",
        page_type="decision_details",
        url="https://example.test/ieDecisionDetails.aspx?ID=42",
        title="Award",
        body=body,
        attachments=[Attachment(url="https://example.test/a.pdf", size=3)],
    )


def test_put_document_reports_new_unchanged_changed(tmp_path):
    store = Store(tmp_path / "s.db")
    assert store.put_document(make_doc()) == "new"
    assert store.put_document(make_doc()) == "unchanged"
    assert store.put_document(make_doc("<p>bye</p>")) == "changed"
    assert store.count("documents") == 1
    doc = store.get_document("bromley:decision_details:42")
    assert doc.body == "<p>bye</p>" and doc.attachments[0].size == 3


def test_loading_records_twice_changes_no_count_and_queues_only_changes(tmp_path):
    store = Store(tmp_path / "s.db")
    recs = [Record(id=f"r{i}", source=f"r{i}.txt", text=f"text {i}") for i in range(3)]
    assert store.put_records(recs) == {"new": 3, "changed": 0, "unchanged": 0}
    store.mark_indexed(r.id for r in recs)
    assert list(store.unindexed()) == []
    recs[1].text = "edited"
    assert store.put_records(recs) == {"new": 0, "changed": 1, "unchanged": 2}
    assert store.count("records") == 3
    assert [r.id for r in store.unindexed()] == ["r1"]


def test_transaction_rolls_back_on_error(tmp_path):
    store = Store(tmp_path / "s.db")
    try:
        with store.transaction():
            store.put_document(make_doc())
            raise RuntimeError("killed mid-batch")
    except RuntimeError:
        pass
    assert store.count("documents") == 0


def test_index_queue_is_kept_per_backend(tmp_path):
    store = Store(tmp_path / "s.db")
    store.put_records(Record(id=f"r{i}", source="s", text=str(i)) for i in range(3))
    store.mark_indexed(["r0", "r1"], backend="tantivy")
    store.mark_indexed(["r2"], backend="elasticsearch")
    assert [r.id for r in store.unindexed("tantivy")] == ["r2"]
    assert [r.id for r in store.unindexed("elasticsearch")] == ["r0", "r1"]
    assert store.count_unindexed("tantivy") == 1
    store.mark_all_unindexed("tantivy")
    assert store.count_unindexed("tantivy") == 3 and store.count_unindexed("elasticsearch") == 2


def test_records_stream_in_pages_while_the_caller_writes(tmp_path):
    store = Store(tmp_path / "s.db")
    store.put_records(Record(id=f"r{i:03d}", source="s") for i in range(25))
    seen = []
    for rec in store.records("1 = 1", batch=7):  # pages of 7: the writes land between pages
        seen.append(rec.id)
        store.mark_indexed([rec.id])
    assert seen == [f"r{i:03d}" for i in range(25)]
    assert [r.id for r in store.records(batch=7)] == seen and store.count_unindexed() == 0


def test_records_by_key(tmp_path):
    from index.documents import record_key

    store = Store(tmp_path / "s.db")
    store.put_records(Record(id=f"r{i}", source="s") for i in range(4))
    assert [r.id for r in store.records_by_keys([record_key("r3"), record_key("r1"), 12345])] == ["r1", "r3"]


def test_a_store_made_before_keys_is_migrated(tmp_path):
    import sqlite3

    from papers.schema import ContractSummary

    path = tmp_path / "old.db"
    rec = Record(id="old:1", source="s", contract=ContractSummary(annual_value=9.0))
    conn = sqlite3.connect(path)
    conn.execute("""CREATE TABLE records (id TEXT PRIMARY KEY, document_id TEXT, council TEXT, page_type TEXT,
                    decision_date TEXT, status TEXT NOT NULL, extractor_version TEXT, sha256 TEXT NOT NULL,
                    indexed_sha TEXT, json TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    conn.execute(
        "INSERT INTO records VALUES ('old:1', NULL, NULL, 'other', NULL, 'ok', NULL, 'x', NULL, ?, 't')",
        (rec.to_json(),),
    )
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.contract_rows()[0]["annual_value"] == 9.0
    assert [r.id for r in store.unindexed()] == ["old:1"]


def test_delete_records_removes_record_contract_row_and_index_marks_together(tmp_path):
    from papers.schema import ContractSummary

    store = Store(tmp_path / "s.db")
    store.put_records(
        Record(id=f"r{i}", source="s", contract=ContractSummary(annual_value=float(i + 1))) for i in range(3)
    )
    store.mark_indexed(["r0", "r1", "r2"], backend="tantivy")
    store.mark_indexed(["r1"], backend="elasticsearch")
    assert store.delete_records(["r1", "r2", "never-stored"]) == 2
    assert [r.id for r in store.records()] == ["r0"]
    assert [row["id"] for row in store.contract_rows(fields=("id",))] == ["r0"]
    marks = store.conn.execute("SELECT backend, id FROM index_marks ORDER BY 1, 2").fetchall()
    assert [tuple(m) for m in marks] == [("tantivy", "r0")]
    try:
        with store.transaction():
            store.delete_records(["r0"])
            raise RuntimeError("killed mid-batch")
    except RuntimeError:
        pass
    assert store.get_record("r0") is not None  # joined the outer transaction, rolled back with it


def test_a_page_that_drops_an_attachment_drops_it_from_the_store(tmp_path):
    store = Store(tmp_path / "s.db")
    doc = make_doc()
    doc.attachments.append(Attachment(url="https://example.test/b.pdf", size=4))
    assert store.put_document(doc) == "new"
    doc = make_doc("<p>the page no longer links b.pdf</p>")
    assert store.put_document(doc) == "changed"
    kept = store.get_document(doc.id).attachments
    assert [a.url for a in kept] == ["https://example.test/a.pdf"]
    assert store.count("attachments") == 1


def _indexes(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_record_given_twice_in_one_batch_is_stored_as_its_last_version(tmp_path):
    store = Store(tmp_path / "s.db")
    contract = Record(id="r1", source="s", text="award", contract=ContractSummary(annual_value=5.0))
    plain = Record(id="r1", source="s", text="noted")
    assert store.put_records([contract, plain]) == {"new": 1, "changed": 1, "unchanged": 0}
    assert store.get_record("r1").text == "noted" and store.count("contracts") == 0
    assert store.put_records([plain, contract]) == {"new": 0, "changed": 1, "unchanged": 1}
    assert store.get_record("r1").text == "award" and store.count("contracts") == 1


def test_a_load_commits_in_bounded_batches_and_a_failed_one_keeps_what_it_committed(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "LOAD_BATCH", 2)
    monkeypatch.setattr(store_module, "LOAD_COMMIT", 4)
    store = Store(tmp_path / "s.db")
    cache = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    recs = [Record(id=f"r{i}", source="s", text=f"text {i}") for i in range(10)]
    seen = []

    def failing():
        for n, rec in enumerate(recs):
            # Into an empty store the lookup indexes wait for the end of the load.
            seen.append("records_key" in _indexes(store))
            if n == 7:
                raise OSError("disk full")
            yield rec

    with pytest.raises(OSError):
        store.load(failing())
    assert not any(seen)
    # Two commits of four made it; the indexes and the page cache are as before.
    assert store.count("records") == 4 and set(store_module.LOAD_INDEXES) <= _indexes(store)
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == cache
    assert store.load(recs) == {"new": 6, "changed": 0, "unchanged": 4}
    assert [r.id for r in store.records()] == sorted(r.id for r in recs)


def test_an_index_a_killed_load_left_dropped_is_made_again_on_open(tmp_path):
    store = Store(tmp_path / "s.db")
    store.put_records([Record(id="r1", source="s", text="a")])
    for name in store_module.LOAD_INDEXES:  # as a load killed before its end leaves the store
        store.conn.execute(f"DROP INDEX {name}")
    store.close()
    store = Store(tmp_path / "s.db")
    assert set(store_module.LOAD_INDEXES) <= _indexes(store)
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT id FROM records WHERE key = 1").fetchall()
    assert "records_key" in str([tuple(row) for row in plan])


def test_a_load_into_a_store_with_records_keeps_its_indexes(tmp_path):
    store = Store(tmp_path / "s.db")
    store.put_records([Record(id="r0", source="s", text="a")])
    seen = []

    def watched():
        for i in range(1, 4):
            seen.append(set(store_module.LOAD_INDEXES) <= _indexes(store))
            yield Record(id=f"r{i}", source="s", text="b")

    assert store.load(watched()) == {"new": 3, "changed": 0, "unchanged": 0}
    assert all(seen) and len(seen) == 3


def test_a_load_hands_each_stored_batch_to_its_index_and_marks_what_it_took(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "LOAD_BATCH", 2)
    store = Store(tmp_path / "s.db")
    store.put_records([Record(id="r0", source="s", text="old")])
    given = []

    def index(stored):
        given.append([(s.record.id, s.replaced) for s in stored])
        return [(s.record.id, s.sha256) for s in stored if s.record.id != "r2"]  # r2 refused

    recs = [Record(id=f"r{i}", source="s", text="new") for i in range(4)]
    assert store.load([*recs, recs[3]], index=index, mark_as="staged") == {
        "new": 3,
        "changed": 1,
        "unchanged": 1,
    }
    # Unchanged records are not handed on; a record the store held before is marked replaced.
    assert given == [[("r0", True), ("r1", False)], [("r2", False), ("r3", False)]]
    assert store.count_unindexed("staged") == 1  # r2, which the index did not take
    marks = dict(store.conn.execute("SELECT id, sha256 FROM index_marks WHERE backend = 'staged'"))
    assert marks == dict(store.conn.execute("SELECT id, sha256 FROM records WHERE id != 'r2'"))
