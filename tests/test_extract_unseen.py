"""Rule classes for councils nobody tuned for (issue 14): each case is phrased as another council
would phrase it, not copied from a dev document, so these guard generalisation rather than fit."""

import pytest

from extract.analysis import analyse


def resolutions(text):
    return [t for _, _, t, _ in analyse(text).spans["resolutions"]]


# --- resolutions that no "RESOLVED" introduces ------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (  # the decider's verb leads each numbered item under a bare "That Cabinet" line
            "Recommendations\n\nThat Cabinet\n1) Approves the award of the meals contract to Dine Ltd;\n"
            "2) Authorises the Director of Place to sign the contract.\n\nReasons\n\nValue for money.\n",
            [
                "Approves the award of the meals contract to Dine Ltd;",
                "Authorises the Director of Place to sign the contract.",
            ],
        ),
        (  # "Agreed that ..." as the minute's own decision wording
            "Members discussed the report at length.\n\nAgreed that the cleaning contract be extended by "
            "twelve months.\n",
            ["Agreed that the cleaning contract be extended by twelve months."],
        ),
        (  # a narrated decision: each "The Cabinet agreed" paragraph, not the prose around it
            "The report set out the options for the service.\n\nThe Cabinet agreed to retender the "
            "contract.\n\nThe Cabinet agreed to delegate the award to the Director.\n\nThe service "
            "has run since 2015 and is valued by residents.\n",
            [
                "The Cabinet agreed to retender the contract.",
                "The Cabinet agreed to delegate the award to the Director.",
            ],
        ),
        (  # decision details page with an impersonal decision
            "Decision status: Approved\n\nIt has been agreed to extend the carers support contract until "
            "31 March 2027.\n\nReasons for the decision:\n\nContinuity.\n",
            ["It has been agreed to extend the carers support contract until 31 March 2027."],
        ),
        (  # an officer's decision record in the first person
            "Decision record\n\nI have decided to waive the contract procedure rules and award the "
            "advocacy contract to Voice Ltd.\n\nSigned: Director of Adult Services\n",
            [
                "I have decided to waive the contract procedure rules and award the advocacy contract to Voice Ltd."
            ],
        ),
        (  # the decider's first-person agreement
            "Individual Cabinet Member Decision\n\nAs Cabinet Member for Highways, I agree to extend the gritting "
            "contract.\n",
            ["As Cabinet Member for Highways, I agree to extend the gritting contract."],
        ),
        (  # a heading naming the decider, its numbered items following
            "Decision of the Executive Councillor for Housing:\n\n1. To approve the repairs framework.\n"
            "2. To note the spend forecast.\n\nReason for the decision\n\nCompliance.\n",
            ["To approve the repairs framework.", "To note the spend forecast."],
        ),
        (  # "DECISION -" with the first item on the same line
            "DECISION - (a) That the Council procures a block contract for supported living.\n\n"
            "(b) That the Director be authorised to award it.\n",
            [
                "That the Council procures a block contract for supported living.",
                "That the Director be authorised to award it.",
            ],
        ),
        (  # the decider named in a sentence that ends with the list's colon
            "Having considered a report and the views of the scrutiny panel, the Mayor and Cabinet "
            "agreed to:\n· approve the extension of the floating support contract;\n· note the savings.\n",
            ["approve the extension of the floating support contract;", "note the savings."],
        ),
        (  # a numbered list whose verb is passive, no trigger above it
            "The Cabinet considered the tender report.\n\n(1) contracts be awarded to the providers "
            "ranked first in each lot;\n\n(2) the providers ranked second be appointed as reserves.\n",
            [
                "contracts be awarded to the providers ranked first in each lot;",
                "the providers ranked second be appointed as reserves.",
            ],
        ),
        (  # a single unnumbered "That ... be approved."
            "Agenda item\n\nKinship Carers Charter\n\nThat the Kinship Carers Charter, as set out in the "
            "report, be approved.\n\nReason for Decision:\n\nTo support carers.\n",
            ["That the Kinship Carers Charter, as set out in the report, be approved."],
        ),
    ],
)
def test_resolutions_without_resolved(text, expected):
    assert resolutions(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Decision\n\nTo approve the extension of the contract with Care Co for 12 months.\n\nReasons for the "
            "decision\n\nContinuity.\n",
            ["To approve the extension of the contract with Care Co for 12 months."],
        ),
        (
            "Having considered the report, the Committee unanimously agreed that the contract be awarded to Delta Ltd.\n",
            ["the contract be awarded to Delta Ltd."],
        ),
        ("Minutes:\n\nThe Scrutiny Panel noted the report.\n", ["The Scrutiny Panel noted the report."]),
    ],
)
def test_more_decision_forms(text, expected):
    assert resolutions(text) == expected


