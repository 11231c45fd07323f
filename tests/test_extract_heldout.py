"""Held-out checks: council-style phrases written fresh from GUIDE.md's definitions and the
research note's tables (§3.4, §4.3-4.7), not from the dev corpus the rules were tuned on.

Each expected value follows the GUIDE literally (money per/qualifier vocabularies, duration
kinds and compounds, date shapes and non-dates, the route vocabulary, the resolution triggers).
"""

import pytest

from extract.analysis import analyse
from extract.pipeline import extract_text


def money(text):
    return [(v["amount"], v["per"], v["qualifier"]) for _, _, _, v in analyse(text).spans["money"]]


def durations(text):
    return [(v["months"], v["kind"]) for _, _, _, v in analyse(text).spans["durations"]]


def dates(text):
    return [v["date"] for _, _, _, v in analyse(text).spans["dates"]]


def routes(text):
    return {v["route"] for _, _, _, v in analyse(text).spans["routes"]}


def resolutions(text):
    return [t for _, _, t, _ in analyse(text).spans["resolutions"]]


# --- money: amount, per, qualifier -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # per: year
        ("The contract is valued at £45,000 per annum.", (45_000, "year", None)),
        ("The service will cost £2m a year to deliver.", (2_000_000, "year", None)),
        ("The provider is paid £30,000 annually.", (30_000, "year", None)),
        ("an annual contract value of £250,000", (250_000, "year", None)),
        ("a contract price of £1.2m p.a. for the service", (1_200_000, "year", None)),
        ("a fee of £120,000 per annum (excluding VAT)", (120_000, "year", None)),
        ("a cost of £85,000 each year", (85_000, "year", None)),
        ("The yearly charge is £64,000 for the licence.", (64_000, "year", None)),
        # per: month / week / day / hour
        ("The provider is paid £5,000 per month.", (5_000, "month", None)),
        ("a monthly fee of £4,200 for the service", (4_200, "month", None)),
        ("at a cost of £650 per week for each placement", (650, "week", None)),
        ("a weekly rate of £1,150 for residential care", (1_150, "week", None)),
        ("emergency beds at £180 per night", (180, "day", None)),
        ("the interim manager is paid £550 a day", (550, "day", None)),
        ("a daily rate of £425 for the interim role", (425, "day", None)),
        ("care workers will be paid £18.50 per hour", (18.5, "hour", None)),
        ("the agreed rate of £21.30 an hour", (21.3, "hour", None)),
        # per: unit
        ("a price of £1,200 per placement", (1_200, "unit", None)),
        ("a charge of £45 per household for the collection", (45, "unit", None)),
        ("funding of £3,500 per child for the programme", (3_500, "unit", None)),
        ("a cost of £12,000 per unit for the modular homes", (12_000, "unit", None)),
        ("a rate of £900 per bed for the contract", (900, "unit", None)),
        # per: total
        ("a total contract value of £3.2 million", (3_200_000, "total", None)),
        ("an aggregate value of £1.5m over the contract", (1_500_000, "total", None)),
        ("an overall budget of £600,000 for the contract", (600_000, "total", None)),
        ("The contract is worth £35m over ten years.", (35_000_000, "total", None)),
        ("a contract value of £4m across the five years", (4_000_000, "total", None)),
        ("£2.4m over the life of the contract", (2_400_000, "total", None)),
        ("a total estimated value of £900,000", (900_000, "total", "approx")),
        # qualifiers
        ("a contract value of up to £500,000", (500_000, None, "max")),
        ("a contract sum not exceeding £250,000", (250_000, None, "max")),
        ("spend on the contract capped at £80,000", (80_000, None, "max")),
        ("a ceiling of £2m for the framework", (2_000_000, None, "max")),
        ("the contract will cost no more than £40,000", (40_000, None, "max")),
        ("a contract value in the region of £400,000", (400_000, None, "approx")),
        ("a contract value of approximately £1.1m", (1_100_000, None, "approx")),
        ("the contract will cost around £75,000", (75_000, None, "approx")),
        ("a contract value of circa £3m", (3_000_000, None, "approx")),
        ("a contract value of c.£2m", (2_000_000, None, "approx")),
        ("a contract value of c. £2m", (2_000_000, None, "approx")),
        ("the contract value is estimated at £600k", (600_000, None, "approx")),
        ("an estimated £90,000 for the contract", (90_000, None, "approx")),
        ("contracts worth at least £10,000", (10_000, None, "min")),
        ("contracts with a value over £100,000", (100_000, None, "min")),
        ("contracts valued at more than £1m", (1_000_000, None, "min")),
        ("a contract in excess of £5m", (5_000_000, None, "min")),
        ("Financial Impact>£500K", (500_000, None, "min")),
        # written forms
        ("a contract worth 1.2 million pounds", (1_200_000, None, None)),
        ("a contract value of GBP 4.5 million", (4_500_000, None, None)),
        ("a contract value of £ 250,000", (250_000, None, None)),
        ("a programme of £2.5bn", (2_500_000_000, None, None)),
        ("a contract value of £0.5m", (500_000, None, None)),
        ("a contract value of £850K", (850_000, None, None)),
        ("a contract value of £1.75 million", (1_750_000, None, None)),
        ("a contract value of £3 billion", (3_000_000_000, None, None)),
        ("a contract value of £12.50", (12.5, None, None)),
        ("a contract value of £60 thousand", (60_000, None, None)),
    ],
)
def test_money(text, expected):
    assert money(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a budget of £100k-£150k", [100_000, 150_000]),
        ("a cost of between £1.5m and £2m", [1_500_000, 2_000_000]),
        ("between £1.5 and £2 million", [1_500_000, 2_000_000]),
        ("a value of £200,000 to £300,000", [200_000, 300_000]),
    ],
)
def test_money_ranges_give_two_amounts(text, expected):
    assert [m[0] for m in money(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Evaluation was 70% quality and 30% price.",
        "Section 106 of the Town and Country Planning Act 1990",
        "an inflationary uplift of 3.5% from April",
        "2,500 households will receive the service",
        "Item 98 on the agenda",
        "a site of 1.2 hectares",
        "the 2023/24 financial year",
        "paragraph 3.4 of the report",
    ],
)
def test_not_money(text):
    assert money(text) == []


