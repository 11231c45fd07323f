"""Spiders end to end against the snapshot on 127.0.0.1: complete, incremental, crash-safe, fault-tolerant."""

import hashlib
import json
import os

import pytest
from click.testing import CliRunner

from crawlers.run import crawl
from crawlers.snapshot import SnapshotServer
from crawlers.urls import classify, document_id
from index.store import Store
from papers.cli import cli
from papers.settings import Settings
from tests.killing import kill_mid_crawl

FAST = {"DOWNLOAD_TIMEOUT": 1.2, "LISTING_TIMEOUT": 1.5}


def expected_snapshot(server: SnapshotServer) -> tuple[set[str], set[str]]:
    """Document ids and PDF sha256s the snapshot holds, from its own manifest."""
    ids, pdfs = set(), set()
    for s in server.manifest():
        if s["file"].endswith(".pdf"):
            pdfs.add(hashlib.sha256((server.root / s["file"]).read_bytes()).hexdigest())
        elif not s.get("attachment"):  # a report served as HTML (CMIS) is an attachment, not a page
            page_type, pids = classify("http://x/" + s["path"])
            ids.add(document_id(s["council"], page_type, pids, s["path"]))
    for cid, site in server.sites.items():
        # A shared site's meetings are each their own council's (site.json `council`).
        ids |= {f"{m.get('council', cid)}:meeting:{mid}" for mid, m in site.meetings.items()}
    return ids, pdfs


def stored(settings: Settings) -> dict[str, str]:
    with Store(settings.db_path) as store:
        return {row["id"]: row["sha256"] for row in store.conn.execute("SELECT id, sha256 FROM documents")}


def stored_files(settings: Settings) -> set[str]:
    with Store(settings.db_path) as store:
        return {r[0] for r in store.conn.execute("SELECT sha256 FROM attachments WHERE path IS NOT NULL")}


@pytest.fixture(scope="module")
def first(server, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("first"))
    return settings, crawl(settings, snapshot=server, scrapy_settings=FAST)


def test_first_crawl_finds_every_page_and_pdf(first, server):
    settings, summary = first
    ids, pdfs = expected_snapshot(server)
    docs = stored(settings)
    assert set(docs) == ids
    assert summary["totals"]["new"] == len(ids) == len(summary["new_ids"])
    assert pdfs <= stored_files(settings)
    for sha in pdfs:  # files are on disk, whole, where the attachment row says
        path = next(settings.files_dir.glob(f"*/{sha}.pdf"))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    # The bundled dead link is reported, not fatal; everything else is ok.
    assert summary["councils"]["DAL"]["status"] == "partial"
    assert summary["councils"]["DAL"]["failures"][0]["error"] == "HTTP 500"
    assert summary["totals"]["failed"] == 1 and summary["failed_councils"] == []


def test_documents_carry_platform_ids_dates_and_canonical_urls(first):
    settings, _ = first
    with Store(settings.db_path) as store:
        d = store.get_document("STH:decision_details:3843")
        assert (d.page_type, d.date, d.decision_maker, d.platform) == (
            "decision_details",
            "2019-11-19",
            "Cabinet",
            "moderngov",
        )
        item = store.get_document("HAL:agenda_item:27001")
        assert item.committee == "Executive Board" and item.date == "2018-01-18"
        assert item.attachments[0].content_type == "application/pdf" and item.attachments[0].size > 1000
        leicester = store.get_document("LCE:meeting:353")  # HTML fallback, session-id site
        assert leicester.page_type == "minutes" and "(S(" not in leicester.url
        dacorum = store.get_document("DAC:decision_details:1516")  # reached through a redirect
        assert "(S(" not in dacorum.url
        halton = store.get_document("HAL:decision_details:712")  # served in windows-1252
        assert "‘Highway Improvement Contract’" in halton.body


