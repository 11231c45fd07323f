"""Whole documents of the genres the dev corpus under-represents, labelled by GUIDE.md literally.

The dev set is mostly ModernGov decision pages; the real documents also include committee
reports (often PDF text with "REPORT TO:" headers, numbered sections, finance tables and page
furniture), minutes of meetings with several items, forward-plan and agenda-item pages, officer
decision registers, and papers with no contract at all. Each text below was written fresh in
the shape of such documents (no dev text is copied); the expectations are what the shared
scorer reads: money (amount, per, is_contract_value), durations (months, kind), dates,
decision_date, decision_maker, contract_start/end, procurement and resolutions.

Matching follows the scorer: amounts within 0.5%, resolutions by token F1 >= 0.6, makers by
token F1 >= 0.6; lists are compared in order of appearance (stricter than the scorer's greedy
match, so a wrong or extra mention shows where it is).
"""

from __future__ import annotations

import collections
import re

import pytest

from extract.pipeline import extract_text

# --- committee report as PDF text: header labels, numbered sections, finance table ------------

REPORT_AWARD = """Agenda Item 7

REPORT TO: Cabinet
DATE OF MEETING: 14 March 2023
REPORT OF: Strategic Director of Place
CABINET MEMBER: Councillor Jane Okafor, Cabinet Member for Environment and Climate
WARDS AFFECTED: All Wards
KEY DECISION: Yes

GROUNDS MAINTENANCE SERVICES – AWARD OF CONTRACT

1.0 PURPOSE OF THE REPORT

1.1 To seek approval to award the contract for grounds maintenance services following a
competitive tender process.

2.0 RECOMMENDATIONS

2.1 That Cabinet approves the award of the grounds maintenance services contract to Greenway
Landscapes Ltd for an initial term of five years commencing on 1 April 2023, with an option to
extend for a further two years.

2.2 That Cabinet delegates authority to the Strategic Director of Place, in consultation with
the Cabinet Member for Environment and Climate, to finalise and enter into the contract.

3.0 BACKGROUND

3.1 The current contract with Parkland Services expires on 31 March 2023 and cannot be
extended further.

3.2 The service was advertised on Find a Tender on 12 October 2022 using the open procedure.
Seven tenders were received and evaluated on a 60% quality and 40% price basis.

4.0 FINANCIAL IMPLICATIONS

4.1 The annual contract value is £1.2 million, a total of £6 million over the initial term.

4.2 The table below compares the tendered price with the price paid under the current contract.

Item                                   2023/24
Tendered annual price                  £1,200,000
Saving against 2022/23 price           £150,000

4.3 The saving of £150,000 per year will contribute to the Council's medium term financial
strategy.

5.0 LEGAL IMPLICATIONS

5.1 The procurement has been conducted in accordance with the Public Contracts Regulations
2015 and the Council's Contract Procedure Rules.

Appendix A – Tender evaluation summary (exempt)

Contact Officer: Martin Hughes, Head of Parks, 01632 960441
Page 3 of 14
"""

REPORT_AWARD_GOLD = dict(
    money=[
        (1_200_000, "year", True),
        (6_000_000, "total", True),
        (1_200_000, "year", True),
        (150_000, None, False),
        (150_000, "year", False),
    ],
    durations=[(60, "term"), (24, "extension")],
    dates=["2023-03-14", "2023-04-01", "2023-03-31", "2022-10-12"],
    decision_date="2023-03-14",
    decision_maker="Cabinet",
    contract_start="2023-04-01",
    contract_end=None,  # 31 March 2023 ends the old contract; a new contract is awarded
    procurement={"tender"},
    resolutions=[
        "That Cabinet approves the award of the grounds maintenance services contract to Greenway "
        "Landscapes Ltd for an initial term of five years commencing on 1 April 2023, with an option "
        "to extend for a further two years.",
        "That Cabinet delegates authority to the Strategic Director of Place, in consultation with "
        "the Cabinet Member for Environment and Climate, to finalise and enter into the contract.",
    ],
)

# --- report to a Cabinet Member: label column layout, lettered recommendations, waiver --------

