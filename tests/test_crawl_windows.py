"""Date windows of the council spiders (crawlers/spiders/base.py): how many listing requests a run makes."""

from __future__ import annotations

from datetime import date, timedelta

from crawlers.spiders.moderngov import ModernGovDecisionsSpider
from crawlers.summary import Tally


def spider(since: str, today: str) -> ModernGovDecisionsSpider:
    row = {"id": "HAL", "name": "Halton", "platform": "moderngov", "base_url": "http://h.example"}
    s = ModernGovDecisionsSpider(councils=[row], tally=Tally(["HAL"]), since=since, run_started=today)
    s.lookahead = timedelta(days=60)
    return s


def test_a_nights_window_across_new_year_is_one_listing_window():
    # The look-back (90 days) to the look-ahead (60): 150 days, December to February.
    assert spider("2026-09-07", "2026-12-06").windows("HAL") == [(date(2026, 9, 7), date(2027, 2, 4))]


def test_a_back_fill_is_cut_into_windows_of_at_most_a_year_covering_every_day():
    windows = spider("2020-01-01", "2026-12-06").windows("HAL")
    assert windows[0] == (date(2020, 1, 1), date(2020, 12, 31))
    assert all((b - a).days < 366 for a, b in windows)
    assert all(b + timedelta(days=1) == c for (_, b), (c, _) in zip(windows, windows[1:], strict=False))
    assert windows[-1][1] == date(2027, 2, 4) and len(windows) == 8
