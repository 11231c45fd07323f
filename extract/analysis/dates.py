"""Dates: every calendar date naming at least a month and a year, day-first, ranges split.

Rules find the spans; normalising uses plain ``datetime`` for the common shapes and falls back
to dateparser (cached, day-first, absolute parsers only) for the rest. dateparser is never asked
to find dates: on its own it turns "nine month" and "2012/13" into dates.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import SP, add, scanner, text_of

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-2]?[1-9]|[1-3]0|31)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?" + SP + r"+)?"
_S = r"[ \t\u00a0,]*"
_S1 = r"[ \t\u00a0]+|[ \t\u00a0]*,[ \t\u00a0]*|[ \t\u00a0]*\n[ \t\u00a0]*"
# Shapes, most specific first; named groups feed the fast normaliser.
DATE = scanner(
    r"(?<![\w/.-])(?:"
    r"(?P<d1>"
    + _DAY
    + r")"
    + r"(?:"
    + _S
    + r"(?:(?:day"
    + SP
    + r"+)?of"
    + SP
    + r"+)?|-)(?P<m1>"  # "1st day of April 2024", "1-Apr-2024"
    + _MONTH
    + r")(?:"
    + _S1
    + r"|-)(?P<y1>"
    + _YEAR
    + r")"
    r"|(?P<m2>" + _MONTH + r")" + SP + r"+(?P<d2>" + _DAY + r")(?:" + _S1 + r")(?P<y2>" + _YEAR + r")"
    r"|(?P<d3>[0-3]?\d)(?P<sep>[/.-])(?P<m3>[01]?\d)(?P=sep)(?P<y3>(?:19|20)\d\d|\d\d)"
    r"|(?P<y4>" + _YEAR + r")-(?P<m4>[01]\d)-(?P<d4>[0-3]\d)"
    r"|(?P<m5>" + _MONTH + r")(?:" + _S1 + r")(?P<y5>" + _YEAR + r")"
    r")(?![\w/]|\.\d|-\d)",
    re.I,
)
# "13th and 20th February 2018", "1 – 31 March 2020": the first day borrows the month and year.
DAY_RANGE = scanner(
    r"(?<![\w/.])(?P<d>"
    + _DAY
    + r")"
    + SP
    + r"*(?:and|to|&|-|–|until)"
    + SP
    + r"*(?="
    + _DAY
    + SP
    + r"*(?:of"
    + SP
    + r"+)?"
    + _MONTH
    + _S
    + _YEAR
    + r")",
    re.I,
)
# "1 April to 30 September 2020": the first day and month borrow the year.
DAY_MONTH_RANGE = scanner(
    r"(?<![\w/.])(?P<d>"
    + _DAY
    + r")"
    + _S
    + r"(?:of"
    + SP
    + r"+)?(?P<m>"
    + _MONTH
    + r")"
    + SP
    + r"*(?:and|to|&|-|–|until|till)"
    + SP
    + r"*(?="
    + _DAY
    + _S
    + r"(?:of"
    + SP
    + r"+)?"
    + _MONTH
    + r"(?:"
    + _S1
    + r")"
    + _YEAR
    + r")",
    re.I,
)
# "July – December 2023": the first month borrows the year.
MONTH_RANGE = scanner(
    r"(?<![\w/.])(?P<m>"
    + _MONTH
    + r")"
    + SP
    + r"*(?:-|–|to|until|and)"
    + SP
    + r"*(?="
    + _MONTH
    + _S
    + r"(?P<y>"
    + _YEAR
    + r"))",
    re.I,
)
# Vague or seasonal times are not dates (GUIDE): "early 2016", "Spring 2025" never match a month;
# "end of March 2020" and "early December 2024" name a month and a year and are kept (the GUIDE's
# labels on unseen councils' pages); financial years never match a three-part shape.


def _month(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")[:4] if word.lower().startswith("sept") else word.lower()[:3]]


def _iso(year: int, month: int, day: int | None) -> str | None:
    try:
        return dt.date(year, month, day or 1).strftime("%Y-%m-%d" if day else "%Y-%m")
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year  # two-digit years in council papers are this century


@lru_cache(maxsize=4096)
def normalise_loose(text: str) -> str | None:
    """dateparser for shapes the fast path does not know; cached because dates repeat."""

    data = _parser().get_date_data(text)
    if not data or not data.date_obj:
        return None
    return data.date_obj.strftime("%Y-%m" if data.period == "month" else "%Y-%m-%d")


@lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "PARSERS": ["custom-formats", "absolute-time"],
            "REQUIRE_PARTS": ["month", "year"],
        },
    )


def normalise(match: re.Match) -> tuple[str | None, str]:
    """ISO date and precision ('day' or 'month') of a DATE match."""
    g = match.groupdict()
    day = lambda s: int(re.match(r"\d+", s).group())  # noqa: E731
    if g["d1"]:
        return _iso(int(g["y1"]), _month(g["m1"]), day(g["d1"])), "day"
    if g["m2"]:
        return _iso(int(g["y2"]), _month(g["m2"]), day(g["d2"])), "day"
    if g["d3"]:
        return _iso(_year(g["y3"]), int(g["m3"]), int(g["d3"])), "day"
    if g["y4"]:
        return _iso(int(g["y4"]), int(g["m4"]), int(g["d4"])), "day"
    if g["m5"]:
        return _iso(int(g["y5"]), _month(g["m5"]), None), "month"
    return normalise_loose(match.group()), "day"


@Language.component("papers_dates")
def dates_component(doc: Doc) -> Doc:
    """doc.spans['dates'] with ISO date and precision; a range's first date borrows from the second."""
    text = text_of(doc)
    found: list[tuple[int, int, str, str]] = []
    for match in DATE.finditer(text):
        if match.group("d3") and match.group("sep") == "-" and len(match.group("y3")) == 2:
            continue  # "3-6-12" style ranges of numbers, not dates
        iso, precision = normalise(match)
        if iso:
            found.append((match.start(), match.end(), iso, precision))
    for match in DAY_RANGE.finditer(text):
        second = DATE.match(text, match.end())
        if second and second.group("d1"):
            iso = _iso(
                int(second.group("y1")),
                _month(second.group("m1")),
                int(re.match(r"\d+", match.group("d")).group()),
            )
            if iso:
                found.append((match.start(), second.end(), iso, "day"))
    for match in DAY_MONTH_RANGE.finditer(text):
        second = DATE.match(text, match.end())
        if second and second.group("d1"):
            month, day = _month(match.group("m")), int(re.match(r"\d+", match.group("d")).group())
            year = int(second.group("y1"))
            # "1 April - 31 March 2021" spans a year end: the first date is in the year before.
            later = (month, day) > (
                _month(second.group("m1")),
                int(re.match(r"\d+", second.group("d1")).group()),
            )
            iso = _iso(year - later, month, day)
            if iso:
                found.append((match.start(), match.end("m"), iso, "day"))
    for match in MONTH_RANGE.finditer(text):
        second = DATE.match(text, match.end())
        if second and second.group("m5"):
            iso = _iso(int(second.group("y5")), _month(match.group("m")), None)
            if iso:
                found.append((match.start(), second.end(), iso, "month"))
    for start, end, iso, precision in sorted(found):
        add(doc, "dates", start, end, "DATE", date=iso, precision=precision)
    return doc
