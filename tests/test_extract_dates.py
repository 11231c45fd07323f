"""Dates: day-first, month precision, ranges split; not years, financial years or vague times."""

import pytest

from extract.analysis import analyse
from extract.analysis.dates import normalise_loose


def dates(text):
    return [v["date"] for _, _, _, v in analyse(text).spans["dates"]]


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("due to expire on 30th June 2016", ["2016-06-30"]),
        ("from 1st July 2016 to 31st March 2017", ["2016-07-01", "2017-03-31"]),
        ("Date of decision: 19/11/2019", ["2019-11-19"]),
        ("Meeting: 07/02/2018 - Cabinet", ["2018-02-07"]),
        ("In April 2014 the service expanded", ["2014-04"]),
        ("with effect from 01April 2022", ["2022-04-01"]),
        ("published 7 Oct 2025", ["2025-10-07"]),
        ("by 31.03.2020", ["2020-03-31"]),
        ("1 April 2021 – 31 March 2024", ["2021-04-01", "2024-03-31"]),
        ("from the 1st of April 2019", ["2019-04-01"]),
        ("agreed on 12/05/21", ["2021-05-12"]),
        ("Date of Decision: December 3, 2025", ["2025-12-03"]),
        ("the meetings on 13th and 20th February 2018", ["2018-02-13", "2018-02-20"]),
        ("the programme July – December 2023", ["2023-07", "2023-12"]),
        ("Cabinet - Tuesday, 6th March, 2018 2.00 pm", ["2018-03-06"]),
        ("approved on 29.04.21", ["2021-04-29"]),
    ],
)
def test_dates(phrase, expected):
    assert dates(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "the 2018/19 budget",
        "in early 2016",
        "Spring 2025",
        "a further nine month period",
        "this may lead to",
        "reference 23/00058",
        "Legal implications: 10/01438",
        "the 2012 Act",
        "Kitchen programme 2023-27",
    ],
)
def test_not_dates(phrase):
    assert dates(phrase) == []


def test_loose_shapes_fall_back_to_dateparser():
    assert normalise_loose("3rd of March, 2020") == "2020-03-03"
    assert normalise_loose("nonsense") is None
