"""robots.txt is read once per site per run, though a platform's spiders each cross every site."""

from __future__ import annotations

from collections import Counter

from crawlers.registry import Council
from papers.settings import Settings
from tests.benchmarks.national_sim import NationalServer, SimCouncil, Templates, crawl_once

# The loopback sites are ours: no need to wait between requests.
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def test_the_decisions_spider_reuses_the_meetings_spiders_robots_txt(tmp_path):
    councils = [
        SimCouncil(i, Council(f"C{i}", f"Council {i}", "moderngov", "https://x.example"), 1, 2)
        for i in (0, 1)
    ]
    settings = Settings(data_dir=tmp_path).ensure()
    with NationalServer(councils, Templates.load()) as server:
        run = crawl_once(settings, server, budget=60, scrapy=FAST)
    assert run["totals"]["new"] > 0
    paths = Counter((h.host, h.path) for h in server.log)
    # Both spiders crawled both sites: the web service (meetings) and the listings (decisions).
    for c in councils:
        assert any(host == c.host and "GetMeeting" in path for host, path in paths)
        assert any(host == c.host and "mgDelegatedDecisions" in path for host, path in paths)
        assert paths[(c.host, "/robots.txt")] == 1