@pytest.mark.parametrize(
    "text, contract_value",
    [
        ("Cabinet approved the award of the contract to Acme Ltd at a value of £1.2m.", True),
        ("The estimated cost of the new contract is £400,000 per annum.", True),
        ("The framework has a total value of £6m over four years.", True),
        ("This is a key decision because expenditure exceeds £500,000.", False),
        ("The new arrangements will deliver savings of £150,000 per year.", False),
        ("The Council publishes all payments in excess of £500.", False),
        ("The service has an overspend of £200,000 this year.", False),
        ("The contract is funded from a government grant of £300,000.", False),
        ("Key Decision – Financial Impact>£500K", False),
        ("The contract was awarded to Acme Ltd at a value of £1.2m.", True),
        ("The consultancy fees for the project will be £20,000.", False),
        ("The Council will receive income of £50,000 per year from the concession.", False),
    ],
)
def test_contract_value_role(text, contract_value):
    found = [v["is_contract_value"] for _, _, _, v in analyse(text).spans["money"]]
    assert found == [contract_value]


# --- durations: months, kind, compounds; non-durations ----------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("to award a contract for a nine month period", [(9, "term")]),
        ("to award a six-month contract", [(6, "term")]),
        ("to award an 18-month contract", [(18, "term")]),
        ("to award a two-year contract", [(24, "term")]),
        ("to award a contract for five (5) years", [(60, "term")]),
        ("to award a contract for 26 weeks", [(6.0, "term")]),
        ("to award a contract for 90 days", [(3.0, "term")]),
        ("a contract for 3 years with an optional 2 year extension", [(36, "term"), (24, "extension")]),
        ("a 2+1+1 year contract", [(24, "term"), (12, "extension"), (12, "extension")]),
        ("a contract term of 3 + 2 years", [(36, "term"), (24, "extension")]),
        (
            "an initial term of three years, with the option to extend for up to a further 24 months",
            [(36, "term"), (24, "extension")],
        ),
        (
            "a five year contract with the option to extend by two years",
            [(60, "term"), (24, "extension")],
        ),
        (
            "an initial two year contract with the option of two further one year extensions",
            [(24, "term"), (12, "extension"), (12, "extension")],
        ),
        ("the contract includes extensions of 2 years plus one", [(24, "extension"), (12, "extension")]),
        ("to extend the existing contract for a further 12 months", [(12, "extension")]),
        ("a 12 month extension to the current contract", [(12, "extension")]),
        ("the contract may be extended for up to 2 x 12 months", [(12, "extension"), (12, "extension")]),
        ("a contract with a three month notice period", [(3, "other")]),
        ("a lease of 25 years on the building", [(300, "other")]),
        ("a mobilisation period of 8 weeks is included in the contract", [(1.8, "other")]),
        ("a six month pilot of the service", [(6, "other")]),
        # wrapped lines and "N further years" (Merton, mgDecisionDetails.aspx?IId=25028)
        ("award term contracts for a period of 4\nyears to the contractors", [(48, "term")]),
        ("the option to extend the contract for up to three further years", [(36, "extension")]),
    ],
)
def test_durations(text, expected):
    assert durations(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "services for children aged 5 to 11 years",
        "residents over 65 years of age",
        "support for an 18 year old care leaver",
        "accommodation for 18-year-olds leaving care",
        "young people up to 25 years of age",
        "sites within 5 miles of the depot",
        "the service started 15 years ago",
        "the provider has held the contract since 2008",
        "over the next few years the service will change",
        "in the medium to longer term",
        "the 2019/20 financial year",
        "the contract commenced on 1 April 2019",
        "in the last 3 years the Council has spent more on the service",
        "a 10 minute walk from the service",
    ],
)
def test_not_durations(text):
    assert durations(text) == []


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("signed on 29.04.21", ["2021-04-29"]),
        ("with effect from 01April 2022", ["2022-04-01"]),
        ("from the 1st of April 2019", ["2019-04-01"]),
        ("from 1 April 2021 to 31 March 2024", ["2021-04-01", "2024-03-31"]),
        ("1st July 2016 - 30th June 2019", ["2016-07-01", "2019-06-30"]),
        ("from 1 April to 30 September 2020", ["2020-04-01", "2020-09-30"]),
        ("from April 2022 to March 2025", ["2022-04", "2025-03"]),
        ("Wednesday 18 January 2018", ["2018-01-18"]),
        ("on 18th Jan 2018", ["2018-01-18"]),
        ("on January 18, 2018", ["2018-01-18"]),
        ("dated 2019-11-19", ["2019-11-19"]),
        ("dated 19-11-2019", ["2019-11-19"]),
        ("dated 19/11/19", ["2019-11-19"]),
        ("from Sept 2020", ["2020-09"]),
        ("by 31st March, 2017", ["2017-03-31"]),
        ("by 31 Mar. 2017", ["2017-03-31"]),
        ("in November 2019", ["2019-11"]),
        ("by the end of March 2020", ["2020-03"]),
    ],
)
def test_dates(text, expected):
    assert dates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the 2018/19 budget",
        "the 2018-19 budget",
        "the 2018/2019 financial year",
        "FY 2020/21",
        "in early 2016",
        "in Spring 2025",
        "in late 2019",
        "by Q3 2021",
        "in the summer of 2022",
        "in 2012",
        "by the end of 2023",
        "paragraph 3.4.1 of the report",
        "a score of 31.5%",
        "application 12/3456/FUL",
        "at 10.30 am",
        "Winter 2023/24",
    ],
)
def test_not_dates(text):
    assert dates(text) == []