def test_a_decision_printed_twice_is_listed_once():
    decision = (
        "(a) That the commissioning strategy for supported accommodation set out in Appendix 1 be noted;\n\n"
        "(b) That the procurement of the contracts set out in Appendix 2 of the report be approved.\n\n"
    )
    text = f"Decision:\n\n{decision}Reason for the decision\n\nSufficiency.\n\nMinutes:\n\nDecision\n\n{decision}"
    assert len(resolutions(text)) == 2


def test_a_page_titled_decision_is_not_a_resolution():
    text = "Decision\n\nApproval to award the contract for the changing rooms\n\nDecision maker: Head of Property\n"
    assert resolutions(text) == []


def test_an_as_follows_item_takes_the_names_listed_under_it():
    text = (
        "The Portfolio Holder for Adults has approved:-\n\n(1) The award of contracts to the following "
        "providers:-\n\n      Oak Care\n\n      Birch Homes\n\nContracts will start once each home is "
        "registered with the regulator.\n"
    )
    assert resolutions(text) == [
        "The award of contracts to the following providers:-\n\n      Oak Care\n\n      Birch Homes"
    ]


def test_text_after_resolved_that_is_the_item_and_exempt_categories_are_not():
    text = (
        "The Panel RESOLVED that the press and public be excluded for the next item.\n\n"
        "The information is exempt under these categories:\n\n1. Information about an individual.\n\n"
        "2. Information about financial affairs.\n"
    )
    assert resolutions(text) == ["the press and public be excluded for the next item."]


@pytest.mark.parametrize(
    "text",
    [
        # a motion's preamble is not a resolution
        "Notice of Motion\n\nThis Council recognises:\n\n• that carers save the state billions.\n\n"
        "This Council believes:\n\n• that carers deserve better.\n",
        # narrative without a decision verb
        "The Cabinet considered a report of the Director.\n\nThe Cabinet Member RESOLVED\n\nReasons for decision\n\nNone.\n",
        # noting a fact, and a decision told as history, are not decisions recorded
        "Planning application\n\nThe Committee considered the application.\n\nMembers noted that the site lies "
        "within the conservation area.\n",
        "Background\n\nThe Cabinet previously approved the strategy and officers have since consulted providers.\n",
        # a constitution quoted in an officer decision
        "Delegation: the Council's Constitution provides that the Director is authorised to commission services.\n",
    ],
)
def test_prose_around_decisions_is_not_a_resolution(text):
    assert resolutions(text) == []


def test_action_by_ends_the_last_item():
    text = "DECISION\n1. To approve the youth model.\n2. To approve the savings.\nAction by:\nDIRECTOR (A. PERSON)\n"
    assert resolutions(text) == ["To approve the youth model.", "To approve the savings."]


# --- the decision maker told in narrative -----------------------------------------------------