REPORT_EXTENSION = """Report to:        Cabinet Member for Adults and Health
Date:             9 July 2024
Subject:          Extension of Carers' Support Service Contract
Report of:        Assistant Director, Commissioning
Key Decision:     No
Wards:            All

1. Purpose

1.1 This report seeks approval to extend the contract for the Carers' Support Service with
Carers Together for a further 12 months from 1 October 2024 to 30 September 2025, under the
waiver provisions of the Council's Contract Procedure Rules.

2. Recommendations

2.1 The Cabinet Member is recommended to:

(a) approve a waiver of Contract Procedure Rules to permit the extension of the contract with
Carers Together for 12 months from 1 October 2024 to 30 September 2025 at a cost of £310,000;

(b) note that a procurement exercise for a new service will be undertaken during 2025.

3. Background

3.1 The contract was awarded in 2019 for three years with an option to extend for two years,
and both extension years have been used. The contract expires on 30 September 2024.

4. Financial implications

4.1 The cost of the extension, £310,000, will be met from the existing Better Care Fund
allocation of £1.9m for carers' services.

Page 2 of 5
OFFICIAL
"""

REPORT_EXTENSION_GOLD = dict(
    money=[(310_000, None, True), (310_000, None, True), (1_900_000, None, False)],
    durations=[(12, "extension"), (12, "extension"), (36, "term"), (24, "extension")],
    dates=["2024-07-09", "2024-10-01", "2025-09-30", "2024-10-01", "2025-09-30", "2024-09-30"],
    decision_date="2024-07-09",
    decision_maker="Cabinet Member for Adults and Health",
    contract_start="2024-10-01",
    contract_end="2025-09-30",
    procurement={"extension", "exemption"},
    resolutions=[
        "approve a waiver of Contract Procedure Rules to permit the extension of the contract with "
        "Carers Together for 12 months from 1 October 2024 to 30 September 2025 at a cost of £310,000;",
        "note that a procurement exercise for a new service will be undertaken during 2025.",
    ],
)

# --- budget-setting report to full council: no contract at all --------------------------------

REPORT_BUDGET = """Meeting: Full Council
Meeting date: 22 February 2024
Report of: Chief Finance Officer (Section 151 Officer)
Portfolio holder: Leader of the Council
Title: Revenue Budget 2024/25 and Medium Term Financial Strategy

Summary

This report sets out the proposed revenue budget for 2024/25 and the Council Tax requirement.

Recommendation(s):

That Council:

1. approves a net revenue budget of £214.6 million for 2024/25;
2. approves a Band D Council Tax of £1,732.45, an increase of 4.99%;
3. notes the savings of £8.3m identified in Appendix B; and
4. approves the Capital Programme of £96m for 2024/25 to 2027/28.

1. Background

1.1 The Local Government Finance Settlement was published on 5 February 2024 and confirmed a
core spending power increase of 6.5%.

2. Reserves

2.1 The general fund balance is forecast to be £12.4m at 31 March 2024, which is within the
recommended range of 5% to 7% of the net budget.

Appendix A – Budget summary

Service                      2023/24      2024/25
Adult Social Care            £78.2m       £84.9m
Children's Services          £51.6m       £55.0m

Page 4
"""

REPORT_BUDGET_GOLD = dict(
    money=[
        (214_600_000, None, False),
        (1_732.45, None, False),
        (8_300_000, None, False),
        (96_000_000, None, False),
        (12_400_000, None, False),
        (78_200_000, None, False),
        (84_900_000, None, False),
        (51_600_000, None, False),
        (55_000_000, None, False),
    ],
    durations=[],
    dates=["2024-02-22", "2024-02-05", "2024-03-31"],
    decision_date="2024-02-22",
    decision_maker="Full Council",
    contract_start=None,
    contract_end=None,
    procurement=set(),
    resolutions=[
        "approves a net revenue budget of £214.6 million for 2024/25;",
        "approves a Band D Council Tax of £1,732.45, an increase of 4.99%;",
        "notes the savings of £8.3m identified in Appendix B; and",
        "approves the Capital Programme of £96m for 2024/25 to 2027/28.",
    ],
)

# --- minutes of an executive meeting with several items -------------------------------------