# --- procurement routes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The contract was procured following an open tender process.", {"tender"}),
        ("Approval to undertake a competitive tendering exercise.", {"tender"}),
        ("The procurement will use the restricted procedure.", {"tender"}),
        ("Approve the issue of an Invitation to Tender.", {"tender"}),
        ("Cabinet agreed to retender the service.", {"tender"}),
        ("A call-off from the YPO framework.", {"framework"}),
        ("To procure via the ESPO Framework Agreement.", {"framework"}),
        ("To establish a framework agreement for agency staff.", {"framework"}),
        ("Award via a mini-competition under the CCS framework.", {"framework", "mini_competition"}),
        ("Providers will be appointed through the Dynamic Purchasing System.", {"dps"}),
        ("To directly award the contract to Acme Ltd.", {"direct_award"}),
        ("The supplier is a single source provider.", {"direct_award"}),
        ("Approve the award without competition to the incumbent.", {"direct_award"}),
        ("Approve a waiver of the Contract Procedure Rules.", {"exemption"}),
        ("An exemption under Contract Standing Orders is sought.", {"exemption"}),
        ("To waive the requirement to tender under the Council's rules.", {"exemption"}),
        ("To extend the existing contract with Acme Ltd until March 2024.", {"extension"}),
        ("To approve a variation to the current contract.", {"extension"}),
        ("To commission 12 beds on a block contract.", {"block_contract"}),
        ("Placements will be made by spot purchasing.", {"spot_purchase"}),
        ("A collaborative procurement with neighbouring authorities.", {"joint_procurement"}),
        ("The Council will act as lead authority for the consortium.", {"joint_procurement"}),
        ("To bring the service back in-house from April.", {"in_house"}),
        ("To award a grant of £50,000 to the Foodbank.", {"grant"}),
        ("To adopt the Contract Management Framework and the Procurement Strategic Framework.", set()),
        ("The policy framework for social value was noted.", set()),
    ],
)
def test_routes(text, expected):
    assert routes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The service will be retendered next year.",
        "A direct award is not recommended.",
        "Option 2: go out to tender. This option was rejected.",
        "The contract will be subject to a tender exercise in due course.",
    ],
)
def test_no_route(text):
    assert routes(text) == set()