def maker(text, metadata=None):
    return analyse(text, metadata).roles["decision_maker"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Home Care Retender\nThe Executive gave consideration to the exempt appendix.\n", "Executive"),
        (
            "Having heard from the portfolio holder, the Mayor and Cabinet agreed to:\n· approve the award.\n",
            "Mayor and Cabinet",
        ),
        ("Minutes:\n\nThe Cabinet Member considered a report of the Director of Place.\n", "Cabinet Member"),
        ("12.1     The Policy Committee considered a report on school transport.\n", "Policy Committee"),
        (
            "Acknowledging the rise in demand, Cabinet to agree the recommissioning of respite care.\n",
            "Cabinet",
        ),
        (
            "The Executive Member RESOLVED:\n\nFor the Executive Member for Adults, Health and Housing to approve the grant.\n",
            "Executive Member for Adults, Health and Housing",
        ),
        ("It is recommended the Leader:\n\n1. approves the extension of the contract.\n", "Leader"),
        (
            "Adult Care Scrutiny Panel – Minutes – 3 March 2022\n\nItem 4 Early years funding\n",
            "Adult Care Scrutiny Panel",
        ),
        (
            "Notice of Motion\n\nLancashire County Council notes that carers save the state billions.\n",
            "Council",
        ),
        (
            "Minutes:\n\nThe application had been brought to the Regulatory Committee for determination.\n",
            "Regulatory Committee",
        ),
        ("Leader's Urgent Decision - Extension of the refuge contract\n", "Leader"),
        (
            "Executive Director of Place decision\n\nI have decided to approve the waiver.\n",
            "Executive Director of Place",
        ),
        (
            "Officer decision\n\nI, Sam Jones, Director of Adult Care, have decided to award the contract.\n",
            "Director of Adult Care",
        ),
        ("The Executive:\n\nNotes the consultation.\n\nApproves the award.\n", "Executive"),
        ("The Cabinet Member RESOLVED:\n\nTo approve the award.\n", "Cabinet Member"),
        (  # a delegated decision names the officer, under the post's later title
            "Cabinet delegated the decision to award the meals contract to the Director of Education, now "
            "Director of Learning and Skills.\nThis is an officer delegated decision.\n",
            "Director of Learning and Skills",
        ),
    ],
)
def test_decision_maker_in_narrative(text, expected):
    assert maker(text) == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        ("Cabinet, County Council", "Cabinet"),  # two bodies listed: the first decided
        (
            "Cabinet Member for Health, Social Care and Wellbeing",
            "Cabinet Member for Health, Social Care and Wellbeing",
        ),
        ("Director of Adult Services (Historic)", "Director of Adult Services"),
        ("The Former Cabinet Member for Transport", "Cabinet Member for Transport"),
    ],
)
def test_decision_maker_label_values_are_cleaned(label, expected):
    assert maker("Decision details\n", {"Decision Maker": label}) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The Committee considered a report of the Director on the variation.\n",  # which committee is not said
        "The Interim Director of Adult Services confirmed that the specification would be reviewed.\n",
    ],
)
def test_no_decision_maker_from_unnamed_bodies_or_reporting_verbs(text):
    assert maker(text) is None


# --- the period ("per") of an amount ----------------------------------------------------------