MINUTES_EXECUTIVE = """MINUTES of a meeting of the EXECUTIVE held in the Council Chamber, Civic Centre on
Tuesday, 12 September 2023 at 6.00 pm

Present: Councillor A. Brennan (Leader, in the Chair); Councillors P. Dhillon, R. Marsh,
S. Whitfield and K. Yusuf.

Also present: Councillor T. Lowe (Chair of the Overview and Scrutiny Committee).

41. APOLOGIES FOR ABSENCE

Apologies for absence were received from Councillor M. Grant.

42. DECLARATIONS OF INTEREST

Councillor Marsh declared a non-pecuniary interest in Minute 45 as a trustee of the Riverside
Community Trust and left the meeting for that item.

43. MINUTES

RESOLVED that the minutes of the meeting held on 18 July 2023 be approved as a correct record
and signed by the Chair.

44. HOME TO SCHOOL TRANSPORT – DYNAMIC PURCHASING SYSTEM

The Director of Children's Services presented a report seeking approval to establish a dynamic
purchasing system for home to school transport. The system would run for an initial period of
four years from 1 January 2024. Annual spend through the system was estimated at £3.8 million.

RESOLVED:

(1) That the establishment of a Dynamic Purchasing System for home to school transport services
for four years from 1 January 2024 be approved.

(2) That authority be delegated to the Director of Children's Services to award contracts under
the Dynamic Purchasing System.

45. RIVERSIDE COMMUNITY CENTRE – COMMUNITY ASSET TRANSFER

The Executive considered a report on the transfer of the Riverside Community Centre to the
Riverside Community Trust on a 25 year lease at a peppercorn rent. The building currently costs
the Council £42,000 a year to maintain.

RESOLVED that the community asset transfer of Riverside Community Centre to the Riverside
Community Trust on a 25 year lease be approved.

46. BUDGET MONITORING – QUARTER 1 2023/24

The Director of Resources reported a forecast overspend of £1.2m on the general fund, mainly
arising from demand in adult social care.

RESOLVED that the forecast outturn position be noted.

The meeting closed at 7.25 pm.

Chair
"""

MINUTES_EXECUTIVE_GOLD = dict(
    money=[(3_800_000, "year", True), (42_000, "year", False), (1_200_000, None, False)],
    durations=[(48, "term"), (48, "term"), (300, "other"), (300, "other")],
    dates=["2023-09-12", "2023-07-18", "2024-01-01", "2024-01-01"],
    decision_date="2023-09-12",
    decision_maker="Executive",
    contract_start="2024-01-01",
    contract_end=None,
    procurement={"dps"},
    resolutions=[
        "that the minutes of the meeting held on 18 July 2023 be approved as a correct record and "
        "signed by the Chair.",
        "That the establishment of a Dynamic Purchasing System for home to school transport services "
        "for four years from 1 January 2024 be approved.",
        "That authority be delegated to the Director of Children's Services to award contracts under "
        "the Dynamic Purchasing System.",
        "that the community asset transfer of Riverside Community Centre to the Riverside Community "
        "Trust on a 25 year lease be approved.",
        "that the forecast outturn position be noted.",
    ],
)

# --- planning committee minutes: no contract ---------------------------------------------------

MINUTES_PLANNING = """PLANNING COMMITTEE

Minutes of the meeting held on Wednesday 24 January 2024 at 2.00 pm

Present: Councillor D. Ahmed (Chair), Councillors L. Burke, F. Carter, G. Novak and H. Price.

Apologies: Councillor J. Wood.

Declarations of interest: Councillor Burke declared a personal interest in application
23/01842/FUL as she knows the applicant; she took no part in the item.

56. 23/01842/FUL – Land at Mill Lane, Ashby – Erection of 42 dwellings with associated access
and open space

The Principal Planning Officer presented the application. The site extends to 1.8 hectares and
lies outside the settlement boundary. The applicant has offered a financial contribution of
£126,000 towards secondary education and £18,500 towards off-site sports provision under a
Section 106 agreement.

RESOLVED that planning permission be GRANTED subject to the conditions set out in the report
and the completion of a Section 106 agreement by 30 April 2024.

57. 23/02210/HOU – 14 Church Street, Barwell – Two storey rear extension

RESOLVED that planning permission be REFUSED because the extension, by reason of its scale and
a depth of 6 metres, would harm the living conditions of the occupiers of 12 Church Street.

58. APPEALS

The Committee noted that two appeals had been allowed and one dismissed since the last meeting
on 13 December 2023.

The meeting ended at 4.10 pm.
"""

MINUTES_PLANNING_GOLD = dict(
    money=[(126_000, None, False), (18_500, None, False)],
    durations=[],
    dates=["2024-01-24", "2024-04-30", "2023-12-13"],
    decision_date="2024-01-24",
    decision_maker="Planning Committee",
    contract_start=None,
    contract_end=None,
    procurement=set(),
    resolutions=[
        "that planning permission be GRANTED subject to the conditions set out in the report and the "
        "completion of a Section 106 agreement by 30 April 2024.",
        "that planning permission be REFUSED because the extension, by reason of its scale and a depth "
        "of 6 metres, would harm the living conditions of the occupiers of 12 Church Street.",
    ],
)

