"""The update job's extraction and index stages, on documents stored the way the crawler stores them.

(The crawl stage and the faults are exercised end to end against the snapshot in test_faults.py.)
"""

import hashlib
import json

import pytest

import extract
import extract.pipeline
from index.service import backend_for
from index.store import Store
from papers.pipeline.check import check
from papers.pipeline.job import UpdateJob
from papers.pipeline.runs import Runs
from papers.schema import SCHEMA_VERSION, Attachment, Document
from papers.settings import Settings

REPORT = b"The contract is worth \xa3250,000 per year for 3 years with an optional 2 year extension."


def document(settings: Settings, n: int, attachments: int = 1, body: str = "") -> Document:
    atts = []
    for a in range(attachments):
        data = REPORT + f" Report {n}.{a}".encode()
        sha = hashlib.sha256(data).hexdigest()
        (settings.files_dir / f"{sha}.txt").write_bytes(data)
        atts.append(
            Attachment(
                url=f"https://example.test/r{n}-{a}.txt",
                path=f"{sha}.txt",
                sha256=sha,
                size=len(data),
                content_type="text/plain; charset=latin-1",
            )
        )
    return Document(
        id=f"bromley:decision_details:{n}",
        council="bromley",
        platform="moderngov",
        page_type="decision_details",
        url=f"https://example.test/ieDecisionDetails.aspx?ID={n}",
        title=f"Decision {n}",
        body=body
        or f"<h1>Decision details</h1><p>RESOLVED that the fostering framework {n} be approved.</p>",
        attachments=atts,
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(data_dir=tmp_path).ensure()
    s.files_dir.mkdir()
    return s


def store_docs(settings: Settings, docs: list[Document]) -> None:
    with Store(settings.db_path) as store:
        for doc in docs:
            store.put_document(doc)


def state(settings: Settings) -> tuple[dict, set]:
    with Store(settings.db_path) as store:
        records = dict(store.conn.execute("SELECT id, sha256 FROM records").fetchall())
    return records, backend_for(settings).ids()


def test_stored_documents_are_extracted_indexed_once_and_pass_check(settings):
    store_docs(settings, [document(settings, 1, attachments=2), document(settings, 2)])
    summary = UpdateJob(settings).reextract()
    assert summary["exit_code"] == 0, summary["errors"]
    extract_stage = summary["stages"]["extract"]
    assert extract_stage["documents"] == 2
    assert extract_stage["councils"]["bromley"] == {"new": 5, "changed": 0, "unchanged": 0, "failed": 0}
    assert summary["stages"]["index"]["totals"]["new"] == 5
    records, indexed = state(settings)
    assert set(records) == indexed and len(indexed) == 5
    assert check(settings).ok
    with Store(settings.db_path) as store:
        run = Runs(store.conn).get(summary["run_id"])
        attachment = store.get_record(sorted(records)[1])
    assert (
        attachment.contract.annual_value == 250000 and attachment.document_id == "bromley:decision_details:1"
    )
    assert (run.status, [(s.council, s.stage) for s in run.stages]) == (
        "ok",
        [("bromley", "extract"), ("bromley", "index"), ("*", "extract"), ("*", "index")],
    )

    again = UpdateJob(settings).reextract()  # nothing new: nothing extracted, nothing sent
    assert again["stages"]["extract"]["documents"] == 0 and again["stages"]["index"]["totals"]["new"] == 0
    assert state(settings) == (records, indexed)


def test_a_revised_report_replaces_the_old_one_in_store_and_index(settings):
    store_docs(settings, [document(settings, 1), document(settings, 2)])
    UpdateJob(settings).reextract()
    before, _ = state(settings)
    revised = document(settings, 1)
    data = REPORT + b" Revised after call-in."
    sha = hashlib.sha256(data).hexdigest()
    (settings.files_dir / f"{sha}.txt").write_bytes(data)
    revised.attachments[0].sha256, revised.attachments[0].path = sha, f"{sha}.txt"  # same URL, new file
    store_docs(settings, [revised])
    summary = UpdateJob(settings).reextract()
    assert summary["stages"]["extract"]["documents"] == 1
    assert summary["stages"]["index"]["deleted"] == 1
    records, indexed = state(settings)
    assert set(records) == indexed and len(records) == 4
    assert set(records) - set(before) == {f"bromley:decision_details:1/{sha[:12]}"}
    assert check(settings).ok


def test_an_attachment_the_page_drops_leaves_store_and_index_with_its_records(settings):
    store_docs(settings, [document(settings, 1, attachments=2)])
    UpdateJob(settings).reextract()
    before, _ = state(settings)
    revised = document(settings, 1, attachments=2, body="<p>Revised: the second report was withdrawn.</p>")
    dropped = revised.attachments.pop()
    store_docs(settings, [revised])
    summary = UpdateJob(settings).reextract()
    assert summary["stages"]["extract"]["documents"] == 1
    assert summary["stages"]["index"]["deleted"] == 1
    records, indexed = state(settings)
    gone = {f"bromley:decision_details:1/{dropped.sha256[:12]}"}
    assert set(before) - set(records) == gone and set(records) == indexed and len(records) == 2
    with Store(settings.db_path) as store:
        assert [a.url for a in store.get_document(revised.id).attachments] == [revised.attachments[0].url]
    assert check(settings).ok


def test_records_name_their_council_as_the_registry_does_and_either_casing_finds_them(settings):
    from index.service import contracts, search

    doc = document(settings, 7)
    doc.id, doc.council = "bry:decision_details:7", "bry"  # however the id was typed
    store_docs(settings, [doc])
    assert UpdateJob(settings).reextract()["exit_code"] == 0
    with Store(settings.db_path) as store:
        named = {(r.council, r.council_name) for r in store.records()}
    assert named == {("BRY", "London Borough of Bromley")}
    for q in ("council:bry", "council:BRY"):
        hits = search(settings, q)["hits"]
        assert len(hits) == 2 and {h["council_name"] for h in hits} == {"London Borough of Bromley"}, q
    rows = contracts(settings, "council:BRY")["rows"]
    assert rows and {r["council_name"] for r in rows} == {"London Borough of Bromley"}


def test_council_ids_keep_the_registry_case_for_machines_and_names_for_people(settings):
    """Issue 17 item 2: "BRY", never "bry", in JSON and CSV; the council's name in tables."""
    from click.testing import CliRunner

    from papers.cli import cli

    doc = document(settings, 7)
    doc.id, doc.council = "bry:decision_details:7", "bry"
    store_docs(settings, [doc])
    assert UpdateJob(settings).reextract()["exit_code"] == 0

    def run(*args):
        return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args]).stdout

    grouped = json.loads(run("contracts", "--json"))
    assert [(g["group"], g["name"]) for g in grouped["groups"]] == [("BRY", "London Borough of Bromley")]
    assert {r["council"] for r in grouped["rows"]} == {"BRY"}
    found = json.loads(run("search", "fostering", "--json"))
    assert list(found["facets"]["council"]) == ["BRY"] and {h["council"] for h in found["hits"]} == {"BRY"}
    groups_csv = run("contracts", "--csv").split("\n\n")[1].splitlines()
    assert groups_csv[0].startswith("council,") and groups_csv[1].startswith("BRY,")
    table = run("contracts")
    assert "London Borough of Bromley" in table.split("annual value by council")[1] and "bry" not in table
    assert "council: London Borough of Bromley " in run("search", "fostering")