def pers(text):
    return [(v["amount"], v["per"]) for _, _, _, v in analyse(text).spans["money"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The whole life cost of the framework is estimated at £3.2m.", [(3_200_000, "total")]),
        ("The aggregated value of the dynamic purchasing system was £12,000,000.", [(12_000_000, "total")]),
        (
            "The cost for the initial term of 3 years is £640,000 and the spend over the full duration of 5 years is £1.1m.",
            [(640_000, "total"), (1_100_000, "total")],
        ),
        (
            "The budget for the potential maximum four years of the agreement will be £2,250,000.",
            [(2_250_000, "total")],
        ),
        (
            "Award to Ace Care for a three-year period from 1st June 2024 to 31st May 2027 at the value of £390,000.",
            [(390_000, "total")],
        ),
        (
            "Award for the period 1 May 2024 to 31 March 2025, at a value of up to £0.8m, with an option to extend.",
            [(800_000, "total")],
        ),
        ("Spend over three years: £96,000.", [(96_000, "total")]),
        ("The budget is £4.5m for the period 2025-2030.", [(4_500_000, "total")]),
        ("The cost of the extension is £84,000 for the 12 months.", [(84_000, "total")]),
        ("The cumulative value of the agreement is £1.8m.", [(1_800_000, "total")]),
        ("The contract value including all extensions is £2,400,000.", [(2_400_000, "total")]),
        ("The spend over the life of the framework is estimated at £8m.", [(8_000_000, "total")]),
        (
            "The contract is valued at £180,000 per year, totalling £540,000.",
            [(180_000, "year"), (540_000, "total")],
        ),
        ("The budget is £2.5m (total contract value) for the service.", [(2_500_000, "total")]),
        # rates written short, and per financial year / in each year
        ("Home care will be paid at £19.66 p/h and sleep-ins at £650 p/w.", [(19.66, "hour"), (650, "week")]),
        ("The contract will cost £1.2 million per financial year.", [(1_200_000, "year")]),
        ("The budget is £300,000 in each year of the contract.", [(300_000, "year")]),
        # a rate, not a total
        ("Day opportunities will be charged at £85 a session.", [(85, "unit")]),
        # a price per unit for a period is the period's
        ("The weekly fee will be £1,250 per child.", [(1_250, "week")]),
        ("This equates to £21.40 p/hr for framework home care providers.", [(21.40, "hour")]),
        ("Nursing Bed Rate: £812.50", [(812.50, "unit")]),
        ("The placement fee of £1,150 applies to each child.", [(1_150, "unit")]),
        # "per annum" after words about the first amount is the first amount's
        (
            "There will be an extra £15,000 in grant funding per annum, on top of the £90,000 in the report.",
            [(15_000, "year"), (90_000, None)],
        ),
        # a bare "for N months" and an extension between the period and the amount: not called a total
        ("To call off a contract for 9 months, at a fee not exceeding £80,000.", [(80_000, None)]),
        (
            "A contract for five years with an option to extend for two more, for the value of £7m.",
            [(7_000_000, None)],
        ),
        # a part the total includes, and a financial year's allocation
        ("The total value includes a one-off purchase of £40,000 for vehicles.", [(40_000, None)]),
        # a Total label on the line above another line's amount
        ("Total\nOne-off set-up cost £55,000", [(55_000, None)]),
        ("Total contract value £ (including extensions) £ 410,000", [(410_000, "total")]),
    ],
)
def test_per_of_amounts(text, expected):
    assert pers(text) == expected


# --- which amounts are the contract's value ---------------------------------------------------


def values_of(text):
    return [(v["amount"], v["is_contract_value"]) for _, _, _, v in analyse(text).spans["money"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        # delegation thresholds stated as a band
        (
            "Authority is delegated to award contracts under the grant where individual contract values "
            "exceed £250,000 but remain below £1,000,000.",
            [(250_000, False), (1_000_000, False)],
        ),
        (
            "Where contracts valued at £250,000 or more require Cabinet approval, the Director will report them.",
            [(250_000, False)],
        ),
        # the current contract's value, alone, is the value of the contract the decision is about
        (
            "The existing contract value is £640,000 and it is funded from the Public Health Grant.",
            [(640_000, True)],
        ),
        # fee rates paid to care providers are the care contracts' prices
        ("Older People Nursing base rate - £845 per week;", [(845, True)]),
        # financing is not a price
        (
            "The working capital for the provider will be the equivalent of 3 months of contract value, paid "
            "in advance; approx. £0.9m",
            [(900_000, False)],
        ),
        # what the amount is said to be comes after it: a saving or avoided cost
        ("The new contract will deliver a £250,000 efficiency saving.", [(250_000, False)]),
        ("The framework has delivered £75k of cost avoidance to the Council.", [(75_000, False)]),
        # money coming in, named as the subject however far before the amount
        (
            "The overall public health allocation for the 2026/27 financial year will be £2,104,000 for "
            "treatment services.",
            [(2_104_000, False)],
        ),
        # a bid, a payment to providers, the previous contract's value (the contract re-let)
        ("The lowest compliant bid for the service was £845,000.", [(845_000, True)]),
        ("Home care providers will be paid £21.50 per hour.", [(21.50, True)]),
        ("The annual value of the previous three-year contract was £1.4m.", [(1_400_000, True)]),
        # a list of prices under a lead-in that names them
        (
            "The proposed fee rates for care home placements are:\n\nResidential - £700 per week;\n\n"
            "Nursing - £820 per week;\n",
            [(700, True), (820, True)],
        ),
        # a saving told after the new price is not that price's
        (
            "The previous contract cost £900,000 per annum; the new contract will cost £850,000 per annum, "
            "a saving of £50,000.",
            [(900_000, False), (850_000, True), (50_000, False)],
        ),
        # social value pledged by a bidder, and a limit of delegated powers
        (
            "The winning bidder committed to social value worth £200,000 over the contract.",
            [(200_000, False)],
        ),
        (
            "The Director may approve contract expenditure up to £100,000 under delegated powers.",
            [(100_000, False)],
        ),
        # a decision record's label line leans on the record's title
        (
            "Award of home care contracts\n\nEstimated value: £250,000\n\nDecision maker: Cabinet",
            [(250_000, True)],
        ),
        ("Budget setting 2025/26\n\nBudget: £2.5m\n\nDecision maker: Council", [(2_500_000, False)]),
        # a list under a lead-in naming no price
        ("Funding received in the year:\n\nFrom the ICB - £70,000;\n", [(70_000, False)]),
    ],
)
def test_contract_values(text, expected):
    assert values_of(text) == expected