# --- full council minutes: a motion, appointments, allowances (no contract) ------------------

MINUTES_COUNCIL = """MINUTES OF THE MEETING OF THE COUNCIL HELD ON THURSDAY, 21 SEPTEMBER 2023 AT 7.00 PM

23. NOTICE OF MOTION – COST OF LIVING

It was moved by Councillor Evans and seconded by Councillor Shah that:

"This Council notes that energy prices have risen by over 50% since 2021 and calls on the
Government to extend the Household Support Fund beyond March 2024."

Upon being put to the vote the motion was CARRIED.

RESOLVED that the motion be adopted.

24. APPOINTMENTS TO COMMITTEES AND OUTSIDE BODIES

RESOLVED:

(a) That Councillor R. Hale be appointed to the Audit and Governance Committee for the remainder
of the municipal year.

(b) That Councillor M. Ito be appointed as the Council's representative on the Local Government
Association General Assembly.

25. MEMBERS' ALLOWANCES

RESOLVED that the recommendation of the Independent Remuneration Panel to increase the basic
allowance to £11,250 per year with effect from 1 April 2024 be approved.
"""

MINUTES_COUNCIL_GOLD = dict(
    money=[(11_250, "year", False)],
    durations=[],
    dates=["2023-09-21", "2024-03", "2024-04-01"],
    decision_date="2023-09-21",
    decision_maker="Council",
    contract_start=None,
    contract_end=None,
    procurement=set(),
    resolutions=[
        "that the motion be adopted.",
        "That Councillor R. Hale be appointed to the Audit and Governance Committee for the remainder "
        "of the municipal year.",
        "That Councillor M. Ito be appointed as the Council's representative on the Local Government "
        "Association General Assembly.",
        "that the recommendation of the Independent Remuneration Panel to increase the basic allowance "
        "to £11,250 per year with effect from 1 April 2024 be approved.",
    ],
)

# --- ModernGov "Agenda item" (mgAi): Minutes: then RESOLVED, extension of a contract ----------

AGENDA_ITEM = """Agenda item

Extension of the Highways Term Maintenance Contract

Meeting: 07/02/2023 - Cabinet (Item 98)

Purpose of report: To seek approval to extend the Highways Term Maintenance Contract.

Minutes:

The Cabinet Member for Highways introduced the report, which sought approval to extend the
Highways Term Maintenance Contract with Ringway Infrastructure Services Ltd for two years from
1 April 2023 to 31 March 2025, as permitted under the contract. The contract was let in 2016
for an initial term of seven years, and its current annual value is approximately £9.5 million.

Members asked about the contractor's performance on pothole repairs, and officers confirmed
that all key performance indicators had been met in the last year.

RESOLVED:

That Cabinet:

(a) approves the extension of the Highways Term Maintenance Contract with Ringway
Infrastructure Services Ltd for a period of two years from 1 April 2023 to 31 March 2025;

(b) notes that a re-procurement exercise will begin in spring 2023.

Supporting documents:

Highways Term Maintenance Contract extension report, item 98 PDF 312 KB
Appendix 1 - Performance indicators, item 98 PDF 120 KB
"""

AGENDA_ITEM_GOLD = dict(
    money=[(9_500_000, "year", True)],
    durations=[(24, "extension"), (84, "term"), (24, "extension")],
    dates=["2023-02-07", "2023-04-01", "2025-03-31", "2023-04-01", "2025-03-31"],
    decision_date="2023-02-07",
    decision_maker="Cabinet",
    contract_start="2023-04-01",
    contract_end="2025-03-31",
    procurement={"extension"},
    resolutions=[
        "approves the extension of the Highways Term Maintenance Contract with Ringway Infrastructure "
        "Services Ltd for a period of two years from 1 April 2023 to 31 March 2025;",
        "notes that a re-procurement exercise will begin in spring 2023.",
    ],
)

# --- forward plan "Issue details": planned decision, no decision yet -------------------------

ISSUE_DETAILS = """Issue details

Procurement of an Integrated Sexual Health Service

Decision type: Key
Decision status: For Determination
Wards affected: (All Wards);
Notice of proposed decision first published: 03/01/2024
Decision due: 12 Mar 2024 by Cabinet
Lead member: Cabinet Member for Adult Social Care and Public Health
Lead director: Director of Public Health
Department: Public Health
Contact: Sam Ridley, Commissioning Manager Email: sam.ridley@example.gov.uk.

Consultation process
Service users and providers were consulted between 6 November and 15 December 2023.

Making Representations: Contact the lead officer by 1 March 2024.

Reason for key decision: Expenditure > £500,000

Description: To approve the procurement of an integrated sexual health service through a
competitive tender, for a contract of five years with an option to extend for up to two further
years. The estimated contract value is £2.1 million per annum.
"""

