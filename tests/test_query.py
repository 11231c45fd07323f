"""The query language: one parse into one model, clear errors with a column for bad input."""

import pytest

from index.query import AnyOf, Match, Phrase, Query, QueryError, Range, Word, parse
from papers.errors import EXIT_USAGE, UserError


def test_words_phrases_exclusions_and_or():
    q = parse('fostering "care  services" -respite framework OR dps')
    assert q.must == (Word("fostering"), Phrase("care  services"), AnyOf((Word("framework"), Word("dps"))))
    assert q.must_not == (Word("respite"),)
    assert [c.text for c in q.text_clauses()] == ["fostering", "care  services", "framework", "dps"]


def test_or_chains_and_joins_filters():
    q = parse("council:bromley OR council:camden OR council:leeds")
    assert q.must == (AnyOf(tuple(Match("council", c) for c in ("bromley", "camden", "leeds"))),)


def test_lowercase_or_is_a_word_and_punctuation_is_not():
    assert parse('cost - benefit or value & "&"').must == (
        Word("cost"),
        Word("benefit"),
        Word("or"),
        Word("value"),
    )


def test_keyword_and_text_filters():
    q = parse(
        'council:Bromley type:decision-details route:Direct_Award committee:"Executive Cabinet" maker:leader'
    )
    assert q.must == (
        Match("council", "bromley"),
        Match("page_type", "decision_details"),
        Match("routes", "direct_award"),
        Match("committee", "Executive Cabinet", text=True),
        Match("decision_maker", "leader", text=True),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after:2019-01-01", Range("decision_date", low="2019-01-01")),
        ("after:2019", Range("decision_date", low="2019-01-01")),
        ("after:1800", Range("decision_date", low="1800-01-01")),  # the supported range's ends
        ("before:2200-12-31", Range("decision_date", high="2200-12-31", include_high=False)),
        ("before:2020-03", Range("decision_date", high="2020-03-01", include_high=False)),
        ("year:2019", Range("year", low=2019, high=2019)),
        ("year>2019", Range("year", low=2019, include_low=False)),
        ("value>=2m", Range("annual_value", low=2_000_000.0)),
        ("value<500k", Range("annual_value", high=500_000.0, include_high=False)),
        ("value>£1,250,000", Range("annual_value", low=1_250_000.0, include_low=False)),
        ("value<=1.5bn", Range("annual_value", high=1.5e9)),
        ("term>=36", Range("term_months", low=36.0)),
        ("term<5y", Range("term_months", high=60.0, include_high=False)),
        ("term=18months", Range("term_months", low=18.0, high=18.0)),
    ],
)
def test_ranges(text, expected):
    assert parse(text).must == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("category:85", Match("category_prefixes", "85")),
        ("category:8531", Match("category_prefixes", "8531")),
        ("category:85311000-2", Match("category_prefixes", "85311")),  # check digit and padding dropped
        ("category:85000000", Match("category_prefixes", "85")),
        ("category:03100000-2", Match("category_prefixes", "031")),
        ("supplier:veolia", Match("supplier_words", "veolia", text=True)),
        ('supplier:"APCOA Parking (UK) Limited"', Match("supplier_words", "apcoa parking", text=True)),
        ('supplier:"Smith & Sons plc"', Match("supplier_words", "smith sons", text=True)),
    ],
)
def test_category_and_supplier_filters(text, expected):
    assert parse(text).must == (expected,)


def test_negated_filter_and_empty_query():
    assert parse("-council:bromley").must_not == (Match("council", "bromley"),)
    assert parse("").is_empty and parse("   ").is_empty and parse(None) == Query()


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("value>=oops", 8, "'oops' is not an amount"),
        ('fostering "care services', 11, "unbalanced quote"),
        ("colour:red", 1, "unknown field 'colour'"),
        ("fostering zap>=3", 11, "unknown field 'zap'"),
        ("OR fostering", 1, "OR needs a term before it"),
        ("fostering OR", 11, "OR needs a term after it"),
        ("a OR OR b", 3, "OR needs a term after it"),
        ("a OR -b", 6, "excluded term cannot be one side of OR"),
        ("after:2019-02-30", 7, "not a real date"),
        ("before:yesterday", 8, "wants a date"),
        ("after:0000-01-01", 7, "after: 0 is outside the supported dates (years 1800 to 2200)"),
        ("after:1500", 7, "1500 is outside the supported dates"),
        ("fostering before:9999", 18, "before: 9999 is outside the supported dates"),
        ("council>=bromley", 8, "council: takes ':' not '>='"),
        ("route:quick", 7, "unknown route 'quick'"),
        ("type:blog", 6, "unknown type 'blog'"),
        ("term>=ages", 7, "not a term"),
        ("year:19", 6, "not a year"),
        ('a ""', 3, "empty phrase"),
        ("council:", 9, "needs a value"),
        ('foo"bar"', 4, "a quote must start a phrase"),
        ("-", 1, "- needs a word or phrase after it"),
        ("  - ", 3, "- needs a word or phrase after it"),
        ("(", 1, "nothing to search for in '('"),
        (" * ", 2, "nothing to search for in '*'"),
        ('-( "&"', 1, 'use words, "phrases" or filters'),
        ("category:xyz", 10, "category: wants a CPV code or its first digits"),
        ("category:8", 10, "not '8'"),  # a division has two digits
        ("category:853110001", 10, "not '853110001'"),
        ("category>85", 9, "category: takes ':' not '>'"),
        ('supplier:"Ltd"', 10, "supplier: 'Ltd' has no name left"),
    ],
)
def test_malformed_queries_say_what_and_where(text, column, words):
    with pytest.raises(QueryError) as info:
        parse(text)
    err = info.value
    assert err.column == column and err.position == column - 1
    assert words in str(err)
    assert str(err).startswith(f"bad query at column {column}: ")
    assert "\n" not in str(err)
    assert isinstance(err, UserError) and err.exit_code == EXIT_USAGE


def test_user_text_stays_data():
    """Characters that mean something to engine query parsers are just words or phrase text here."""
    # "title" is not a field of ours, so it is an error rather than a silent field query
    with pytest.raises(QueryError):
        parse("title:x")
    q = parse('AND "a:b OR c" +must ~fuzzy^2 (x)')
    assert q.must == (Word("AND"), Phrase("a:b OR c"), Word("+must"), Word("~fuzzy^2"), Word("(x)"))
