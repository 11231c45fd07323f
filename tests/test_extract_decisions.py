"""Adversarial whole-block cases: where a resolutions block starts and ends, how it splits into
items, and which date and body are the decision's (GUIDE: resolutions, decision_date/maker).

Expected values follow the GUIDE's literal definitions: one string per numbered, lettered, roman
or bulleted item without its marker, wording verbatim with whitespace collapsed; the decision date
is the date the decision was taken (not the publication date); null when unstated.
"""

import pytest

from extract.pipeline import extract_text


def _resolutions(text):
    # Record texts stay exact substrings of the page; the GUIDE compares them whitespace-collapsed.
    return [" ".join(r.text.split()) for r in extract_text(text, source="case.txt").resolutions]


def _record(text):
    record = extract_text(text, source="case.txt")
    # The maker is kept as printed ("CABINET"); the scorer compares it case-insensitively.
    return record.decision_date, record.decision_maker and record.decision_maker.lower()


RESOLUTION_CASES = [
    (
        "reasons_for_decision",
        "Decision:\n\n1. To approve the award of the cleaning contract.\n2. To note the savings.\n\n"
        "Reason(s) for decision:\n\nThe current contract expires shortly.\n",
        ["To approve the award of the cleaning contract.", "To note the savings."],
    ),
    (
        "alternative_options",
        "RESOLVED: That the contract for grounds maintenance be awarded to Green Ltd.\n\n"
        "Alternative options considered\n\nTo do nothing was rejected.\n",
        ["That the contract for grounds maintenance be awarded to Green Ltd."],
    ),
    (
        "reasons_for_the_decision",
        "RESOLVED that:\n\n(a) the report be noted; and\n(b) the Director be authorised to award the contract.\n\n"
        "Reasons for the decision\n\nTo secure continuity of service.\n",
        ["the report be noted; and", "the Director be authorised to award the contract."],
    ),
    (
        "background",
        "Decision Made:\n\nThe Cabinet Member approved the extension of the contract for 12 months.\n\n"
        "Background\n\nThe service supports 200 families.\n",
        ["The Cabinet Member approved the extension of the contract for 12 months."],
    ),
    (
        "options_rejected",
        "Decision:\n\nTo approve the procurement of a new framework for home care.\n\n"
        "Options considered and rejected\n\nExtending the old framework was rejected.\n",
        ["To approve the procurement of a new framework for home care."],
    ),
    (
        "declarations",
        "RESOLVED – That the minutes of the meeting held on 3 May 2023 be approved as a correct record.\n\n"
        "Declarations of interest\n\nThere were none.\n",
        ["That the minutes of the meeting held on 3 May 2023 be approved as a correct record."],
    ),
    (
        "minutes_label",
        "Decision:\n\nThat the Leisure Strategy be adopted.\n\nMinutes:\n\nThe Cabinet Member introduced the report.\n",
        ["That the Leisure Strategy be adopted."],
    ),
    (
        "next_agenda_item",
        "45.\tLibrary Opening Hours\n\nThe Committee considered the report.\n\n"
        "RESOLVED: That the revised opening hours be approved.\n\n"
        "46.\tAir Quality Action Plan\n\nMembers discussed the monitoring data at length.\n",
        ["That the revised opening hours be approved."],
    ),
    (
        "report_author",
        "Decision:\n\n1. Approve the waiver of contract procedure rules.\n2. Delegate authority to the Head of Legal.\n\n"
        "Report author: Jane Smith\n",
        ["Approve the waiver of contract procedure rules.", "Delegate authority to the Head of Legal."],
    ),
    (
        "publication_date",
        "Decision:\n\nThe Executive agreed to extend the contract with Acme Ltd by one year.\n\n"
        "Publication date: 14/03/2022\n",
        ["The Executive agreed to extend the contract with Acme Ltd by one year."],
    ),
    (
        "nested_numbered_lettered",
        "RESOLVED:\n\n(1) That the Cabinet:\n(a) approves the business case; and\n(b) agrees the budget of £2m.\n"
        "(2) That the Director be authorised to award the contract.\n\nReasons for decision\n\nNeeded.\n",
        [
            "That the Cabinet:",
            "approves the business case; and",
            "agrees the budget of £2m.",
            "That the Director be authorised to award the contract.",
        ],
    ),
    (
        "roman_dotted",
        "RESOLVED that the Committee:\n\ni. notes the progress made;\nii. approves the revised timetable; and\n"
        "iii. agrees to receive a further report.\n\nReport author: A Person\n",
        [
            "notes the progress made;",
            "approves the revised timetable; and",
            "agrees to receive a further report.",
        ],
    ),
    (
        "bullets_dot",
        "Decision:\n\n• Approved the award of the contract to Beta Ltd.\n• Noted the financial implications.\n\n"
        "Reasons for decision\n\nBest value.\n",
        ["Approved the award of the contract to Beta Ltd.", "Noted the financial implications."],
    ),
    (
        "bullets_middle_dot",
        "Decision Made:\n\n·       To award the contract for school transport.\n"
        "·       To delegate the contract signature to the Director.\n\nAlternative options considered\n\nNone.\n",
        [
            "To award the contract for school transport.",
            "To delegate the contract signature to the Director.",
        ],
    ),
    (
        "bullets_hyphen",
        "RESOLVED:\n\n- That the report be noted.\n- That the action plan be approved.\n\nBackground\n\nText.\n",
        ["That the report be noted.", "That the action plan be approved."],
    ),
    (
        "bullets_en_dash",
        "The Committee RESOLVED to:\n\n– approve the fees and charges for 2024/25;\n"
        "– note the consultation responses.\n\nReport author: B Jones\n",
        ["approve the fees and charges for 2024/25;", "note the consultation responses."],
    ),
    (
        "wrapped_items",
        "RESOLVED:\n\n1. That the Director of Place be authorised to award a contract for\n"
        "highway maintenance to the preferred bidder following the tender; and\n"
        "2. That the Head of Legal Services be authorised to complete the\ncontract documentation.\n\n"
        "Reasons for decision\n\nText.\n",
        [
            "That the Director of Place be authorised to award a contract for highway maintenance to the "
            "preferred bidder following the tender; and",
            "That the Head of Legal Services be authorised to complete the contract documentation.",
        ],
    ),
    (
        "resolved_dash_that_items",
        "RESOLVED – That:\n\n1. the Housing Strategy be approved;\n2. the action plan be noted.\n\n"
        "Declarations of interest\n\nNone.\n",
        ["the Housing Strategy be approved;", "the action plan be noted."],
    ),
    (
        "resolved_unanimously",
        "RESOLVED: (unanimously) That the application be refused for the reasons set out in the report.\n\n"
        "Publication date: 01/02/2024\n",
        ["That the application be refused for the reasons set out in the report."],
    ),
    (
        "committee_resolved_to",
        "The Committee RESOLVED to:\n\n1. approve the Annual Governance Statement;\n"
        "2. note the internal audit opinion.\n\nMinutes:\n\nDiscussion.\n",
        ["approve the Annual Governance Statement;", "note the internal audit opinion."],
    ),
    (
        "decision_single_paragraph",
        "DECISION:\n\nThe Cabinet Member for Finance approved the write-off of debts totalling £12,400 as "
        "set out in the exempt appendix.\n\nReasons for the decision\n\nThe debts are irrecoverable.\n",
        [
            "The Cabinet Member for Finance approved the write-off of debts totalling £12,400 as set out in "
            "the exempt appendix."
        ],
    ),
    (
        "recommendations_to_cabinet",
        "Recommendation(s) to Cabinet:\n\n1. That Cabinet approves the Capital Programme.\n"
        "2. That Cabinet notes the risks.\n\nBackground\n\nText.\n",
        ["That Cabinet approves the Capital Programme.", "That Cabinet notes the risks."],
    ),
    (
        "that_cabinet",
        "That Cabinet:\n\n(a) agrees the award of the contract to Gamma Ltd;\n(b) notes the procurement route.\n\n"
        "Options considered and rejected\n\nNone.\n",
        ["agrees the award of the contract to Gamma Ltd;", "notes the procurement route."],
    ),
    (
        "several_blocks_in_minutes",
        "CABINET\n\nMinutes of the meeting held on Tuesday, 5 March 2024\n\n"
        "12.\tBudget Monitoring\n\nThe Cabinet Member presented the report.\n\nRESOLVED:\n\n"
        "1. That the forecast position be noted.\n2. That the virements be approved.\n\n"
        "13.\tWaste Collection Contract\n\nThe Director outlined the tender results.\n\n"
        "RESOLVED: That the contract be awarded to Delta Ltd.\n\n"
        "14.\tHousing Allocations Policy\n\nMembers asked about waiting lists.\n\n"
        "RESOLVED:\n\n(a) That the policy be adopted.\n(b) That a review be held in 12 months.\n",
        [
            "That the forecast position be noted.",
            "That the virements be approved.",
            "That the contract be awarded to Delta Ltd.",
            "That the policy be adopted.",
            "That a review be held in 12 months.",
        ],
    ),
    (
        "resolved_in_prose",
        "Background\n\nThe issue was resolved with the supplier in 2019 and the contract continued.\n"
        "Officers have resolved to keep the matter under review.\n",
        [],
    ),
    (
        "resolved_in_prose_before_block",
        "The complaint was resolved informally last year.\n\nDecision:\n\nTo approve the new complaints policy.\n\n"
        "Reasons for decision\n\nText.\n",
        ["To approve the new complaints policy."],
    ),
    (
        "sub_items_roman_in_parentheses",
        "RESOLVED:\n\n1. That the Director be authorised to:\n(i) award the contract; and\n(ii) sign the lease.\n"
        "2. That the report be noted.\n\nReport author: C Doe\n",
        [
            "That the Director be authorised to:",
            "award the contract; and",
            "sign the lease.",
            "That the report be noted.",
        ],
    ),
    (
        "resolved_mid_sentence",
        "It was RESOLVED that the report be noted.\n\nThe meeting ended at 8pm.\n",
        ["the report be noted."],
    ),
    (
        "resolved_lower_case_after_it_was",
        "Following debate it was resolved that the scheme be deferred to the next meeting.\n",
        ["the scheme be deferred to the next meeting."],
    ),
    (
        "paragraph_numbers_then_narrative_section",
        "RESOLVED:\n\n1.1 That the Cabinet approves the award.\n1.2 That the Cabinet notes the risks.\n\n"
        "2. Background\n\n2.1 The service began in 2010.\n",
        ["That the Cabinet approves the award.", "That the Cabinet notes the risks."],
    ),
    (
        "lead_in_then_roman_parenthesis",
        "RESOLVED:\n\nThat the Committee:\n\ni) notes the report;\nii) agrees the plan.\n\nPublication date: 3/3/2023\n",
        ["notes the report;", "agrees the plan."],
    ),
    (
        "recommendations_heading_then_report_sections",
        "Recommendations\n\nThat Cabinet:\n\n1. approves the strategy;\n2. delegates authority to the Director.\n\n"
        "1. Purpose of report\n\n1.1 This report sets out the strategy.\n",
        ["approves the strategy;", "delegates authority to the Director."],
    ),
    (
        # as labelled in the corpus (seeds): bullets under a numbered item belong to that item
        "bullets_under_numbered_item",
        "Decision Made:\n\n1. To award the contract:\n\n   - for a term of 3 years;\n   - with a 1 year extension.\n\n"
        "2. To note the report.\n\nReasons for decision:\nText\n",
        # GUIDE, hard cases: "Bulleted and roman-numbered sub-items are resolution items of their own."
        [
            "To award the contract:",
            "for a term of 3 years;",
            "with a 1 year extension.",
            "To note the report.",
        ],
    ),
    (
        "agenda_item_number_ends_block",
        "7. Fees and Charges\n\nRESOLVED: That the fees and charges be approved.\n\n"
        "8. Treasury Management\n\nThe report was presented by the Section 151 Officer.\n",
        ["That the fees and charges be approved."],
    ),
]