# --- procurement routes named indirectly ------------------------------------------------------


def routes(text):
    return {v["route"] for _, _, _, v in analyse(text).spans["routes"]}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "To approve a PSR direct award to the incumbent NHS trust for the school nursing service.",
            {"direct_award"},
        ),
        (
            "The contract will be awarded using Direct Award Process C under the health care services regulations.",
            {"direct_award"},
        ),
        (
            "Officers negotiated with a single supplier, as only one provider holds the licence.",
            {"direct_award"},
        ),
        (
            "To approve a modification of the contract under Regulation 72 of the Public Contracts Regulations 2015.",
            {"extension"},
        ),
        ("To call off from the ESPO framework for the supply of vehicles.", {"framework"}),
        ("To approve a modification to the existing contract to add two extra routes.", {"extension"}),
        ("Negotiations will take place with the sole provider in the market.", {"direct_award"}),
        (
            "Procured under the Provider Selection Regime using the most suitable provider process.",
            {"direct_award"},
        ),
        ("To commission the service via the Care and Support framework.", {"framework"}),
        ("To agree a waiver of Contract Procedure Rules to award the contract to Ace Ltd.", {"exemption"}),
        ("A joint contract is being let for Halton, Warrington and Wirral Councils.", {"joint_procurement"}),
        ("From 1 April the service will be provided by the council's own youth team.", {"in_house"}),
        ("To fund three more council-run children's homes.", {"in_house"}),
        # the Procurement Act 2023's procedures and markets, and going out to the market
        ("The service will be bought through the competitive flexible procedure.", {"tender"}),
        ("A competitive dialogue will be run with shortlisted bidders.", {"tender"}),
        ("Cabinet agreed to go out to the market for a new provider of the service.", {"tender"}),
        ("The re-procurement will follow an open procurement process.", {"tender"}),
        ("Providers will be appointed through a dynamic market for taxi journeys.", {"dps"}),
        ("To award the works under Regulation 32 (extreme urgency).", {"direct_award"}),
        ("To award the contract by way of a single tender action.", {"direct_award"}),
        ("To approve an exemption under CSO 4.2 for the interpreting contract.", {"exemption"}),
        ("To approve a direct call-off from the YPO furniture framework.", {"framework", "direct_award"}),
        # an extension built into the contract, taken up
        ("To take up the 12 month extension option in the advocacy contract.", {"extension"}),
        ("To activate the second extension period of the domestic abuse contract.", {"extension"}),
        ("The Director will invoke the extension clause in the parking agreement.", {"extension"}),
        ("To extend the contract with Bright Futures Ltd for a further six months.", {"extension"}),
        ("To continue funding the befriending services for an additional year.", {"extension"}),
        (
            "The contract is due to expire in June and this report seeks approval to extend it.",
            {"extension"},
        ),
        # procured together with another public body
        ("The service will be jointly commissioned with the ICB.", {"joint_procurement"}),
        (
            "Approval to go to tender, including the procurement exercise with NHS England for immunisations.",
            {"tender", "joint_procurement"},
        ),
    ],
)
def test_routes_named_indirectly(text, expected):
    assert routes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # history of the service, not the route decided
        "In 2012 the Council tendered for six supported housing contracts. The new fee rates apply from 2016.",
        # how things are bought now
        "The Council currently meets this duty through a number of smaller contracts and spot-purchasing arrangements.",
        # a post named after a route
        "Recruitment to the post of Service Director – In House Provision was approved.",
        # a partnership with a charity is not a joint procurement
        "The cost of care exercise was run in partnership with the Care Providers Association.",
        # no extension: the existing contracts simply end
        "Existing contract expiry and no extension available: the existing contracts expire in August.",
        # an option in the new contract is not an extension of an existing one
        "The new contract includes the provision to extend the contract for a further two years.",
        # continuing to fund a service, with no further period, extends nothing
        "The Council will continue to fund the service from the Public Health Grant.",
        # a new contract's own option, and widening a service's reach
        "A five-year contract: an initial three years with the option to extend it to 2030.",
        "The pilot worked well in two wards and officers propose to extend it to cover all wards.",
        # authority to take up a new contract's own extension later
        "To delegate authority to the Director to exercise the extension option in the new contract.",
        # a policy named a framework
        "The Council's Social Value Framework will apply to the new contract.",
        # a joint meeting is not a joint procurement
        "The report was discussed with the ICB at the Health and Wellbeing Board.",
    ],
)
def test_routes_not_decided(text):
    assert routes(text) == set()


