"""The speed-ups of issue 14 change no match: ``base.scanner`` finds exactly what ``re.compile``
finds, for the rules' own patterns and for patterns of every opening shape, on council text and
on arbitrary text. (Throughput itself is measured by tests/benchmarks/bench_extract.py.)"""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.analysis import category, dates, durations, money, resolutions, roles, routes, segment, suppliers
from extract.analysis.base import opening_chars, scanner
from extract.analysis.segment import sentence_bounds


def _rules() -> list[tuple[str, int]]:
    """(source, flags) of every rule pattern compiled with scanner, its guard taken off again."""
    found = []
    for module in (category, dates, durations, money, resolutions, roles, routes, segment, suppliers):
        for value in vars(module).values():
            for item in value if isinstance(value, list) else [value]:
                pattern = (
                    next((x for x in item if isinstance(x, re.Pattern)), None)
                    if isinstance(item, tuple)
                    else item
                )
                if isinstance(pattern, re.Pattern) and pattern.pattern.startswith("(?=("):
                    source = pattern.pattern
                    found.append((source[source.index(")(?:") + 4 : -1], pattern.flags))
    return found


RULES = _rules()
SHAPES = [
    r"(?<![\w-])(?:re-?)?tender(?:s|ed)?",  # lookbehind first
    r"extend\w*|(?:existing|current) contract",  # alternation
    r"(?:[A-Z]\w+ ){1,3}Council",  # class
    r"\d+ (?:years?|months?)",  # category
    r"(?:a|an)?\s*further year",  # optional start: no guard possible
    r"(?-i:[A-Z]{2,5})-run",  # case-sensitive inside a case-insensitive pattern
    r"(?m)^RESOLVED",  # inline global flags
    r"\bſpot purchase",  # a letter re.I folds irregularly
    r"(?i:name of)|Label:",  # case ignored in one scope only
    r"(?<![\w-])(?=\d|one|two)",  # zero-width: guarded by what the lookahead reads
    r"(?:x|yz)*w",  # second characters through a repeat
    r"(?:re-?)?tender|a(?:b|)c",  # through an optional prefix and an empty alternative
]
TEXT = st.lists(
    st.sampled_from(
        [
            "tender",
            "Re-tendered",
            "retender",
            "EXTEND the existing contract",
            "current contract",
            "Kent County Council",
            "3 years",
            "12 months",
            "a further year",
            "further year",
            "NHS-run",
            "nhs-run",
            "RESOLVED",
            "\n",
            " ",
            "spot purchase",
            "SPOT PURCHASE",
            "3+2 years",
            "two periods of 12 months",
            "Name of Successful Contractor",
            "name of",
            "Label:",
            "two-one 12",
            "xxw yzw w ac abc re-tender",
        ]
    )
    | st.text(max_size=8),
    max_size=12,
).map("".join)


def test_rules_are_guarded() -> None:
    assert len(RULES) > 100  # the rules' patterns are compiled with scanner, and found here


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_scanner_finds_what_re_finds(text: str) -> None:
    for pattern, flags in RULES + [(s, re.I) for s in SHAPES] + [(s, 0) for s in SHAPES]:
        plain, fast = re.compile(pattern, flags), scanner(pattern, flags)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], pattern
        assert [m.groupdict() for m in fast.finditer(text)] == [m.groupdict() for m in plain.finditer(text)]


@pytest.mark.parametrize(
    ("pattern", "guarded"),
    [
        (r"(?:exemption|waiver) of rules", True),
        (r"(?<![\w-])tender", True),
        (r"\d+ years", True),
        (r"block contract", False),  # opens with a plain character: re searches for it already
        (r"\w+ Ltd", False),  # could begin at any word character
        (r"(?:a )?", False),  # matches the empty string anywhere
    ],
)
def test_scanner_guards_only_where_it_helps(pattern: str, guarded: bool) -> None:
    assert (scanner(pattern, re.I).pattern != pattern) is guarded


def test_optional_start_guards_with_what_follows() -> None:
    assert scanner(r"(?:a |an )?(?:extra|further) year", re.I).pattern.startswith(
        "(?=(?i:[aef])(?i:[\\ nux]))"
    )