ISSUE_DETAILS_GOLD = dict(
    money=[(500_000, None, False), (2_100_000, "year", True)],
    durations=[(60, "term"), (24, "extension")],
    dates=["2024-01-03", "2024-03-12", "2023-11-06", "2023-12-15", "2024-03-01"],
    decision_date=None,  # "Decision due" is the planned date, not the date it was taken
    decision_maker="Cabinet",
    contract_start=None,
    contract_end=None,
    procurement={"tender"},
    resolutions=[],
)

# --- "Issue - meetings" (ieIssueDetails): Decision:, then the body's items ----------------

ISSUE_MEETINGS = """Issue - meetings

Award of Contract for Supported Living Services

Meeting: 16/11/2023 - Cabinet (Item 7)

7 Award of Contract for Supported Living Services

PDF 410 KB

Decision:

Cabinet:

1. Approved the award of contracts for supported living services to the providers named in the
exempt appendix, for a term of three years from 1 April 2024 with the option to extend for up to
24 months.

2. Delegated authority to the Director of Adult Social Services to agree any extension.

Reasons for decision: A competitive tender was run through the Council's e-tendering portal in
the summer. The contracts have an estimated annual value of £4.6 million. The current arrangements,
which are spot purchased, end on 31 March 2024.

Alternative options considered: To continue spot purchasing placements; rejected because it
gives no price certainty.
"""

ISSUE_MEETINGS_GOLD = dict(
    money=[(4_600_000, "year", True)],
    durations=[(36, "term"), (24, "extension")],
    dates=["2023-11-16", "2024-04-01", "2024-03-31"],
    decision_date="2023-11-16",
    decision_maker="Cabinet",
    contract_start="2024-04-01",
    contract_end=None,
    procurement={"tender"},  # spot purchasing is the old arrangement and the rejected option
    resolutions=[
        "Approved the award of contracts for supported living services to the providers named in the "
        "exempt appendix, for a term of three years from 1 April 2024 with the option to extend for "
        "up to 24 months.",
        "Delegated authority to the Director of Adult Social Services to agree any extension.",
    ],
)

# --- officer (delegated) decision record ------------------------------------------------------

OFFICER_DECISION = """Decision details

Direct award of contract for community equipment service

Decision Maker: Director of Adult Social Care and Health

Decision status: Recommendations Approved

Is Key decision?: No

Is subject to call in?: No

Purpose:

To approve the direct award of a contract to Medequip Assistive Technology Ltd for the community
equipment service for 12 months from 1 April 2024 to 31 March 2025.

Decision:

To approve, under Contract Procedure Rule 12.3 (exemption from the requirement to tender), the
direct award of a contract for the community equipment service to Medequip Assistive Technology
Ltd for 12 months from 1 April 2024 to 31 March 2025 at a total cost of £840,000.

Reasons for the decision:

The existing contract ends on 31 March 2024. A joint procurement with neighbouring authorities
is planned but will not be complete until 2025, and a direct award secures continuity of
service for vulnerable residents.

Alternative options considered and rejected:

To go out to tender for a 12 month contract: rejected because the market would not bid for a
short contract with a mobilisation period of 3 months.

Interests and Dispensations:

None.

Publication date: 05/03/2024

Date of decision: 04/03/2024

Effective from: 13/03/2024
"""

OFFICER_DECISION_GOLD = dict(
    money=[(840_000, "total", True)],
    durations=[(12, "term"), (12, "term"), (12, "term"), (3, "other")],
    dates=[
        "2024-04-01",
        "2025-03-31",
        "2024-04-01",
        "2025-03-31",
        "2024-03-31",
        "2024-03-05",
        "2024-03-04",
        "2024-03-13",
    ],
    decision_date="2024-03-04",
    decision_maker="Director of Adult Social Care and Health",
    contract_start="2024-04-01",
    contract_end="2025-03-31",
    procurement={"direct_award", "exemption"},
    resolutions=[
        "To approve, under Contract Procedure Rule 12.3 (exemption from the requirement to tender), "
        "the direct award of a contract for the community equipment service to Medequip Assistive "
        "Technology Ltd for 12 months from 1 April 2024 to 31 March 2025 at a total cost of £840,000."
    ],
)

# --- a register listing several officer decisions (page_type other) -------------------------