@pytest.mark.parametrize(
    "text,expected", [c[1:] for c in RESOLUTION_CASES], ids=[c[0] for c in RESOLUTION_CASES]
)
def test_resolution_blocks(text, expected):
    assert _resolutions(text) == expected


ROLE_CASES = [
    (
        "date_of_decision_label",
        "Decision details\n\nDecision Maker: Cabinet Member for Adult Social Care\n\n"
        "Date of decision: 12/10/2022\n\nDecision:\n\nTo approve the contract.\n",
        ("2022-10-12", "Cabinet Member for Adult Social Care"),
    ),
    (
        "decided_at_meeting",
        "Decision details\n\nDecided at meeting: 19/11/2019 - Cabinet\n\nDecision:\n\nApproved.\n",
        ("2019-11-19", "Cabinet"),
    ),
    (
        "decided_at_meeting_executive_board",
        "Decision details\n\nDecided at meeting: 18/01/2018 - Executive Board\n\nPublication date: 22/01/2018\n",
        ("2018-01-18", "Executive Board"),
    ),
    (
        "meeting_with_item",
        "Issue - meetings\n\nMeeting: 07/02/2018 - Cabinet (Item 98)\n\nRESOLVED: That the report be noted.\n",
        ("2018-02-07", "Cabinet"),
    ),
    (
        "date_label_long_form",
        "Decision Maker: Planning Committee\n\nDate: Tuesday 5th March 2024\n\nRESOLVED: That permission be granted.\n",
        ("2024-03-05", "Planning Committee"),
    ),
    (
        "publication_date_is_not_decision_date",
        "Decision maker(s): Director of Children and Families\n\nPublication date: 20/06/2023\n\n"
        "Decision:\n\nTo award the contract.\n",
        (None, "Director of Children and Families"),
    ),
    (
        "publication_after_date_of_decision",
        "Publication date: 20/06/2023\n\nDate of decision: 15/06/2023\n\nDecision Maker: Cabinet\n",
        ("2023-06-15", "Cabinet"),
    ),
    (
        "report_header_date_not_publication_date",
        "Cabinet – 12 March 2024\n\nReport title: Waste Strategy\n\nPublication date: 20/03/2024\n",
        ("2024-03-12", "Cabinet"),
    ),
    (
        "report_to_and_date_labels",
        "Report to: Cabinet\nDate: 14 February 2023\nPublication date: 20 February 2023\n",
        ("2023-02-14", "Cabinet"),
    ),
    (
        "cabinet_member_in_text",
        "Individual Cabinet Member Decision\n\nAs Cabinet Member for Housing, I agree to the award of the contract.\n",
        (None, "Cabinet Member for Housing"),
    ),
    (
        "labels_with_values_below",
        "Decision maker:\n\nExecutive Director of Adult Services\n\nDecision date:\n\n04/05/2021\n",
        ("2021-05-04", "Executive Director of Adult Services"),
    ),
    (
        "no_date_no_maker",
        "The service has been delivered under a contract since 2015 and is valued at £200,000 per year.\n",
        (None, None),
    ),
    (
        "minutes_headed_cabinet",
        "CABINET\n\nMinutes of the meeting held on Tuesday, 5 March 2024 at 6.00 pm\n\n"
        "1. Apologies\n\nNone.\n",
        ("2024-03-05", "Cabinet"),
    ),
    (
        "decision_maker_officer_title",
        "Decision Maker: Strategic Director of Place\n\nDate of decision: 3 April 2023\n",
        ("2023-04-03", "Strategic Director of Place"),
    ),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in ROLE_CASES], ids=[c[0] for c in ROLE_CASES])
def test_decision_date_and_maker(text, expected):
    date, maker = expected
    assert _record(text) == (date, maker and maker.lower())