def test_reextract_refreshes_records_of_an_older_extractor_only(settings, monkeypatch):
    store_docs(settings, [document(settings, 1), document(settings, 2)])
    UpdateJob(settings).reextract()
    with Store(settings.db_path) as store:  # one document's records came from an older version
        older = list(store.records("document_id = ?", ("bromley:decision_details:2",)))
        store.put_records(r.model_copy(update={"extractor_version": "0.0.1"}) for r in older)
        # and one record was loaded from a file (`papers index x.jsonl`): nothing to re-extract it from
        store.put_records(
            [older[0].model_copy(update={"id": "file:1", "document_id": None, "extractor_version": "0.0.1"})]
        )
    summary = UpdateJob(settings).reextract()
    assert summary["reextract"] == {"documents": 1, "records_without_document": 1}
    assert summary["stages"]["extract"]["documents"] == 1
    assert summary["stages"]["extract"]["councils"]["bromley"]["changed"] == 2  # version field rewritten
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "99.0")
    monkeypatch.setattr(extract.pipeline, "EXTRACTOR_VERSION", "99.0")
    summary = UpdateJob(settings).reextract()
    assert summary["stages"]["extract"]["documents"] == 2
    with Store(settings.db_path) as store:
        versions = dict(store.conn.execute("SELECT id, extractor_version FROM records"))
    assert set(versions.values()) == {"99.0", "0.0.1"} and versions["file:1"] == "0.0.1"
    assert check(settings).ok