# --- the decided contract's start and end, stated as dates ------------------------------------


def period(text):
    roles = analyse(text).roles
    return roles["contract_start"], roles["contract_end"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("To extend the respite contract until 31 March 2026.", (None, "2026-03-31")),
        ("The extension will run to 30 September 2019 on the same terms.", (None, "2019-09-30")),
        (
            "The new service contract will start on 1 May 2025, ending on 30 April 2028.",
            ("2025-05-01", "2028-04-30"),
        ),
        (
            "All placement contracts awarded will come to an end on the 31st August 2027.",
            (None, "2027-08-31"),
        ),
        ("The works contract requires completion by December 2026.", (None, "2026-12")),
        ("The new framework will expire on 31 January 2028.", (None, "2028-01-31")),
        ("The new agreement expires at the end of March 2028.", (None, "2028-03")),
        ("The extension will end on 31 October 2025.", (None, "2025-10-31")),
        ("The agreement will conclude on 31 August 2026.", (None, "2026-08-31")),
        ("The interim contract will cease on 31 March 2025.", (None, "2025-03-31")),
        ("Services under the contract will continue until the end of March 2026.", (None, "2026-03")),
        (  # an extension already made is the old end; the one now sought is the decided end
            "The contract was extended to 31 March 2024 and a further extension to 30 September 2024 is now sought.",
            (None, "2024-09-30"),
        ),
        (
            "The new contracts are expected to be issued in early March 2025 and to end on 31 March 2027.",
            (None, "2027-03-31"),
        ),
        ("Extension of the cleaning contracts, with expiry on 31 July 2025.", (None, "2025-07-31")),
        # the existing contracts' end, used when the decision extends them and gives no new end
        (
            "To agree the extension of the existing escort contracts concluding in August 2024.",
            (None, "2024-08"),
        ),
        (
            "Cabinet agreed a direct award for the advocacy service to start in October 2022 for 12 months.",
            ("2022-10", None),
        ),
        (
            "The service will move to the Council's team from November 2019. The contract starts from 1 November 2019.",
            ("2019-11-01", None),
        ),
        ("The Council will join the regional contract as of January 2025.", ("2025-01", None)),
        (
            "The authority will sign up to the regional placements agreement as of May 2025.",
            ("2025-05", None),
        ),
        # a go-live, a labelled start or end with a copula, a "between ... and" period, "effective"
        ("The new meals service will go live on 1 October 2025.", ("2025-10-01", None)),
        ("The go-live date for the new contract is 3 November 2025.", ("2025-11-03", None)),
        (
            "The contract start date is 1 July 2024 and the end date is 30 June 2027.",
            ("2024-07-01", "2027-06-30"),
        ),
        ("The start date of the new contract will be 1 September 2025.", ("2025-09-01", None)),
        ("The framework will run between 1 April 2025 and 31 March 2029.", ("2025-04-01", "2029-03-31")),
        ("The contract extension will be effective 1 April 2025.", ("2025-04-01", None)),
        ("The contract will begin in April 2025 and last until March 2028.", ("2025-04", "2028-03")),
        (
            "The cleaning contract, expiring 31 March 2026, will be awarded to Shine Ltd.",
            (None, "2026-03-31"),
        ),
        # a labelled end, "to the end of", a new provider taking over
        ("Contract Start: 1 June 2025\nContract End: 31 May 2027", ("2025-06-01", "2027-05-31")),
        ("The contract will be extended for six months, to the end of September 2025.", (None, "2025-09")),
        ("The new provider will take over the service on 1 November 2025.", ("2025-11-01", None)),
        # the old end told in passing, then the new one
        (
            "To extend the current contract, which expires on 31 March 2025, for a further twelve "
            "months until 31 March 2026.",
            (None, "2026-03-31"),
        ),
        (
            "This report seeks approval to extend the contract, due to end on 30 June 2025, by 6 months "
            "to 31 December 2025.",
            (None, "2025-12-31"),
        ),
        # another activity's dates in the same paragraph are not the contract's
        (
            "Consultation on the new service ran from 1 June 2024 to 31 July 2024. The contract will "
            "start on 1 April 2025.",
            ("2025-04-01", None),
        ),
        (
            "The tender was advertised from 3 March 2025 to 4 April 2025 and the contract will start on "
            "1 July 2025.",
            ("2025-07-01", None),
        ),
        # the end moved from one date to another
        (
            "To move the contract end date from 31 March 2025 to 30 June 2026.",
            (None, "2026-06-30"),
        ),
        # a period told of the old contract, then the one decided
        (
            "The contract was awarded in 2020 for a period of 3 years from 1 August 2020 to 31 July 2023, "
            "with the option to extend for 2 years. Approval is sought to use the extension to 31 July 2025.",
            (None, "2025-07-31"),
        ),
        (
            "The original agreement ran from 1 April 2020 to 31 March 2023 and was extended to 31 March "
            "2025. Approval is sought for a further extension to 31 March 2026.",
            (None, "2026-03-31"),
        ),
        (
            "To extend the existing contract from 1 April 2025 to 31 March 2026.",
            ("2025-04-01", "2026-03-31"),
        ),
        # an activity word before a start that names the contract's own start again
        ("Following the consultation, the new contract will start from 1 June 2025.", ("2025-06-01", None)),
        # a start after the decided end is the successor's
        (
            "To extend the existing contracts to 30 June 2026. A new service model will be in place "
            "from 1 July 2026.",
            (None, "2026-06-30"),
        ),
        # the core term's end, told beside the old start, is not the end of the extension activated
        (
            "The contract began on 1st October 2019 and had a four-year core term ending on 30th "
            "September 2023. The first extension will be activated from 1st October 2023.",
            ("2023-10-01", None),
        ),
    ],
)
def test_contract_period(text, expected):
    assert period(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "One provider has told the Council it will terminate its contract from 28 February, 2021.",
        "The variation concerns the contract with the trust that commenced on 1st June 2022.",
        "The supplier on the framework has the capacity to start the service in May 2024.",
        "The current contract will expire on 31 March 2024.",
        "Performance data for the period 1 April 2023 to 31 March 2024 shows the contract is well run.",
        "The current contract ends on 30 September 2025 and there is no option to extend.",
        "Users of the contracted service were consulted between 6 May and 14 June 2024.",
        "Members noted that from April 2024 to March 2025 the service supported 412 families under the contract.",
        # statistics over a window, and a fee uplift's date
        "Demand under the current contract has grown by 20% from April 2023 to March 2024.",
        "The hourly rates paid under the home care contracts will be increased from 7 April 2025.",
        # an appointee's start under an employment contract
        "The successful candidate will start on 1 April 2025 on a permanent contract.",
        # a snapshot the report is dated to, and spend reported up to a date
        "As of 31 March 2024, 85 adults were supported under the contract.",
        "Spend to date under the contract up to 31 December 2024 is £1.2m.",
    ],
)
def test_old_or_hypothetical_dates_are_not_the_period(text):
    assert period(text) == (None, None)


