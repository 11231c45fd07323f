"""Files over the size cap are recorded once and asked for again only when they change (issue 17 item 9).

Against the snapshot on 127.0.0.1: HAL's report (about 25 kB) is over a 10 kB cap. The first night
records it as skipped (size, URL, cap, ETag), not as a failure; the next night asks conditionally
and gets a bodiless 304; a changed file is asked for and recorded again; a raised cap fetches it.
"""

import pytest

import crawlers.snapshot
from crawlers.run import crawl
from crawlers.snapshot import SNAPSHOT_DIR, SnapshotServer
from index.store import Store
from papers.settings import Settings

PDF = "s48852"  # HAL's report
(SIZE,) = {p.stat().st_size for p in (SNAPSHOT_DIR / "HAL").glob(f"*{PDF}*.pdf")}
CAP = {"FILES_MAX_BYTES": 10_000, "DOWNLOAD_TIMEOUT": 2}


@pytest.fixture
def served(monkeypatch):
    """The snapshot, with every answer for the PDF logged, and a switch that changes the file."""
    sent: list[int] = []  # the status of each answer for the PDF
    grow = {"by": b""}
    real = crawlers.snapshot.Handler.send

    def send(self, status, body, ctype, headers=None):
        real(self, status, body + grow["by"] if PDF in self.path and status == 200 else body, ctype, headers)

    def send_response(self, code, message=None):
        if PDF in self.path:
            sent.append(code)
        crawlers.snapshot.BaseHTTPRequestHandler.send_response(self, code, message)

    monkeypatch.setattr(crawlers.snapshot.Handler, "send", send)
    monkeypatch.setattr(crawlers.snapshot.Handler, "send_response", send_response)
    with SnapshotServer() as server:
        yield server, sent, grow


def skipped(settings: Settings) -> list[tuple]:
    with Store(settings.db_path) as store:
        return store.conn.execute(
            "SELECT url, size, cap, etag IS NOT NULL FROM crawl_skipped_files ORDER BY url"
        ).fetchall()


def failures(settings: Settings) -> list[str]:
    with Store(settings.db_path) as store:
        return [r[0] for r in store.conn.execute("SELECT url FROM crawl_failures WHERE url LIKE '%s48852%'")]


def test_a_file_over_the_cap_is_recorded_once_and_asked_again_only_when_it_changes(served, tmp_path):
    server, sent, grow = served
    settings = Settings(data_dir=tmp_path)

    first = crawl(settings, councils=["HAL"], snapshot=server, scrapy_settings=CAP)
    rows = skipped(settings)
    assert [(size, cap, has_etag) for _, size, cap, has_etag in rows] == [(SIZE, 10_000, 1)]
    assert PDF in rows[0][0] and failures(settings) == [] and first["councils"]["HAL"]["failed"] == 0
    assert sent == [200]

    sent.clear()
    crawl(settings, councils=["HAL"], since="2000-01-01", snapshot=server, scrapy_settings=CAP)
    assert sent == [304]  # asked conditionally: nothing fetched
    assert [(size, cap) for _, size, cap, _ in skipped(settings)] == [(SIZE, 10_000)] and failures(
        settings
    ) == []

    sent.clear()
    grow["by"] = b"\n% revised\n"  # the council replaced the file: a new ETag and length
    crawl(settings, councils=["HAL"], since="2000-01-01", snapshot=server, scrapy_settings=CAP)
    assert sent == [200]
    assert [size for _, size, _, _ in skipped(settings)] == [SIZE + len(grow["by"])]

    sent.clear()
    crawl(
        settings,
        councils=["HAL"],
        since="2000-01-01",
        snapshot=server,
        scrapy_settings={**CAP, "FILES_MAX_BYTES": 100_000},
    )
    assert sent == [200] and skipped(settings) == []
    with Store(settings.db_path) as store:
        held = store.conn.execute("SELECT size FROM crawl_files WHERE url LIKE '%s48852%'").fetchone()[0]
    assert held == SIZE + len(grow["by"])
