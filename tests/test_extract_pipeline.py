"""The API other stages call: extract_text/bytes/path/document and the shared pipeline."""

import os
from pathlib import Path

from extract import EXTRACTOR_VERSION
from extract.analysis import get_nlp
from extract.pipeline import collect, extract_document, extract_path, extract_text
from papers.schema import Attachment, Document, Record
from tests.test_extract_pdf import report_pdf

PAGE = (
    "<div id='modgov'><h2 class='mgSubTitleTxt'>Award of contract</h2><div class='mgContent'>"
    "<p><span class='mgLabel'>Decision Maker: </span>Cabinet</p><h3>Decision:</h3>"
    "<p>RESOLVED that the contract be awarded for 5 years.</p></div></div>"
)


def test_pipeline_is_a_spacy_singleton_with_our_components():
    nlp = get_nlp()
    assert nlp is get_nlp()
    assert nlp.pipe_names == [
        "papers_sentences",
        "papers_money",
        "papers_durations",
        "papers_dates",
        "papers_routes",
        "papers_resolutions",
        "papers_roles",
        "papers_suppliers",
        "papers_category",
    ]
    doc = nlp("It costs £2.5bn. Then 01April 2022.")
    assert "£" in [t.text for t in doc] and "April" in [t.text for t in doc]


def test_extract_text_fields_and_provenance():
    record = extract_text("Decision: That the report be noted.", source="s", council="demo", url="http://x/1")
    assert isinstance(record, Record) and record.extractor_version == EXTRACTOR_VERSION
    assert (record.council, record.url, record.status) == ("demo", "http://x/1", "ok")
    assert record.resolutions[0].outcome == "noted"


def test_extract_document_page_and_attachments(tmp_path):
    (tmp_path / "r.pdf").write_bytes(report_pdf())
    doc = Document(
        id="demo:decision_details:1",
        council="demo",
        platform="moderngov",
        page_type="decision_details",
        url="http://demo/ieDecisionDetails.aspx?ID=1",
        body=PAGE,
        date="2020-01-02",
        attachments=[
            Attachment(url="http://demo/r.pdf", path="r.pdf", sha256="ab" * 32, title="Report"),
            Attachment(url="http://demo/missing.pdf", path="missing.pdf", sha256="cd" * 32),
            Attachment(url="http://demo/never.pdf"),
        ],
    )
    page, report, missing, never = extract_document(doc, tmp_path)
    assert (page.id, page.document_id, page.decision_maker, page.title) == (
        "demo:decision_details:1",
        "demo:decision_details:1",
        "Cabinet",
        "Award of contract",
    )
    assert page.decision_date == "2020-01-02" and page.durations[0].months == 60
    assert report.id == "demo:decision_details:1/" + "ab" * 6 and report.document_id == doc.id
    assert report.status == "ok" and report.money[0].amount == 1_200_000 and report.title == "Report"
    assert missing.status == "error" and missing.document_id == doc.id
    assert never.status == "error" and never.id.startswith("demo:decision_details:1/")


def test_extract_path_missing_file_is_a_status(tmp_path):
    record = extract_path(tmp_path / "gone.txt")
    assert record.status == "error" and record.source.endswith("gone.txt")


def test_empty_or_blank_text_is_reported_as_empty():
    for text in ("", "  \n\t\n"):
        record = extract_text(text, source="blank.txt")
        assert record.status == "empty" and record.money == [] and record.resolutions == []


def test_record_id_is_the_same_from_any_working_directory(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Decision: That the report be noted.\n")
    (corpus / "u.txt").write_text(
        "URL: http://x/(S(abc))/mgAi.aspx?ID=7&Ver=4\n\nRESOLVED that it be noted.\n"
    )
    monkeypatch.chdir(tmp_path)
    from_parent = [extract_path("corpus/a.txt"), extract_path("corpus/u.txt")]
    monkeypatch.chdir(corpus)
    from_inside = [extract_path("a.txt"), extract_path("./u.txt")]
    assert [r.id for r in from_parent] == [r.id for r in from_inside]
    assert from_parent[0].source == "corpus/a.txt" and from_inside[0].source == "a.txt"
    # A document with a URL is known by its canonical URL, wherever its file lies.
    assert (
        extract_text("Text.", source="elsewhere.txt", url="http://x/mgAi.aspx?id=7").id == from_parent[1].id
    )


def test_record_ids_differ_by_canonical_url():
    a = extract_text("Same text.", source="s", url="http://x/mgAi.aspx?ID=7")
    b = extract_text("Same text.", source="s", url="http://x/mgAi.aspx?ID=8")
    assert a.id != b.id and a.id.startswith("doc:")


def test_page_type_comes_from_the_shared_moderngov_table():
    def page_type(url: str) -> str:
        return extract_text("Some text.", source="s", url=url).page_type

    assert page_type("https://x/ieListDocuments.aspx?CId=78&MId=353") == "minutes"
    assert page_type("https://x/mgIssueHistoryHome.aspx?IId=1&Opt=1") == "issue_details"
    assert page_type("https://x/mgDecisionDetails.aspx?IId=1&Opt=1") == "issue_decisions"
    # no page name in the URL: the page's own heading decides
    assert (
        extract_text("Issue - meetings\nText.", source="s", url="https://x/d/1").page_type == "issue_meetings"
    )


def test_broken_symlinks_and_unreadable_files_in_a_folder_are_failed_records(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text("RESOLVED that it be noted.\n")
    (tmp_path / "skipped.docx").write_text("not a supported kind")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "moved-away.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "locked.pdf").write_bytes(b"%PDF-1.4")
    locked = str(tmp_path / "sub" / "locked.pdf")
    read_bytes = Path.read_bytes

    def deny(path: Path) -> bytes:  # tests run as root here, so chmod cannot lock a file
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", deny)
    files = collect([str(tmp_path)])
    assert [os.path.basename(f) for f in files] == ["dangling.txt", "ok.txt", "locked.pdf"]
    dangling, ok, denied = (extract_path(f) for f in files)
    assert ok.status == "ok"
    assert dangling.status == "error" and "broken symlink" in dangling.status_detail
    assert "moved-away.txt" in dangling.status_detail
    assert denied.status == "error" and "Permission denied" in denied.status_detail


def test_an_unreadable_subfolder_is_a_failed_record(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Text.\n")
    (tmp_path / "private").mkdir()
    private = str(tmp_path / "private")
    scandir, listdir = os.scandir, os.listdir

    def denied(real):
        def call(path):
            if os.fspath(path) == private:
                raise PermissionError(13, "Permission denied", private)
            return real(path)

        return call

    monkeypatch.setattr(os, "scandir", denied(scandir))
    monkeypatch.setattr(os, "listdir", denied(listdir))
    files = collect([str(tmp_path)])
    assert files == [str(tmp_path / "a.txt"), private]
    record = extract_path(private)
    assert record.status == "error" and "Permission denied" in record.status_detail
