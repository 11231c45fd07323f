"""Suppliers: named awardees, framework and reserve suppliers and incumbents, each once with exact
offsets and a normalised key; purchasing bodies, councils, posts, placeholders and losing bidders
left out. Phrasings are written as other councils would put them (not taken from the dev set)."""

import pytest

from extract.pipeline import extract_text
from papers.schema import supplier_key


def suppliers(text):
    record = extract_text(text, source="t.txt")
    for s in record.suppliers:
        assert record.text[s.start : s.end] == s.text
    return [s.name for s in record.suppliers]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "RESOLVED that the contract for winter gritting be awarded to Greenway Highways Ltd.",
            ["Greenway Highways Ltd"],
        ),
        (
            "Cabinet agreed to award the contract for Lot 2, for a period of four years to 31 March 2029, to Harbour Facilities Group, at a value of £2m.",
            ["Harbour Facilities Group"],
        ),
        (
            "That Kestrel Community Transport Limited be appointed to deliver the service.",
            ["Kestrel Community Transport Limited"],
        ),
        (
            "To approve a twelve month extension of the existing contract with Brightstart Family Services.",
            ["Brightstart Family Services"],
        ),
        (
            "The service is currently provided by Oakleaf Housing Association and has performed well.",
            ["Oakleaf Housing Association"],
        ),
        (
            "Cabinet accepted the tender submitted by Moorland Roofing LLP for the works.".replace(
                "submitted by", "from"
            ),
            ["Moorland Roofing LLP"],
        ),
        (
            "The Executive agreed a direct award to the incumbent provider, Riverside Advocacy CIC, for one year.",
            ["Riverside Advocacy CIC"],
        ),
        (
            "Successful Contractor: Pennine Groundcare Ltd\nContract value: £40,000",
            ["Pennine Groundcare Ltd"],
        ),
        (
            "Approve the variation to the contract with Lowther & Sons Plc to include additional sites.",
            ["Lowther & Sons Plc"],
        ),
        (
            "The tender was won by Castleford Paving plc, which has held the contract since 2015.",
            ["Castleford Paving plc"],
        ),
        (
            "The Council has contracted with Turnstone Recovery since 2018 to deliver the service.",
            ["Turnstone Recovery"],
        ),
        (
            "Purchase of ten gritters from Northern Truck Sales via a framework is approved.",
            ["Northern Truck Sales"],
        ),
    ],
)
def test_cue_phrases(text, expected):
    assert suppliers(text) == expected


def test_an_nhs_trust_providing_the_service_is_a_supplier():
    text = "The service is currently provided by Northshire Community Healthcare NHS Trust under contract."
    assert suppliers(text) == ["Northshire Community Healthcare NHS Trust"]


def test_a_losing_bidder_in_the_same_sentence_is_left_out():
    text = (
        "Decision: to award the contract to Taylor Row Developments Ltd and to note that the tender "
        "from Barrow Homes Ltd was unsuccessful."
    )
    assert suppliers(text) == ["Taylor Row Developments Ltd"]


def test_flattened_form_table_label_is_not_part_of_the_name():
    text = (
        "Detail required Answers Procurement Reference DN-204 Name of Successful Contractor "
        "Ashby Joinery Ltd Supplier Registration Number 01234567 Contract Value £80,000"
    )
    assert suppliers(text) == ["Ashby Joinery Ltd"]


def test_bare_label_on_a_decision_form():
    assert suppliers("Contract awarded to: Smith & Jones Architects LLP\nValue: £45,000") == [
        "Smith & Jones Architects LLP"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "That the following suppliers be appointed to the Home Support Framework:-\n\n"
            "   Ashgrove Care Ltd\n\n   Beacon Home Support\n\n   Cedar Lodge Services Limited\n\n"
            "The framework will run for four years.",
            ["Ashgrove Care Ltd", "Beacon Home Support", "Cedar Lodge Services Limited"],
        ),
        (  # bullets, a branch in brackets (left out), and a provider that failed the threshold
            "1. To appoint the following providers to the Homecare Framework from 1 April:\n\n"
            "• Larkfield Healthcare Group Ltd\n• Bluejay Care (Northtown)\n• Home Comforts\n\n"
            "2. To note that Helping Paws Ltd did not meet the quality threshold.",
            ["Larkfield Healthcare Group Ltd", "Bluejay Care", "Home Comforts"],
        ),
    ],
)
def test_framework_suppliers_listed_one_a_line(text, expected):
    assert suppliers(text) == expected


def test_lot_rows_after_an_award():
    text = "The contracts be awarded as follows:\nLot 1 - Meridian Cleaning Ltd\nLot 2 - Sparkle Services (North) Ltd\n"
    assert suppliers(text) == ["Meridian Cleaning Ltd", "Sparkle Services (North) Ltd"]


