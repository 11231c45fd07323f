"""The store of record: stable ids, idempotent loads, the index queue."""

from index.store import Store
from papers.schema import Attachment, Document, Record


def make_doc(body: str = "<p>hello</p>") -> Document:
    return Document(
        id="bromley:decision_details:42", council="bromley", platform="moderngov",
        page_type="decision_details", url="https://example.test/ieDecisionDetails.aspx?ID=42",
        title="Award", body=body, attachments=[Attachment(url="https://example.test/a.pdf", size=3)],
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