# --- resolutions: every GUIDE trigger, every numbering shape ----------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "RESOLVED –\n\n(1) That the report be noted.\n\n(2) That the contract be awarded to Acme Ltd.\n",
            ["That the report be noted.", "That the contract be awarded to Acme Ltd."],
        ),
        (
            "Decision:\n\n1. To approve the award of the contract.\n2. To note the procurement timetable.\n",
            ["To approve the award of the contract.", "To note the procurement timetable."],
        ),
        (
            "Decision Made:\n\n(a) approved the extension of the contract;\n(b) delegated authority to the Director.\n",
            ["approved the extension of the contract;", "delegated authority to the Director."],
        ),
        (
            "The Cabinet Member has agreed to:\n\n(i) award the contract to Acme Ltd;\n(ii) note the savings.\n",
            ["award the contract to Acme Ltd;", "note the savings."],
        ),
        (
            "The Committee APPROVED the following:\n\n• the award of the contract;\n• the contract term.\n",
            ["the award of the contract;", "the contract term."],
        ),
        (
            "That Cabinet:\n\n1) approves the procurement strategy;\n2) notes the timetable.\n",
            ["approves the procurement strategy;", "notes the timetable."],
        ),
        (
            "RECOMMENDATIONS:\n\n1.1 That Cabinet approves the tender.\n1.2 That Cabinet notes the risks.\n\n"
            "2. BACKGROUND\n\n2.1 The service began in 2010.\n",
            ["That Cabinet approves the tender.", "That Cabinet notes the risks."],
        ),
        (
            "RECOMMENDATION: That the Executive approves the award of the contract.\n\nREASONS FOR DECISION\n",
            ["That the Executive approves the award of the contract."],
        ),
        ("RESOLVED that the report be noted.\n", ["that the report be noted."]),
        (
            "Decision:\n\nTo approve the award of the contract to Acme Ltd.\n\nReasons for the decision:\n\n"
            "The tender was the most economically advantageous.\n",
            ["To approve the award of the contract to Acme Ltd."],
        ),
    ],
)
def test_resolution_items(text, expected):
    found = resolutions(text)
    assert [t.strip().lower() for t in found] == [e.lower() for e in expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        # letters on lines of their own (South Somerset, ieDecisionDetails.aspx?ID=1374)
        (
            "RESOLVED:\n\nThat the Executive agree to:-\n\na.\n\nadopt the revised Contract Standing Orders.\n\n"
            "b.\n\ndelegate authority to the Monitoring Officer.\n\nReason:\n\nTo adopt the documents.\n",
            ["adopt the revised Contract Standing Orders.", "delegate authority to the Monitoring Officer."],
        ),
        # lettered items with no trigger (Dorset, mgDecisionDetails.aspx?IId=14356)
        (
            "(a) That Cabinet agrees to begin each of the procurement processes.\n"
            "(b) That any contract award be delegated to the portfolio holder.\nReason for the decision\n",
            [
                "That Cabinet agrees to begin each of the procurement processes.",
                "That any contract award be delegated to the portfolio holder.",
            ],
        ),
    ],
)
def test_resolution_layouts_seen_on_council_sites(text, expected):
    found = resolutions(text)
    assert [t.strip().lower() for t in found] == [e.lower() for e in expected]


