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


# --- role decisions, adversarial: which amount is the contract's, which period is the term -----
# Sentences written fresh from GUIDE.md's definitions (money is_contract_value/per/qualifier,
# duration kind); none is copied from a corpus document.

import pytest  # noqa: E402

from extract.analysis import analyse  # noqa: E402


def _money(text):
    return [
        (v["amount"], v["per"], v["qualifier"], v["is_contract_value"])
        for _, _, _, v in analyse(text).spans["money"]
    ]


def _kinds(text):
    return [(v["months"], v["kind"]) for _, _, _, v in analyse(text).spans["durations"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        # the contract decided: total or per period (GUIDE money: "total or per period")
        (
            "Cabinet approved the award of the contract to Acme Ltd at a total cost of £2.4m.",
            [(2_400_000, "total", None, True)],
        ),
        (
            "The framework has an estimated value of £12m over four years.",
            [(12_000_000, "total", "approx", True)],
        ),
        ("The annual budget for the new contract is £350,000.", [(350_000, "year", None, True)]),
        ("The contract will be awarded for £48,500 per month.", [(48_500, "month", None, True)]),
        (
            "The procurement is expected to cost in the region of £600,000 per annum.",
            [(600_000, "year", "approx", True)],
        ),
        ("Spend under the call-off is capped at £90,000.", [(90_000, None, "max", True)]),
        # thresholds and payment-publication limits (GUIDE: "Financial Impact>£500K", "payments in excess of £500")
        (
            "The Council publishes all payments in excess of £500 to suppliers of contracts.",
            [(500, None, "min", False)],
        ),
        ("Key decision: expenditure above £250,000 on the contract.", [(250_000, None, "min", False)]),
        (
            "Contracts with a value over £100,000 require Cabinet approval before award.",
            [(100_000, None, "min", False)],
        ),
        (
            "Under Contract Standing Orders, contracts above the threshold of £189,330 must be tendered.",
            # "above" qualifies the contracts, not the amount: the threshold itself is exact
            [(189_330, None, None, False)],
        ),
        # savings
        ("The new contract will deliver savings of £120,000 per year.", [(120_000, "year", None, False)]),
        ("Re-procuring the contract is expected to save £45,000 a year.", [(45_000, "year", None, False)]),
        # income and grants to third parties
        (
            "The contract will generate income of £30,000 per annum for the Council.",
            [(30_000, "year", None, False)],
        ),
        (
            "A grant of £15,000 will be paid to the Citizens Advice Bureau alongside the contract.",
            [(15_000, None, None, False)],
        ),
        # unrelated budgets and old contract values
        # (an old contract's value set against the new one; alone it is the value: test_extract_unseen)
        (
            "The current contract, awarded in 2015, had a value of £1.1m; the new contract is worth £1.3m.",
            [(1_100_000, None, None, False), (1_300_000, None, None, True)],
        ),
        (
            "The existing contract costs £200,000 per annum; the new contract will cost £180,000 per annum.",
            [(200_000, "year", None, False), (180_000, "year", None, True)],
        ),
        (
            "The overall departmental revenue budget is £14m, of which the contract is a part.",
            [(14_000_000, "total", None, False)],
        ),
        # fees of other things (GUIDE: "fees of other things")
        (
            "Legal fees of £5,000 will be met from existing budgets in awarding the contract.",
            [(5_000, None, None, False)],
        ),
        (
            "Fines of £100 per day may be imposed on the contractor for late delivery.",
            [(100, "day", None, False)],
        ),
        # per unit, per hour: the contract's own price per unit is a contract value
        ("The contract rate will be £19.50 per hour for homecare.", [(19.5, "hour", None, True)]),
        ("The framework price is £850 per placement per week.", [(850, "week", None, True)]),
        # qualifiers (GUIDE: approx "estimated", "c."; max "not exceeding"; min "in excess of")
        ("The contract has a value of c. £750,000.", [(750_000, None, "approx", True)]),
        # GUIDE: "fees of other things"
        (
            "Officers are authorised to spend up to £75,000 on consultancy support for the procurement.",
            [(75_000, None, "max", False)],
        ),
        # an old contract's value versus the value it is varied to
        (
            "The original contract value of £2m will increase to £2.4m with the variation.",
            [(2_000_000, None, None, False), (2_400_000, None, None, True)],
        ),
        # "original contract term" is the new contract's initial term, not an old contract
        (
            "Procure a 5 year contract with an option to extend for a further 3 years, during the original"
            " contract term of 5 years, at an anticipated annual cost of £300k.",
            [(300_000, "year", "approx", True)],
        ),
        ("Approximately £2m per annum is spent on the contract.", [(2_000_000, "year", "approx", True)]),
        # GUIDE per total: "across ten years"-style spans over the contract's life
        (
            "The framework is forecast to have a spend of around £10m over its four-year life.",
            [(10_000_000, "total", "approx", True)],
        ),
        ("The weekly cost of the contract is £2,500.", [(2_500, "week", None, True)]),
        # the decision extends the existing contract: that cost is the value decided
        ("Extend the existing contract at a cost of £90,000 for six months.", [(90_000, None, None, True)]),
        # set against the new contract's cost, the previous contract's is not the value decided
        # (alone, it is: the labels on unseen councils' pages count the contract re-let)
        (
            "The previous contract was worth £400,000 per annum; the new contract will cost £380,000 per annum.",
            [(400_000, "year", None, False), (380_000, "year", None, True)],
        ),
        # GUIDE per total: "maximum over the contract"; qualifier max: "maximum"
        ("The maximum value of the framework is £20 million.", [(20_000_000, "total", "max", True)]),
        # GUIDE per unit: a price per item of service
        ("The contract price is £25 per visit.", [(25, "unit", None, True)]),
        # per quarter is none of the GUIDE's periods
        ("The cost of the contract will be £80,000 per quarter.", [(80_000, None, None, True)]),
        (
            "Rental income of £25,000 per annum will be received under the lease.",
            [(25_000, "year", None, False)],
        ),
        (
            "Decisions over £500,000 are key decisions; this contract is valued at £650,000.",
            [(500_000, None, "min", False), (650_000, None, None, True)],
        ),
        ("The contract value will not exceed £1.5 million.", [(1_500_000, None, "max", True)]),
        ("The contract is worth in excess of £2m.", [(2_000_000, None, "min", True)]),
    ],
)
def test_money_roles(text, expected):
    assert _money(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # term: the period of a new contract or award
        ("Cabinet agreed to award a new 5-year contract to the provider.", [(60, "term")]),
        ("The contract will run for a period of three years from 1 April 2025.", [(36, "term")]),
        ("The framework will be let for four years.", [(48, "term")]),
        # compounds (GUIDE: "3 years with an optional 2 year extension" -> term + extension)
        ("A contract for 3 years with an optional 2 year extension.", [(36, "term"), (24, "extension")]),
        ("The contract is for 2+1+1 years.", [(24, "term"), (12, "extension"), (12, "extension")]),
        (
            "An initial term of two years, with the option to extend for 2 years plus one.",
            [(24, "term"), (24, "extension"), (12, "extension")],
        ),
        # extension: an option, or an extension of an existing contract
        ("To extend the existing contract by a further 6 months.", [(6, "extension")]),
        ("Approval to extend the cleaning contract for 12 months to allow a retender.", [(12, "extension")]),
        ("The contract includes the option to extend for up to two further years.", [(24, "extension")]),
        ("with two optional 12 month extensions", [(12, "extension"), (12, "extension")]),
        ("The contract will be varied to add a further 9 months.", [(9, "extension")]),
        # other: lease, notice, mobilisation, pilot, consultation, warranty, total-with-extensions
        (
            "The Council will grant a 25 year lease of the depot to the operator under the contract.",
            [(300, "other")],
        ),
        ("Either party may terminate the contract on 6 months' notice.", [(6, "other")]),
        ("A three month mobilisation period will precede the contract start.", [(3, "other")]),
        ("The service will run as a 12 month pilot before a contract is procured.", [(12, "other")]),
        ("A 12 week consultation will take place before the contract is awarded.", [(2.8, "other")]),
        ("The roof works carry a 10 year warranty under the contract.", [(120, "other")]),
        (
            "A 3 year term with a 1 year extension, a potential four-year contract term in total.",
            [(36, "term"), (12, "extension"), (48, "other")],
        ),
        ("The contract could run for a maximum of 7 years including extensions.", [(84, "other")]),
        # GUIDE hard case: a total with all extensions is other, not a second term
        (
            "The contract will run for 5 years, with the potential to extend by up to a further 2 years,"
            " giving a maximum contract term of 7 years.",
            [(60, "term"), (24, "extension"), (84, "other")],
        ),
        ("The new contract will commence with a 3 month implementation period.", [(3, "other")]),
        ("The defects liability period is 12 months.", [(12, "other")]),
        # the options name their own kind even after an "initial" term
        (
            "The framework will run for an initial 2 years with two optional 12 month extensions.",
            [(24, "term"), (12, "extension"), (12, "extension")],
        ),
        # "extend by a further N months" is an extension whatever it is for; a lease stays other
        (
            "The contract will be extended by 3 months to allow for mobilisation of the new provider.",
            [(3, "extension")],
        ),
        ("Agree to extend the lease by 5 years under the contract.", [(60, "other")]),
        # "will last 5 years" is a period; "the last 5 years" is not
        (
            "The contract will last 5 years with a possible 5 year extension, up to 10 years in total.",
            [(60, "term"), (60, "extension"), (120, "other")],
        ),
        ("Spend over the last 5 years under the contract was stable.", []),
        # GUIDE: "2 years plus one" (as extensions) -> extension 24 + extension 12
        (
            "The contract has a 2 year term, extendable for two years plus one.",
            [(24, "term"), (24, "extension"), (12, "extension")],
        ),
        (
            "a three year contract with the option of two one year extensions",
            [(36, "term"), (12, "extension"), (12, "extension")],
        ),
        ("Agree to extend the contract by 12 months to 31 March 2026.", [(12, "extension")]),
    ],
)
def test_duration_kinds(text, expected):
    assert _kinds(text) == expected