DECISION_REGISTER = """Officer Decisions Register – June 2024

Ref: OD/2024/118
Title: Award of contract for school catering equipment maintenance
Decision taken by: Head of Procurement
Date of decision: 06/06/2024
Decision: To award a contract for the maintenance of school catering equipment to Kitchen Care
Services Ltd for two years from 1 July 2024, with the option to extend for a further 12 months,
at a total contract value of £186,000, following a mini-competition under the YPO catering
equipment framework.

Ref: OD/2024/121
Title: Appointment of local authority school governors
Decision taken by: Director of Education
Date of decision: 12/06/2024
Decision: To appoint the local authority governors listed in the schedule to the governing
bodies of the schools named.

Ref: OD/2024/127
Title: Library management system support
Decision taken by: Head of Libraries
Date of decision: 21/06/2024
Decision: To extend the existing software support contract for the library management system
with Civica UK Ltd for one year from 1 August 2024 at a cost of £34,500 per annum.
"""

DECISION_REGISTER_GOLD = dict(
    money=[(186_000, "total", True), (34_500, "year", True)],
    durations=[(24, "term"), (12, "extension"), (12, "extension")],
    dates=["2024-06", "2024-06-06", "2024-07-01", "2024-06-12", "2024-06-21", "2024-08-01"],
    decision_date="2024-06-06",
    decision_maker="Head of Procurement",
    contract_start="2024-07-01",
    contract_end=None,
    procurement={"mini_competition", "framework", "extension"},
    resolutions=[
        "To award a contract for the maintenance of school catering equipment to Kitchen Care Services "
        "Ltd for two years from 1 July 2024, with the option to extend for a further 12 months, at a "
        "total contract value of £186,000, following a mini-competition under the YPO catering "
        "equipment framework.",
        "To appoint the local authority governors listed in the schedule to the governing bodies of "
        "the schools named.",
        "To extend the existing software support contract for the library management system with "
        "Civica UK Ltd for one year from 1 August 2024 at a cost of £34,500 per annum.",
    ],
)

# --- written after the rules above were fixed, as a check that they generalise ---------------

# Report PDF: running header and footer on every page, inline RECOMMENDATION, 3+1+1 term.
REPORT_PAGES = """Executive – 3 October 2023

Report of the Director of Housing
Decision to be taken by: Executive

RESPONSIVE REPAIRS CONTRACT FOR COUNCIL HOMES

Summary
1. The Council's responsive repairs contract ends on 31 December 2023. This report sets out the
outcome of the restricted procedure run to replace it.

RECOMMENDATION: That the Executive awards the responsive repairs contract to Fixwell Property
Services Ltd for a term of 3+1+1 years, commencing on 1 January 2024, at an annual cost of
£450,000 per annum.

Executive – 3 October 2023                                                   Page 1
Background
2. Four bids were received. The evaluation gave 70% weight to quality and 30% to price.
3. The budget for responsive repairs in 2023/24 is £520,000, so the new contract releases a
saving of £70,000 a year.

Executive – 3 October 2023                                                   Page 2
"""

REPORT_PAGES_GOLD = dict(
    # the repairs budget is the budget of the contract the report is about (GUIDE: value, cost,
    # budget or spend of the contract); the saving is not
    money=[(450_000, "year", True), (520_000, None, True), (70_000, "year", False)],
    durations=[(36, "term"), (12, "extension"), (12, "extension")],
    dates=["2023-10-03", "2023-12-31", "2024-01-01", "2023-10-03", "2023-10-03"],
    decision_date="2023-10-03",
    decision_maker="Executive",
    contract_start="2024-01-01",
    contract_end=None,
    procurement={"tender"},
    resolutions=[
        "That the Executive awards the responsive repairs contract to Fixwell Property Services Ltd "
        "for a term of 3+1+1 years, commencing on 1 January 2024, at an annual cost of £450,000 per "
        "annum."
    ],
)

# ModernGov minutes page: "Cabinet - Wednesday, 15th November, 2023 ..." and Minutes: per item.
MINUTES_PAGE = """Agenda and minutes

Cabinet - Wednesday, 15th November, 2023 10.00 am

Venue: Council Chamber, Town Hall

Items
No. Item

61.

Apologies for Absence

Minutes:

Apologies were received from Councillor Quinn.

62.

Declarations of Interest

Minutes:

None.

63.

Leisure Centres Management Contract pdf icon PDF 220 KB

Minutes:

The Cabinet considered a report on the future management of the borough's three leisure
centres. The current contract with Active Leisure Trust had been extended once and expires on
31 March 2024.

RESOLVED that:

(a) the leisure centres management contract with Active Leisure Trust be extended for a further
six months to 30 September 2024; and

(b) the Director of Communities be authorised to procure a new contract through the Sport
England leisure framework.

64.

Treasury Management Mid-Year Review pdf icon PDF 310 KB

Minutes:

RESOLVED that the treasury management mid-year review be noted.
"""