def test_second_crawl_finds_nothing_new_and_writes_nothing(first, server):
    settings, _ = first
    before = stored(settings)
    mtime = os.stat(settings.db_path).st_mtime_ns
    summary = crawl(settings, snapshot=server, scrapy_settings=FAST)
    assert summary["totals"]["new"] == summary["totals"]["changed"] == 0
    assert summary["new_ids"] == summary["changed_ids"] == []
    assert stored(settings) == before
    assert summary["totals"]["failed"] == 1  # the dead link is asked for again, and still fails
    # --since re-lists every window; decisions settled long ago and already held are not fetched
    # again (SHF's four, HMF's three); LCE's meeting page (no listing) is, and is unchanged.
    again = crawl(
        settings, councils=["SHF", "HMF", "LCE"], since="2000-01-01", snapshot=server, scrapy_settings=FAST
    )
    assert again["councils"]["SHF"]["listed"] == 4 and again["councils"]["HMF"]["listed"] == 3
    assert again["totals"]["unchanged"] == 1 and again["totals"]["new"] == again["totals"]["changed"] == 0
    assert os.stat(settings.db_path).st_mtime_ns >= mtime and stored(settings) == before


def test_killed_crawl_rerun_loses_nothing(first, server, tmp_path):
    reference = stored(first[0])
    kill_mid_crawl(tmp_path, None, "aspx?", 0.15, 5)
    settings = Settings(data_dir=tmp_path)
    partial = stored(settings)
    assert 5 <= len(partial) < len(reference)
    summary = crawl(settings, snapshot=server, scrapy_settings=FAST)
    assert stored(settings) == reference
    assert set(summary["new_ids"]) == set(reference) - set(partial)
    assert not list(settings.files_dir.rglob("*.tmp"))


def test_faults_are_reported_not_fatal_and_retried_next_run(server, tmp_path, capfd):
    settings = Settings(data_dir=tmp_path)
    councils = ["CHO", "EHE", "HAL", "BNH", "HMF", "SMT", "TEN", "SHF"]
    server.inject("error", match="/CHO/ieDecisionDetails")
    server.inject("slow", match="/EHE/ieDecisionDetails", seconds=1.5)
    server.inject("corrupt_pdf", match="/HAL/documents/")
    server.inject("windows-1252", match="/BNH/ieDecisionDetails")
    server.inject("session_duplicate", match="/SHF/mgDelegated")
    server.inject("redirect", match="/SMT/ieDecisionDetails")
    server.inject("robots", match="/TEN/")
    try:
        faulty = crawl(settings, councils=councils, snapshot=server, scrapy_settings=FAST)
    finally:
        server.clear_faults()
    # Each fault is a line in the log (the broken PDF's too), never a traceback.
    log = capfd.readouterr().err
    assert "Traceback" not in log and "truncated PDF" in log and "/CHO/ieDecisionDetails" in log
    rows = faulty["councils"]
    assert all(row["unreachable"] is None for row in rows.values())  # slow and 500 are answers
    assert rows["CHO"]["failed"] == 1 and rows["CHO"]["status"] == "partial"  # its listings answered
    assert rows["EHE"]["failed"] == 1 and "TimeoutError" in rows["EHE"]["failures"][0]["error"]
    assert rows["HAL"]["failed"] == 1 and "truncated PDF" in rows["HAL"]["failures"][0]["error"]
    # Shut out by robots.txt: obeyed and counted, not a failed request.
    assert rows["TEN"]["skipped"] >= 1 and rows["TEN"]["failed"] == 0
    assert rows["SHF"]["new"] == 4  # session-id duplicates collapse into the same four documents
    assert rows["SMT"]["new"] == 1 and rows["BNH"]["new"] == 1 and rows["HMF"]["new"] == 3
    docs = stored(settings)
    assert (
        "CHO:decision_details:ai-30258" not in docs
        and "TEN:decision_details:ai-21730" not in docs
        and "HAL:decision_details:712" in docs
    )
    with Store(settings.db_path) as store:
        assert all("(S(" not in d.url for d in store.documents())
        report = store.get_document("HAL:agenda_item:27001")
        assert report.attachments[0].path is None  # the cut-off file was not kept

    fixed = crawl(settings, councils=councils, snapshot=server, scrapy_settings=FAST)
    assert fixed["totals"]["failed"] == 0
    assert {
        "CHO:decision_details:ai-30258",
        "EHE:decision_details:1522",
        "TEN:decision_details:ai-21730",
    } <= set(fixed["new_ids"])
    assert fixed["changed_ids"] == ["HAL:agenda_item:27001"]  # its report arrived
    with Store(settings.db_path) as store:
        assert store.get_document("HAL:agenda_item:27001").attachments[0].path
    assert "BNH:decision_details:ai-95878" not in fixed["changed_ids"]  # same text, whatever the encoding