def test_reextract_upgrades_records_of_an_older_schema(settings):
    store_docs(settings, [document(settings, 1), document(settings, 2)])
    UpdateJob(settings).reextract()
    with Store(settings.db_path) as store:  # schema 1.0: the same extractor, no suppliers or category yet
        older = list(store.records("document_id = ?", ("bromley:decision_details:1",)))
        store.put_records(r.model_copy(update={"schema_version": "1.0"}) for r in older)
    summary = UpdateJob(settings).reextract()
    assert summary["reextract"]["documents"] == 1
    with Store(settings.db_path) as store:
        assert {r.schema_version for r in store.records()} == {SCHEMA_VERSION}
    assert UpdateJob(settings).reextract()["reextract"]["documents"] == 0


def test_when_the_index_fails_records_stay_queued_and_go_next_run(settings, monkeypatch):
    import index.service

    store_docs(settings, [document(settings, 1), document(settings, 2)])

    def down(*args, **kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(index.service, "index_records", down)
    failed = UpdateJob(settings).reextract()
    assert failed["exit_code"] == 1 and failed["status"] == "partial"
    assert failed["stages"]["index"]["queued"] == 4
    assert any("connection refused" in e and "4 records queued" in e for e in failed["errors"])
    assert {f.kind for f in check(settings).findings} == {"missing from index"}
    monkeypatch.undo()
    done = UpdateJob(settings).reextract()
    assert done["exit_code"] == 0 and done["stages"]["index"]["totals"]["new"] == 4
    assert check(settings).ok


def test_elasticsearch_down_keeps_records_queued_and_exits_1(tmp_path):
    # A real client against a closed port: the outage is real, no cluster is faked.
    settings = Settings(data_dir=tmp_path, elasticsearch_url="http://127.0.0.1:9").ensure()
    settings.files_dir.mkdir()
    store_docs(settings, [document(settings, 1)])
    summary = UpdateJob(settings, backend="elasticsearch").reextract()
    assert summary["exit_code"] == 1 and summary["stages"]["index"]["queued"] == 2
    assert (
        "Connection refused" in summary["errors"][0]
        and "2 records queued for the next run" in summary["errors"][0]
    )
    with Store(settings.db_path) as store:
        assert store.count_unindexed("elasticsearch") == 2 and store.count("records") == 2


def test_an_index_that_lost_commits_or_holds_strays_is_put_right_from_the_store(settings):
    store_docs(settings, [document(settings, 1), document(settings, 2)])
    UpdateJob(settings).reextract()
    records, _ = state(settings)
    engine = backend_for(settings)  # as after a power cut that lost the index's last commit
    engine.delete(sorted(records)[:3])
    engine.commit()
    assert not check(settings).ok
    assert UpdateJob(settings).reextract()["exit_code"] == 0
    assert state(settings) == (records, set(records)) and check(settings).ok

    with Store(settings.db_path) as store:  # a stray: in the index, gone from the store
        stray = store.get_record(sorted(records)[0]).model_copy(update={"id": "bromley:decision_details:9"})
    engine.add([stray])
    engine.commit()
    summary = UpdateJob(settings).reextract()
    assert summary["stages"]["index"]["rebuilt"] is True and summary["exit_code"] == 0
    assert state(settings) == (records, set(records)) and check(settings).ok


def test_records_the_index_silently_refuses_stay_queued_and_fail_the_run(settings, monkeypatch):
    import index.service

    store_docs(settings, [document(settings, 1), document(settings, 2)])
    monkeypatch.setattr(index.service, "index_records", lambda *a, **k: {"indexed": 0})  # accepted nothing
    summary = UpdateJob(settings).reextract()
    assert summary["exit_code"] == 1 and summary["stages"]["index"]["queued"] == 4
    assert "the index did not accept 4 records" in summary["errors"][0]


def test_update_summary_has_the_crawl_summary_keys_on_top(settings, monkeypatch):
    import crawlers.run
    from crawlers.summary import Tally

    def crawl(settings_, councils=None, since=None, snapshot=None) -> dict:
        """What the crawl worker returns, from its own Tally, for two pages it stored."""
        store_docs(settings, [document(settings, 1), document(settings, 2)])
        tally = Tally(["bromley", "thurrock"])
        tally.document("bromley", "bromley:decision_details:2", "new")
        tally.document("bromley", "bromley:decision_details:1", "changed")
        tally.site_unreachable("thurrock", "https://thurrock.test/", "DNS lookup failed")
        return {**tally.summary(), "run_started": "2024-05-01", "seconds": 1.5}

    monkeypatch.setattr(crawlers.run, "crawl", crawl)
    summary = UpdateJob(settings).update()
    expected = crawl(settings)
    assert set(expected) - {"seconds"} <= set(summary)  # run seconds, not the crawl's, on top
    assert summary["new_ids"] == ["bromley:decision_details:2"]
    assert summary["changed_ids"] == ["bromley:decision_details:1"]
    assert (summary["failed_councils"], summary["run_started"]) == (["thurrock"], "2024-05-01")
    assert summary["exit_code"] == 1  # a council the crawl failed on fails the run
    assert summary["stages"]["crawl"]["seconds"] >= 0 and summary["stages"]["extract"]["documents"] == 2


def test_deletions_are_queued_for_every_backend_that_holds_the_record(settings):
    """Issue 17 item 7: a second backend fed from the same store also removes a dropped record."""
    from papers.pipeline import pending

    store_docs(settings, [document(settings, 1, attachments=2)])
    UpdateJob(settings).reextract()
    before, _ = state(settings)
    with Store(settings.db_path) as store:  # a second backend has indexed the same records
        store.mark_indexed(before, "elasticsearch")
    revised = document(settings, 1, attachments=2, body="<p>Revised: the second report was withdrawn.</p>")
    dropped = revised.attachments.pop()
    store_docs(settings, [revised])
    assert UpdateJob(settings).reextract()["stages"]["index"]["deleted"] == 1
    gone = f"bromley:decision_details:1/{dropped.sha256[:12]}"
    with Store(settings.db_path) as store:
        assert pending.pending_deletes(store.conn, "tantivy") == []  # done by this run's backend
        assert pending.pending_deletes(store.conn, "elasticsearch") == [gone]  # still owed by the other


def test_a_deletion_queue_without_backends_is_migrated_for_each_backend(settings):
    from papers.pipeline import pending

    with Store(settings.db_path) as store:
        store.conn.executescript(
            "CREATE TABLE index_deletes (record_id TEXT PRIMARY KEY, queued_at TEXT NOT NULL);"
            "INSERT INTO index_deletes VALUES ('gone:1', '2024-01-01T00:00:00Z');"
            "INSERT INTO index_marks VALUES ('elasticsearch', 'other', 'x');"
        )
        pending.ensure_schema(store.conn)
        assert pending.pending_deletes(store.conn, "tantivy") == ["gone:1"]
        assert pending.pending_deletes(store.conn, "elasticsearch") == ["gone:1"]


def test_papers_index_sends_its_backends_queued_deletions_too(settings):
    """A backend fed by `papers index` rather than `papers update` also drops removed records."""
    from click.testing import CliRunner

    from papers.cli import cli
    from papers.pipeline import pending

    store_docs(settings, [document(settings, 1, attachments=2)])
    UpdateJob(settings).reextract()
    records, indexed = state(settings)
    gone = sorted(records)[-1]
    with Store(settings.db_path) as store:  # a re-extraction dropped it (as _store_records does)
        pending.delete_records(store, [gone])
    assert gone in backend_for(settings).ids()
    done = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "index", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert backend_for(settings).ids() == indexed - {gone}
    with Store(settings.db_path) as store:
        assert pending.pending_deletes(store.conn, "tantivy") == []
