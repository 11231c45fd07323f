"""Roles: decision date and maker, contract start and end, and the contract summary."""

from extract.pipeline import extract_text

PAGE = """Decision details

School Meals Contract

Decision Maker: Children, Young People & Skills Committee

Decision:

RESOLVED: That the Committee agreed to award a contract from 1 August 2024 for an initial term of four years
with an option to extend for a further two periods of 12 months, at an estimated cost of £1,000,000 per annum.

Publication date: 13/06/2023

Date of decision: 12/06/2023

Decided at meeting: 12/06/2023 - Children, Families & Schools Committee
"""


def test_decision_date_and_maker_from_labels():
    record = extract_text(PAGE, source="page.txt")
    assert record.decision_date == "2023-06-12"
    assert record.decision_maker == "Children, Young People & Skills Committee"
    assert record.metadata["Publication date"] == "13/06/2023"


def test_maker_from_meeting_line_when_no_label():
    record = extract_text(
        "Issue - meetings\n\nMeeting: 07/02/2018 - Cabinet (Item 98)\n\nText.\n", source="x.txt"
    )
    assert (record.decision_date, record.decision_maker) == ("2018-02-07", "Cabinet")


def test_maker_from_report_header_and_minutes_heading():
    assert (
        extract_text("REPORT TO: Executive Board\nDATE: 18 January 2018\n", source="r.txt").decision_maker
        == "Executive Board"
    )
    minutes = extract_text(
        "Agenda and minutes\n\nCabinet - Tuesday, 6th March, 2018 2.00 pm\n", source="m.txt"
    )
    assert (minutes.decision_date, minutes.decision_maker) == ("2018-03-06", "Cabinet")


def test_decision_due_is_not_a_decision_date():
    record = extract_text(
        "Issue details\n\nDecision due: April 2010 by Leader and Cabinet Member\n", source="i.txt"
    )
    assert record.decision_date is None and record.decision_maker == "Leader and Cabinet Member"


def test_contract_period_and_summary():
    record = extract_text(PAGE, source="page.txt")
    assert record.contract_start == "2024-08-01"
    summary = record.contract
    assert (summary.end_date, summary.max_extent_date) == ("2028-07-31", "2030-07-31")
    assert summary.term_months == 48 and summary.extension_months == 24 and summary.max_months == 72
    assert summary.annual_value == 1_000_000 and summary.total_value == 4_000_000
    assert summary.annualised_by == "stated"


def test_range_gives_start_and_end_and_old_end_is_ignored():
    text = (
        "The existing contract was due to expire on 30th June 2016. RESOLVED that the Portfolio Holder approve a "
        "further award of contract to the existing provider for a nine month period from 1st July 2016 to "
        "31st March 2017.\n"
    )
    record = extract_text(text, source="s.txt")
    assert (record.contract_start, record.contract_end) == ("2016-07-01", "2017-03-31")
    assert record.procurement == ["extension"]
    assert record.contract.procurement_method == "limited"


def test_total_is_annualised_over_the_term():
    record = extract_text(
        "To award the contract for a period of four years with a total contract value of £4,000,000.\n",
        source="t.txt",
    )
    assert record.contract.total_value == 4_000_000
    assert record.contract.annual_value == 1_000_000 and record.contract.annualised_by == "total_over_term"