MINUTES_PAGE_GOLD = dict(
    money=[],
    durations=[(6, "extension")],
    dates=["2023-11-15", "2024-03-31", "2024-09-30"],
    decision_date="2023-11-15",
    decision_maker="Cabinet",
    contract_start=None,
    contract_end="2024-09-30",
    procurement={"extension", "framework"},
    resolutions=[
        "the leisure centres management contract with Active Leisure Trust be extended for a further "
        "six months to 30 September 2024; and",
        "the Director of Communities be authorised to procure a new contract through the Sport England "
        "leisure framework.",
        "that the treasury management mid-year review be noted.",
    ],
)

# A record of an officer decision as a form (PDF): labels with values below them.
OFFICER_FORM = """RECORD OF OFFICER DECISION

Decision taken by:
Head of Strategic Property

Date of decision:
14 February 2024

Title:
Appointment of a multi-disciplinary design team for the Market Hall refurbishment

Decision:
To call off a contract with Arcadis LLP from the Crown Commercial Service Project Management and
Full Design Team Services framework (RM6165) by direct award, for 18 months, at a fee not
exceeding £265,000.

Reasons for decision:
The framework allows direct award and the supplier has the capacity to start in March 2024.

Alternative options considered:
An open tender was considered but would delay the project by at least four months.

Conflicts of interest: None declared.
"""

OFFICER_FORM_GOLD = dict(
    money=[(265_000, None, True)],
    durations=[(18, "term")],
    dates=["2024-02-14", "2024-03"],
    decision_date="2024-02-14",
    decision_maker="Head of Strategic Property",
    contract_start=None,
    contract_end=None,
    procurement={"framework", "direct_award"},
    resolutions=[
        "To call off a contract with Arcadis LLP from the Crown Commercial Service Project Management "
        "and Full Design Team Services framework (RM6165) by direct award, for 18 months, at a fee not "
        "exceeding £265,000."
    ],
)

DOCUMENTS = {
    "report-award": (REPORT_AWARD, None, REPORT_AWARD_GOLD),
    "report-extension": (REPORT_EXTENSION, None, REPORT_EXTENSION_GOLD),
    "report-budget": (REPORT_BUDGET, None, REPORT_BUDGET_GOLD),
    "minutes-executive": (MINUTES_EXECUTIVE, None, MINUTES_EXECUTIVE_GOLD),
    "minutes-planning": (MINUTES_PLANNING, None, MINUTES_PLANNING_GOLD),
    "minutes-council": (MINUTES_COUNCIL, None, MINUTES_COUNCIL_GOLD),
    "agenda-item": (
        AGENDA_ITEM,
        "https://democracy.example.gov.uk/mgAi.aspx?ID=4821",
        AGENDA_ITEM_GOLD,
    ),
    "issue-details": (
        ISSUE_DETAILS,
        "https://democracy.example.gov.uk/mgIssueHistoryHome.aspx?IId=30551",
        ISSUE_DETAILS_GOLD,
    ),
    "issue-meetings": (
        ISSUE_MEETINGS,
        "https://democracy.example.gov.uk/ieIssueDetails.aspx?IId=29871&Opt=3",
        ISSUE_MEETINGS_GOLD,
    ),
    "officer-decision": (
        OFFICER_DECISION,
        "https://democracy.example.gov.uk/ieDecisionDetails.aspx?ID=7312",
        OFFICER_DECISION_GOLD,
    ),
    "decision-register": (DECISION_REGISTER, None, DECISION_REGISTER_GOLD),
    "report-pages": (REPORT_PAGES, None, REPORT_PAGES_GOLD),
    "minutes-page": (
        MINUTES_PAGE,
        "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=133&MId=9120",
        MINUTES_PAGE_GOLD,
    ),
    "officer-form": (OFFICER_FORM, None, OFFICER_FORM_GOLD),
}
FIELDS = (
    "money",
    "durations",
    "dates",
    "decision_date",
    "decision_maker",
    "contract_start",
    "contract_end",
    "procurement",
    "resolutions",
)
_records: dict[str, object] = {}