def test_several_awardees_in_one_sentence_are_split():
    text = "The Council awarded contracts to Fernhill Care and Willowbank Support Services in 2021."
    assert suppliers(text) == ["Fernhill Care", "Willowbank Support Services"]


def test_a_name_wrapped_onto_the_next_line_of_a_pdf_is_one_name():
    text = "It is recommended that the contract be awarded to Harwood Property\nServices Ltd for five years."
    record = extract_text(text, source="t.txt")
    (supplier,) = record.suppliers
    assert supplier.name == "Harwood Property Services Ltd"
    assert supplier.text == "Harwood Property\nServices Ltd" == text[supplier.start : supplier.end]


def test_a_line_break_before_an_ordinary_sentence_ends_the_name():
    assert suppliers("The contract be awarded to Veolia\nThe contract starts in April.") == ["Veolia"]


def test_legal_suffix_ends_a_name():
    text = (
        "The agreement between Northgate Parking (UK) Limited and Eastborough District Council is extended."
    )
    assert suppliers(text) == ["Northgate Parking (UK) Limited"]


def test_each_supplier_once_at_its_first_mention_fuller_name_kept():
    text = (
        "The contract was awarded to Veridian Waste Services Ltd in 2019. "
        "Cabinet notes that Veridian has performed well; the contract with Veridian Waste Services Ltd is extended."
    )
    record = extract_text(text, source="t.txt")
    assert [s.name for s in record.suppliers] == ["Veridian Waste Services Ltd"]
    assert record.suppliers[0].start == text.index("Veridian Waste")


@pytest.mark.parametrize(
    "text",
    [
        # purchasing bodies whose framework is used
        "The contract will be awarded via the framework let by the Eastern Shires Purchasing Organisation (ESPO).",
        "A call-off contract with Crown Commercial Service under RM6155 is approved.",
        "Award of a contract to YPO for the supply of stationery.",
        # the council itself and partner councils
        "The contract between the Council and Northshire County Council is extended.",
        "A contract will be let in collaboration with Westvale and Eastvale.",
        # placeholders and posts
        "The contract be awarded to Provider A, as set out in the exempt appendix.",
        "That authority be delegated to the Director of Place to award the contract to the preferred bidder.",
        "That Jane Smith be appointed as Interim Director of Adult Services.",
        "Award the contract to the Head of Procurement for signature.",
        # NHS commissioners (an NHS Trust providing the service is a supplier, below)
        "The section 75 agreement with NHS Northshire and Eastvale is extended for a year.",
        # funders and regulators
        "Cabinet approved the grant agreement with Homes England for the housing scheme contract.",
        "The service is operated by the Trust under contract and inspected by Ofsted.",
        # a losing bidder
        "The tender from Quickfix Repairs Ltd was unsuccessful and scored lower on quality.",
        # no procurement at all
        "Councillor Brown moved the motion, seconded by Councillor Green. The motion was carried.",
    ],
)
def test_not_suppliers(text):
    assert suppliers(text) == []


@pytest.mark.parametrize(
    "a, b",
    [
        ("APCOA Parking UK Limited", "APCOA Parking (UK) Limited"),
        ("Lowther & Sons plc", "Lowther and Sons PLC"),
        ("The Brightstart Trust Ltd.", "Brightstart Trust Limited"),
        ("St Anne’s Community Services", "St Annes Community Services"),
        ("Riverside Advocacy C.I.C.", "Riverside Advocacy CIC"),
    ],
)
def test_key_ignores_case_punctuation_uk_and_legal_suffixes(a, b):
    assert supplier_key(a) == supplier_key(b) != ""


def test_key_keeps_distinguishing_words():
    assert supplier_key("Veolia ES (UK) Ltd") == "veolia es"
    assert supplier_key("Care Connect UK Limited") != supplier_key("Care Connect Group")


def test_record_carries_name_and_key():
    record = extract_text("Award of contract to Northfield Care (UK) Ltd. for home care.", source="t.txt")
    (supplier,) = record.suppliers
    assert (supplier.name, supplier.key) == ("Northfield Care (UK) Ltd", "northfield care")
    assert supplier.text.startswith(supplier.name)  # the span may keep the abbreviation's dot


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "The contract is awarded to “Brightside Makers Collective” from April.",
            ["Brightside Makers Collective"],
        ),
        ("Recommended supplier: Orchard Print Ltd\nValue: £12,000", ["Orchard Print Ltd"]),
    ],
)
def test_quoted_names_and_recommended_supplier_labels(text, expected):
    assert suppliers(text) == expected