def test_second_character_guarded_where_every_match_has_one() -> None:
    assert scanner(r"(?:extend|widen)\w*", re.I).pattern.startswith("(?=(?i:[ew])(?i:[ix]))")
    assert scanner(r"(?:a|bc)d?", re.I).pattern.startswith("(?=(?i:[ab]))(?:")  # "a" alone matches


def test_rules_find_the_same_in_the_bundled_council_texts() -> None:
    """Every rule, guarded and not, on the bundled dev, seed and CMIS texts and their flattened
    and upper-cased forms."""
    folder = Path(__file__).resolve().parents[1] / "corpora" / "texts"
    texts = [f.read_text(encoding="utf-8") for f in sorted(folder.rglob("*.txt"))]
    assert texts
    texts += [t.translate(str.maketrans("\n\t\u00a0", "   ")) for t in texts] + [t.upper() for t in texts]
    for pattern, flags in RULES:
        plain, fast = re.compile(pattern, flags), scanner(pattern, flags)
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], (
                pattern
            )


def test_sentence_bounds_after_abbreviations() -> None:
    """The abbreviation guards moved behind the full-stop test still keep "c. £2m" whole."""
    text = "The cost is c. £2m this year. Cllr. Smith agreed. No. 5 was noted. Then stop."
    assert [text[s:e] for s, e in sentence_bounds(text)] == [
        "The cost is c. £2m this year.",
        "Cllr. Smith agreed.",
        "No. 5 was noted.",
        "Then stop.",
    ]


def test_category_alternation_finds_what_the_plain_buckets_find() -> None:
    """The phrase alternation with group-led phrases spread over their letters finds what the
    first-letter buckets alone find (a group-led phrase tried at every word, in its bucket's place)."""
    pairs = sorted(
        ((frag, code) for code, frags in category._vocabulary().items() for frag in frags),
        key=lambda p: -len(p[0]),
    )
    buckets: dict[str, list[str]] = {}
    for frag, _ in pairs:
        first = frag[0].lower()
        buckets.setdefault(first if first.isalnum() else "", []).append(category._phrase(frag))
    branches = [
        f"(?={first})" * bool(first) + "(?:" + "|".join(alts) + ")" for first, alts in buckets.items()
    ]
    plain = re.compile(r"\b(?=\w)(?:" + "|".join(branches) + r")\b", re.I)
    fast = category._phrases()[0]
    folder = Path(__file__).resolve().parents[1] / "corpora" / "texts"
    texts = [f.read_text(encoding="utf-8") for f in sorted(folder.rglob("*.txt"))]
    texts += [t.upper() for t in texts] + [" ".join(frag.replace("\\b", "") for frag, _ in pairs[:80])]
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        (r"(?:refuse|waste) collection", {"r", "w"}),
        (r"\bFM services", {"f"}),
        (r"(?:natural )?gas", {"n", "g"}),
        (r"\d+ years", None),  # a category
        (r"[a-z]+", None),  # a range
        (r"(?:x)?", None),  # can match empty
    ],
)
def test_opening_chars(pattern: str, chars: set[str] | None) -> None:
    assert opening_chars(pattern, re.I) == chars


def test_duration_shapes_tried_at_number_starts_find_what_a_full_scan_finds() -> None:
    folder = Path(__file__).resolve().parents[1] / "corpora" / "texts"
    texts = [f.read_text(encoding="utf-8") for f in sorted(folder.rglob("*.txt"))]
    texts += [t.upper() for t in texts] + ["twenty-one years, 3+2 years, two 12 month periods, 2 x 6 months"]
    for text in texts:
        fast = [(name, m.span()) for name, m in durations.find(text)]
        taken: list[tuple[int, int]] = []
        full = []
        for name, pattern, _ in durations.SHAPES:
            for m in pattern.finditer(text):
                if not any(m.start() < e and s < m.end() for s, e in taken):
                    taken.append(m.span())
                    full.append((name, m.span()))
        assert fast == sorted(full, key=lambda item: item[1][0])
