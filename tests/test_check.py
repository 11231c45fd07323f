"""`papers check`: store and index agree, and stored pages and attachments match their checksums."""

import hashlib
import json

from click.testing import CliRunner

from index.service import backend_for, index_records
from index.store import Store
from papers.cli import cli
from papers.pipeline import pending
from papers.pipeline.check import check
from papers.schema import Attachment, Document, Record
from papers.settings import Settings

PDF = b"%PDF-1.4 a report"


def build(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path).ensure()
    (settings.files_dir / "ab").mkdir(parents=True)
    (settings.files_dir / "ab" / "report.pdf").write_bytes(PDF)
    doc = Document(
        id="bromley:decision_details:1",
        council="bromley",
        platform="moderngov",
        page_type="decision_details",
        url="https://example.test/ieDecisionDetails.aspx?ID=1",
        body="<p>Fostering framework</p>",
        attachments=[
            Attachment(
                url="https://example.test/r.pdf",
                path="ab/report.pdf",
                sha256=hashlib.sha256(PDF).hexdigest(),
                size=len(PDF),
            )
        ],
    )
    with Store(settings.db_path) as store:
        store.put_document(doc)
    records = [
        Record(id=doc.id, source=doc.url, council="bromley", text="Fostering framework"),
        Record(id=f"{doc.id}/abc", source="r.pdf", council="bromley", document_id=doc.id, text="report"),
    ]
    index_records(settings, records, progress=False)
    with Store(settings.db_path) as store:  # as the update job does once a document's records are stored
        pending.ensure_schema(store.conn)
        pending.mark_extracted(
            store.conn, doc.id, pending.source_hashes(store.conn)[doc.id], "test", retry=False
        )
    return settings


def kinds(settings: Settings) -> dict[str, int]:
    return dict(check(settings).by_kind())


def test_consistent_store_and_index_pass(tmp_path):
    settings = build(tmp_path)
    report = check(settings)
    assert report.ok, report.findings
    assert report.counts == {"documents": 1, "attachments": 1, "records": 2, "index": 2}


def test_each_disagreement_is_named(tmp_path):
    settings = build(tmp_path)
    with Store(settings.db_path) as store:
        store.conn.execute("UPDATE documents SET body = body || ' tampered'")
    (settings.files_dir / "ab" / "report.pdf").write_bytes(PDF + b" truncated?")
    engine = backend_for(settings)
    engine.delete(["bromley:decision_details:1/abc"])
    engine.commit()
    report = check(settings)
    assert dict(report.by_kind()) == {"page checksum": 1, "attachment checksum": 1, "missing from index": 1}
    missing = next(f for f in report.findings if f.kind == "missing from index")
    assert missing.id == "bromley:decision_details:1/abc" and "marked indexed but absent" in missing.detail


def test_queued_work_and_missing_files_are_reported(tmp_path):
    settings = build(tmp_path)
    (settings.files_dir / "ab" / "report.pdf").unlink()
    with Store(settings.db_path) as store:
        store.put_records(
            [Record(id="bromley:decision_details:1", source="x", council="bromley", text="edited")]
        )
    assert kinds(settings) == {"attachment missing": 1, "stale in index": 1}


def test_check_command_exit_codes(tmp_path):
    settings = build(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["--data-dir", str(tmp_path), "check"])
    assert ok.exit_code == 0 and "consistent" in ok.output
    with Store(settings.db_path) as store:
        store.conn.execute("UPDATE documents SET body = 'rewritten'")
    bad = runner.invoke(cli, ["--data-dir", str(tmp_path), "check", "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.output)["problems"] == {"page checksum": 1}