# --- roles from report headers and page labels ----------------------------------------------


@pytest.mark.parametrize(
    "text, date, maker",
    [
        ("REPORT TO: Cabinet\nDATE: 18 January 2018\n\nSUBJECT: Waste contract\n", "2018-01-18", "Cabinet"),
        ("Decided at meeting: 19/11/2019 - Cabinet\n", "2019-11-19", "Cabinet"),
        ("Meeting: 07/02/2018 - Cabinet (Item 98)\n", "2018-02-07", "Cabinet"),
        (
            "Decision Maker: Executive Board\n\nDate of decision: 02 March 2021\n",
            "2021-03-02",
            "Executive Board",
        ),
        ("Decision Maker: Cabinet\n\nDate of decision: 29.04.21\n", "2021-04-29", "Cabinet"),
    ],
)
def test_decision_date_and_maker(text, date, maker):
    record = extract_text(text, source="x.txt")
    assert (record.decision_date, record.decision_maker) == (date, maker)


@pytest.mark.parametrize(
    "text, start, end",
    [
        (
            "RESOLVED: That a contract be awarded to Acme Ltd from 1 April 2024 to 31 March 2027.",
            "2024-04-01",
            "2027-03-31",
        ),
        (
            "RESOLVED: That the current contract, which is due to expire on 30 June 2023, be extended "
            "until 31 December 2023.",
            None,
            "2023-12-31",
        ),
        (
            "RESOLVED: That the contract commence on 1st October 2022 for three years.",
            "2022-10-01",
            None,
        ),
    ],
)
def test_contract_start_and_end(text, start, end):
    record = extract_text(text, source="x.txt")
    assert (record.contract_start, record.contract_end) == (start, end)


# --- documents with no contract at all: no contract values, routes or durations ---------------

NO_CONTRACT = [
    # planning committee minute
    "Planning Committee - Tuesday, 14th March, 2023 6.30 pm\n\n"
    "23/00412/FUL - 12 High Street: erection of a two-storey rear extension and single storey side "
    "extension. The site lies within 400 metres of a conservation area. Officers reported that the "
    "applicant had agreed a financial contribution of £12,500 towards open space under Section 106. "
    "Three letters of objection had been received.\n\n"
    "RESOLVED: That planning permission be granted subject to the conditions set out in the report "
    "and the completion of a Section 106 agreement.\n",
    # appointments
    "Annual Council - 18 May 2022\n\nAppointment of Chair and Vice-Chair\n\n"
    "RESOLVED:\n\n(1) That Councillor J Smith be appointed Chair of the Council for the 2022/23 "
    "municipal year.\n(2) That Councillor A Khan be appointed Vice-Chair.\n",
    # motion
    "Motion on the cost of living\n\nThis Council notes that over the past ten years the Council's "
    "core grant has fallen by £15 million, and that over 3,000 households in the borough are in fuel "
    "poverty. Council believes that residents aged 65 and over should not have to choose between "
    "heating and eating.\n\nRESOLVED: That the Leader writes to the Secretary of State asking for "
    "fair funding for local government.\n",
    # staffing report
    "Senior Management Restructure\n\nThe post of Director of Place will be advertised in early 2024 "
    "at a salary of £105,000. The current postholder has 22 years' service and will retire in "
    "Spring 2024.\n\nRECOMMENDATION: That the Committee notes the restructure.\n",
]


@pytest.mark.parametrize("text", NO_CONTRACT)
def test_no_contract_terms_in_non_procurement_documents(text):
    found = analyse(text)
    assert [v["is_contract_value"] for *_, v in found.spans["money"] if v["is_contract_value"]] == []
    assert found.spans["routes"] == []
    assert found.spans["durations"] == []
    assert found.spans["resolutions"], "the decision itself is still a resolution"