def test_cli_json_summary_and_exit_code_when_a_council_fails_entirely(server, tmp_path, monkeypatch):
    import crawlers.run as command  # papers crawl runs it through the update job's crawl stage

    real = command.crawl
    monkeypatch.setattr(
        command,
        "crawl",
        lambda settings, **kw: real(settings, **{**kw, "snapshot": server}, scrapy_settings=FAST),
    )
    runner = CliRunner()
    server.inject("error", match="/EPS/", status=503)
    try:
        result = runner.invoke(
            cli, ["--data-dir", str(tmp_path), "crawl", "--council", "EPS", "--council", "BOS", "--json"]
        )
    finally:
        server.clear_faults()
    assert result.exit_code == 1
    summary = json.loads(result.stdout.splitlines()[0])
    assert set(summary["totals"]) >= {"new", "changed", "unchanged", "failed"}
    assert summary["councils"]["EPS"]["status"] == "failed" and summary["councils"]["BOS"]["new"] == 1
    eps, bos = summary["councils"]["EPS"], summary["councils"]["BOS"]
    assert eps["requests"] == {"answered": 0, "failed": eps["failed"]} and eps["failed"] > 0
    # 503s are answers, not a dead site: each request is retried with backoff and recorded.
    assert eps["unreachable"] is None and len(eps["failures"]) == eps["failed"] > 1
    assert bos["requests"]["answered"] > 0 and bos["requests"]["failed"] == 0 and bos["seconds"] > 0
    table = runner.invoke(cli, ["--data-dir", str(tmp_path), "crawl", "--council", "EPS"])
    assert table.exit_code == 0 and "EPS" in table.stdout
    assert table.stdout.splitlines()[0].split()[1:] == [
        "new",
        "changed",
        "unchanged",
        "failed",
        "answered",
        "secs",
        "status",
    ]


def test_unknown_or_unsupported_council_is_a_usage_error(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["--data-dir", str(tmp_path), "crawl", "--council", "NOPE"]).exit_code == 2
    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "crawl", "--council", "BIR"])  # custom HTML
    assert result.exit_code == 2 and "no spider" in result.output
    assert runner.invoke(cli, ["--data-dir", str(tmp_path), "crawl", "--since", "last week"]).exit_code == 2


def test_crawl_takes_the_update_lock_one_run_per_data_directory(tmp_path):
    from papers.pipeline.lock import RunLock

    with RunLock(tmp_path, "update"):
        result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "crawl", "--snapshot"])
    assert result.exit_code == 3
    assert len(result.output.strip().splitlines()) == 1 and "another run holds" in result.output
    assert not Settings(data_dir=tmp_path).db_path.exists()  # refused before crawling anything


def test_under_log_json_the_crawl_worker_logs_json_lines_too(server, tmp_path, capfd):
    import logging

    from papers import logs

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.setup(json_lines=True)
    server.inject("error", match="/EPS/", status=503)  # the worker warns about each failed request
    try:
        crawl(Settings(data_dir=tmp_path), councils=["EPS"], snapshot=server, scrapy_settings=FAST)
    finally:
        server.clear_faults()
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line, the worker's included
    assert any("EPS" in p["message"] and "failed" in p["message"] for p in parsed), lines