def record_for(name: str):
    if name not in _records:
        text, url, _ = DOCUMENTS[name]
        _records[name] = extract_text(text, source=f"{name}.txt", url=url)
    return _records[name]


def _tokens(text: str) -> collections.Counter:
    return collections.Counter(re.findall(r"[a-z0-9£]+", (text or "").lower()))


def token_f1(a: str, b: str) -> float:
    """The scorer's resolution and decision-maker match."""
    ta, tb = _tokens(a), _tokens(b)
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    p, r = common / sum(tb.values()), common / sum(ta.values())
    return 2 * p * r / (p + r)


def predicted(record, field: str):
    if field == "money":
        return [(round(m.amount, 2), m.per, m.is_contract_value) for m in record.money]
    if field == "durations":
        return [(m.months, m.kind) for m in record.durations]
    if field == "dates":
        return [m.date for m in record.dates]
    if field == "procurement":
        return set(record.procurement)
    if field == "resolutions":
        return [r.text for r in record.resolutions]
    return getattr(record, field)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_genre_document(name, field):
    expected = DOCUMENTS[name][2][field]
    got = predicted(record_for(name), field)
    if field == "resolutions":
        assert len(got) == len(expected), got
        for want, have in zip(expected, got, strict=True):
            assert token_f1(want, have) >= 0.6, (want, have)
    elif field == "decision_maker":
        assert (got is None) == (expected is None), got
        assert expected is None or token_f1(expected, got) >= 0.6, got
    elif field == "money":
        assert len(got) == len(expected), got
        for want, have in zip(expected, got, strict=True):
            assert have[1:] == want[1:] and abs(have[0] - want[0]) <= 0.005 * want[0], (want, have)
    else:
        assert got == expected


@pytest.mark.parametrize("name", ["report-budget", "minutes-planning", "minutes-council"])
def test_no_contract_summary_without_a_contract(name):
    """Precision on papers that decide no contract: the summary holds no invented value or term."""
    contract = record_for(name).contract
    assert (contract.annual_value, contract.total_value, contract.term_months) == (None, None, None)


# --- the whole-document rules, one shape at a time --------------------------------------------


@pytest.mark.parametrize(
    "text, date, maker",
    [
        (
            "MINUTES of a meeting of the LICENSING COMMITTEE held at the Guildhall on Monday, "
            "4 March 2024 at 10.00 am\n\nPresent: Councillor B. Lane (Chair)\n",
            "2024-03-04",
            "LICENSING COMMITTEE",
        ),
        (
            "Minutes of the Extraordinary Meeting of the Council held on 11 July 2022\n\n1. Apologies\n",
            "2022-07-11",
            "Council",
        ),
        (
            "SCRUTINY PANEL\n\nMinutes of the meeting held remotely on Thursday 2 June 2022\n",
            "2022-06-02",
            "SCRUTINY PANEL",
        ),
        (
            "Audit Committee – 27 September 2023\n\nReport of the Chief Internal Auditor\n",
            "2023-09-27",
            "Audit Committee",
        ),
        # an agenda item that approves an earlier meeting's minutes: that date is not this decision's
        (
            "Agenda item\n\nMinutes of the Meeting held on 3 May 2023.\n\nMinutes:\n\nThe minutes were "
            "confirmed as a correct record.\n",
            None,
            None,
        ),
    ],
)
def test_meeting_date_and_body_from_minutes_and_report_headings(text, date, maker):
    record = extract_text(text, source="x.txt")
    assert (record.decision_date, record.decision_maker) == (date, maker)


def test_a_long_last_item_without_a_full_stop_is_not_a_minute_heading():
    text = (
        "RESOLVED:\n\n1. That the contract be extended by a further year.\n\n"
        "2. That the extension is linked to performance remaining at or above the targets set out "
        "in the report and that this is reviewed every year with the provider\n\n"
        "Publication date: 01/02/2024\n"
    )
    assert len(extract_text(text, source="x.txt").resolutions) == 2


@pytest.mark.parametrize(
    "text, routes",
    [
        ("The existing contract expires on 31 March 2025 and cannot be extended further.", set()),
        (
            "The Council agreed to extend the existing grounds maintenance contract for one year.",
            {"extension"},
        ),
        ("The current placements, which are spot purchased, cost more than block beds.", set()),
        ("A collaborative procurement with neighbouring councils is planned for 2026.", set()),
    ],
)
def test_routes_of_other_arrangements_do_not_count(text, routes):
    assert set(extract_text(text, source="x.txt").procurement) == routes