# --- durations ---------------------------------------------------------------------------------


def durations(text):
    return [(v["months"], v["kind"]) for _, _, _, v in analyse(text).spans["durations"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The Trust held a three-year six-month core contract for the service.", [(42, "term")]),
        ("The contract runs for 2 years, 6 months from award.", [(30, "term")]),
        # a count of like options is one duration each (GUIDE: counted per extension)
        ("The contract has three one-year built in extension options.", [(12, "extension")] * 3),
        ("The agreement carries two, six-month optional extension options.", [(6, "extension")] * 2),
        (
            "Awarded for four years, with an option to extend for a further period, or periods, of up to a "
            "total of two (2) years.",
            [(48, "term"), (24, "extension")],
        ),
        (
            "That the Council enters into the block arrangement for a maximum period of 6 years.",
            [(72, "term")],
        ),
        (
            "Awarded for one year with the option to extend by two years. The budget for the potential "
            "maximum 3 years of the contract is £900,000.",
            [(12, "term"), (24, "extension"), (36, "other")],
        ),
        (
            "The contract will be awarded on a 3+1+1 basis.",
            [(36, "term"), (12, "extension"), (12, "extension")],
        ),
        (
            "An initial term of four years with two optional extensions of six months each.",
            [(48, "term"), (6, "extension"), (6, "extension")],
        ),
        ("Extension period: 12 months", [(12, "extension")]),
        # each part with its own unit
        (
            "The contract will be let on a 2 years + 1 year + 1 year basis.",
            [(24, "term"), (12, "extension"), (12, "extension")],
        ),
        ("To award a contract for 2 years + 1 + 1.", [(24, "term"), (12, "extension"), (12, "extension")]),
        ("Contract length: 3 years + 2 years optional extension", [(36, "term"), (24, "extension")]),
        # "in total" after a further period sums the extensions, not term and extensions
        (
            "An initial period of 5 years with the option to extend by up to a further 5 years in total.",
            [(60, "term"), (60, "extension")],
        ),
        # a lease's or a probation's length is another period, however far the noun
        (
            "To grant a lease of the community centre to the Oak Tree Trust for 25 years.",
            [(300, "other")],
        ),
        ("The post holder will serve a six month probationary period.", [(6, "other")]),
        # the length of a past contract is still a contract's length
        ("The value of the previous four-year contract was £2m.", [(48, "term")]),
        # ages, named checks, procedural windows and months of value are not contract periods
        ("The 0-19 years public health nursing service contract is to be retendered.", []),
        ("The tender scored 3+2, a total of 5 marks.", []),
        ("The service contract covers the 6-8 week check and the 12-month check.", []),
        ("The age range of the service was extended from 16 years to 19 years.", []),
        ("The decision will be implemented after the three day call in period.", []),
        ("Working capital for the contract will be the equivalent of 3 months contract value.", []),
        # how long a service has run, and what is left of a contract, are not contract periods
        ("The service has been delivered by the trust for 10 years under contract.", []),
        ("The contract has 18 months left to run.", []),
        ("The re-procurement of the contract will take approximately 9 months.", []),
        ("The contracted service operates 7 days a week, 24 hours a day.", []),
        ("People stay in the contracted service for an average of 18 months.", []),
        ("Over the previous 12 months the contract performed well.", []),
    ],
)
def test_durations(text, expected):
    assert durations(text) == expected


def test_a_month_and_year_after_early_is_a_date():
    # GUIDE: a date names at least a month and a year; "early 2016" (no month) and seasons are not
    text = "The first homes should open in early December 2024, the rest in Spring 2025 or early 2026."
    assert [v["date"] for _, _, _, v in analyse(text).spans["dates"]] == ["2024-12"]
