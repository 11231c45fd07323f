"""Durations: contract terms, extensions and other periods in months, compounds split.

Kinds follow GUIDE.md: ``term`` (initial/main term of the contract decided), ``extension``
(an option to extend, or the extension of an existing contract), ``other`` (lease, notice,
mobilisation, pilot, a total including extensions). Ages, "since 2008", "the last 12 months",
financial years and vague spans are not durations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import GAP, SP, add, flat_text, scanner, sentence, text_of
from extract.analysis.numbers import NUMBER, NUMBER_WORD, word_number

_UNIT = r"(?P<unit>years?|yrs?|months?|weeks?|days?)(?:['’]s?|s['’])?"
# Between a number and its unit: "3 years", "3-year", "3 - year".
_JOIN = SP + r"?[- ]?" + SP + r"?"
_EACH_UNIT = r"(?P<each>" + NUMBER + r")" + _JOIN + _UNIT  # one part's length: "12 month"
_UNIT_MONTHS = {"y": 12.0, "m": 1.0, "w": 1 / 4.345, "d": 1 / 30.44}
_NUM = r"(?P<num>" + NUMBER + r")(?:" + SP + r"?\(\d+\))?"
# "3 years and 4 months": one duration.
# "four-year nine-month core contract", "2 years, 6 months": one duration too.
_YEARS_AND_MONTHS = (
    r"(?P<y>"
    + NUMBER
    + r")"
    + r"(?:"
    + _JOIN
    + r"|"
    + GAP
    + r")years?"
    + r"(?:,?"
    + GAP
    + r"and"
    + GAP
    + r"|,"
    + GAP
    + r"|"
    + GAP
    + r")"
    + r"(?P<m>"
    + NUMBER
    + r")"
    + r"(?:"
    + _JOIN
    + r"|"
    + GAP
    + r")months?"
)
# "3+1+1 years", "3 + 2 years", "1 plus 1 year", "2 x 12 month", "two periods of 12 months", "two 12 month periods".
_PLUS = (
    r"(?P<parts>\d+(?:\.\d+)?(?:"
    + SP
    + r"?\+"
    + SP
    + r"?\d+(?:\.\d+)?)+|\d+"
    + GAP
    + r"plus"
    + GAP
    + r"\d+)"
    + _JOIN
    + _UNIT
)
# "3 years + 1 year + 1 year": each part with its own unit
# "3 years + 1 year + 1 year", "2 years + 1 + 1" (a bare part takes the unit before it)
_PLUS_UNITS = (
    r"(?P<units>\d+(?:\.\d+)?"
    + _JOIN
    + r"(?:years?|months?)(?:"
    + SP
    + r"?\+"
    + SP
    + r"?\d+(?:\.\d+)?(?:"
    + _JOIN
    + r"(?:years?|months?))?)+)"
)
# "a 3+2+2 contract", "on a 3+2 basis": the GUIDE's compound in years with the unit left out
_PLUS_BARE = (
    r"(?P<bare>[1-9](?:"
    + SP
    + r"?\+"
    + SP
    + r"?[1-9]){1,3})(?!"
    + SP
    + r"?(?:\d|\+|years?|yrs?|months?|weeks?|days?))(?="
    + SP
    + r"*(?:\)|"
    + SP
    + r"(?:year|contract|basis|term|arrangement|agreement|framework|model)))"
)
_TIMES = r"(?P<count>\d|" + NUMBER_WORD + r")" + GAP + r"(?:x|×)" + GAP + _EACH_UNIT
_PERIODS_OF = (
    r"(?P<count>\d|" + NUMBER_WORD + r")" + GAP + r"(?:(?:further|additional|optional|possible)" + GAP + r")?"
    r"(?:periods?|terms?|extensions?)" + GAP + r"of" + GAP + r"(?:up" + GAP + r"to" + GAP + r")?" + _EACH_UNIT
)
# "2 further 12-month extensions", "three, one-year built in extension options"
_COUNT_EACH = (
    r"(?P<count>\d|"
    + NUMBER_WORD
    + r"),?"
    + GAP
    + r"(?:(?:further|additional|optional|more)"
    + GAP
    + r")?(?P<each>\d+|"
    + NUMBER_WORD
    + r")"
    + _JOIN
    + r"(?P<unit>years?|months?|weeks?)"
    + GAP
    + r"(?:(?:built|in-built|built-in|in|optional)"
    + GAP
    + r"){0,2}(?:periods|extensions|terms|(?:extension"
    + GAP
    + r")?options)\b"
)
# "2 years plus one", "extensions of 2 years plus one"
_PLUS_ONE = (
    _NUM + _JOIN + _UNIT + GAP + r"plus" + GAP + r"(?P<more>one|two|three|\d)\b"
    r"(?!" + GAP + r"(?:years?|months?|weeks?|days?))"
)
# "4\nyears" (a wrapped line), "three further years", "two additional months".
_SINGLE = (
    _NUM
    + r"(?:"
    + _JOIN
    + r"|"
    + SP
    + r"*\n"
    + SP
    + r"*|"
    + GAP
    + r"(?:further|additional|more)"
    + GAP
    + r")"
    + _UNIT
)
# "a further year", "an additional month", "another year": one period named without a number
# ("a year" alone stays out: "£2m a year" is a rate, not a period).
_A_FURTHER = (
    r"(?:(?:a|an|one)"
    + GAP
    + r"(?:further|additional|extra)|another)"
    + GAP
    + r"(?P<unit>year|month)(?:['’]s)?"
)
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w£$.,/])", r"(?![\w/])"
# Where a shape led by a number can begin. Each such shape opens with this (a test its own number
# repeats), so find() tries those shapes only at these places: a dozen a page, found in one scan,
# instead of every shape scanning the whole text.
_NUMBER_START = _EDGE_BEFORE + r"(?=\d|" + NUMBER_WORD + ")"
_STARTS = scanner(_NUMBER_START, re.I)
# Compound shapes first: where two shapes overlap, the earlier (longer, more specific) one wins.
# (name, pattern, whether it is led by a number)
SHAPES: list[tuple[str, re.Pattern, bool]] = [
    (
        name,
        scanner((_NUMBER_START if numbered else _EDGE_BEFORE) + "(?:" + pattern + ")" + _EDGE_AFTER, re.I),
        numbered,
    )
    for name, pattern, numbered in (
        ("ym", _YEARS_AND_MONTHS, True),
        ("plusunits", _PLUS_UNITS, True),
        ("plus", _PLUS, True),
        ("bare", _PLUS_BARE, True),
        ("times", _TIMES, True),
        ("periods", _PERIODS_OF, True),
        ("counteach", _COUNT_EACH, True),
        ("plusone", _PLUS_ONE, True),
        ("single", _SINGLE, True),
        ("afurther", _A_FURTHER, False),
    )
]


def _matches_at(pattern: re.Pattern, text: str, starts: list[int]) -> Iterator[re.Match]:
    """``pattern.finditer(text)`` for a pattern that cannot match empty and can begin only at
    ``starts`` (ascending)."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = match.end()
            yield match


def find(text: str) -> list[tuple[str, re.Match]]:
    """Non-overlapping duration matches in text order, compound shapes preferred."""
    taken: list[tuple[int, int]] = []
    found = []
    starts = [m.start() for m in _STARTS.finditer(text)]
    for name, pattern, numbered in SHAPES:
        for match in _matches_at(pattern, text, starts) if numbered else pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            taken.append(match.span())
            found.append((name, match))
    return sorted(found, key=lambda item: item[1].start())


# Context that makes a number of years something other than a contractual period ("the last 5
# years", but not "the contract will last 5 years").
_NOT_BEFORE = scanner(
    r"(?:\b(?:aged?|ages)[ \t]+(?:between[ \t]+)?\d+[ \t]*(?:-|–|to|and)[ \t]*"  # "aged 5 to 11 years"
    r"|\baged?|\bages|\bunder|\bover the (?:last|past|next few)|(?<!will )(?<!would )(?<!to )(?<!shall )(?<!may )(?<!could )(?<!can )\b(?:last|past|previous|first|recent)|\bsince|\bwithin"
    r"|\bevery|\bfor the last|\bin the (?:last|past)|\bbetween|\bat least|\bbefore|\bafter|\bexceeds?|"
    # how long a step takes: "the procurement will take approximately 9 months"
    r"\btak(?:e|es|ing)(?: approximately| around| about| up to| some)?|\baverage(?: of)?|"
    r"\bexceeding|\bthan|\bage|\bolder|\bshort of|\bequivalent (?:of|to)(?: around| about)?"
    # a range ("0-19 years", "6-8 week check", "from 16 years to 19 years") is an age or a span
    r"|\b\d{1,2}[ \t]*(?:-|–)|\brange from|\d[ \t]*years?[ \t]+to)[ \t]*$",
    re.I,
)
# "sixteen years’ service", "12 months' notice" is kept (other) but service length is not a period.
_NOT_AFTER = scanner(
    r"^(?:\W{0,2}(?:old|of age|ago|service|and over|\+|or (?:more|over|older|under|less)|"
    r"olds?|experience|in (?:prison|care)|of (?:experience|service)|later|earlier|"
    r"after|before|prior|from the date|from receipt|following|of the date|in arrears|left|remaining|"
    # a frequency or opening hours: "7 days a week, 24 hours a day"
    r"(?:a|per|each) (?:week|day|month|year)\b|"
    # a named check or a procedural window ("12-month check", "three day call in period")
    r"checks?\b|visits?\b|call[- ]?in\b|[ \t]*(?:-|–|to)[ \t]*\d{1,2}[ \t]*(?:years?|months?|weeks?)\b))",
    re.I,
)
# "2 year extension", "two year contract extension", "one-year extension option" (not "... with an
# option to extend", which follows the initial term).
_EXTENSION_AFTER = scanner(
    r"^[ \t-]*(?:(?!with\b|and\b|plus\b|or\b|then\b)[\w-]+[ \t]+){0,2}?(?:extensions?|renewals?)\b", re.I
)
_TERM_BEFORE = scanner(r"\b(?:initial|initially|main|core|new|original|base|fixed)\b[\w\s,-]{0,25}$", re.I)
_EXTENSION_BEFORE = scanner(
    r"\b(?:further|additional|optional|extend(?:ed|ing|able|ible)?|extensions?|renew(?:al|ed)?|plus|option of|option for|"
    r"another)\b[\w\s,():-]{0,25}$",
    re.I,
)
# "an option to extend for a further period, or periods, of up to a total of three (3) years"
_OPTION_TO_EXTEND = scanner(r"\boptions? to extend\b[^.;£]{0,70}$", re.I)
_OTHER_CUE = scanner(
    r"\b(?:pilot|lease|leases|leasehold|notice|mobili[sz]ation|warranty|consultation|defects|in total|"
    r"retention|moratorium|implementation|transition|(?:maximum|total|overall|potential) (?:contract )?(?:duration|period|term|length)"
    r"|(?:potential )?maximum(?=\W*$)"
    r"|loan|licen[cs]e|tenancy|secondment|probation\w*|guarantee|programme)\b",
    re.I,
)
# "to grant a lease of the community centre to the trust for 25 years": the lease's length, however
# far its noun is from the number.
_LEASE_FOR = scanner(
    r"\b(?:lease|licen[cs]e|tenancy)\b[^.;£]{0,70}?\bfor\s+(?:a\s+(?:term|period)\s+of\s+)?$", re.I
)
_SPAN_WORDS = scanner(r"(?:maximum|total|overall|potential)\b", re.I)
_EXTENSION_NEAR = scanner(r"\b(?:extend\w*|extensions?)\b", re.I)
_OTHER_AFTER = scanner(
    r"^[\w\s-]{0,30}?\b(?:in total|pilot|lease|notice|mobili[sz]ation|warranty|consultation|licen[cs]e|probation\w*|"
    r"tenancy|loan|including (?:all )?(?:the )?extensions?|(?:implementation|transition\w*|handover|defects?(?: liability)?|retention|run[- ]in|bedding[- ]in) (?:period|phase))\b",
    re.I,
)
_NAMED_EXTENSION = scanner(r"\b(?:extensions?|renewals?|further|additional|optional)\b", re.I)
_EXTEND_BY = scanner(
    r"\bextend(?:ed|ing|s)?\s+(?:[\w'’-]+\s+){0,4}?(?:by|for)\s+(?:up\s+to\s+)?(?:a\s+)?(?:(?:further|additional)\s+)?"
    r"(?:period\s+of\s+)?(?:up\s+to\s+)?$",
    re.I,
)
# The decision extends a contract already in place: its periods are extensions, not a new term.
_EXTENDS_EXISTING = scanner(
    r"\b(?:extend(?:ing|s|ed)?|extension of|continu(?:e|ation) (?:of|with)|further award|vary|variation)\b[^.]{0,80}?"
    r"\b(?:existing|current|concession\w*|incumbent|present)\b"
    # "agreed to extend the X contract for 3 years", but not "with an option to extend for ..."
    r"|(?<!option to )(?<!options to )(?<!provision to )(?<!right to )(?<!ability to )(?<!optional )"
    r"\b(?:extends|extended|extend|extending)\b(?= (?:the|this|these|both|its|our) )"
    # "approve the extension of the Highways Term Maintenance Contract ... for two years"
    r"|(?<!option of )(?<!option for )(?<!optional )\bextension (?:of|to) (?:the|this|these|its|our) "
    r"(?:[\w'’-]+ ){0,5}?(?:contracts?|agreements?|arrangements?)\b",
    re.I,
)
_CONTEXT = scanner(
    r"\b(?:contracts?|term|extend|extension|agreement|framework|lease|award|awarded|procure|tender|period|licen[cs]e|"
    r"service|services|provision|arrangement|pilot|option|renew|commission|deliver|concession|partnership|"
    r"notice|mobili[sz]ation|duration|further|additional|initial)\w*",
    re.I,
)


def _months(number: str, unit: str) -> float | None:
    value = word_number(number)
    if value is None:
        return None
    return round(value * _UNIT_MONTHS[unit[0].lower()], 1)


def kind_of(doc: Doc, start: int, end: int, default: str = "term") -> str:
    """term / extension / other from the words around a duration (research §4.5, in order)."""
    text = flat_text(doc)
    s_start, s_end = sentence(doc, start)
    head, tail = text[max(s_start, start - 45) : start], text[end : min(s_end, end + 40)]
    other = _OTHER_CUE.search(text[max(s_start, start - 30) : start]) or _LEASE_FOR.search(
        text, max(s_start, start - 90), start
    )
    if other:
        # "a maximum period of 8 years" is the term when no extension is in sight; with one, the
        # "potential maximum 3 years" is the total of term and extensions (GUIDE: other)
        if _SPAN_WORDS.match(other.group()) and not _EXTENSION_NEAR.search(text, max(0, start - 400), start):
            return "term"
        return "other"
    # "extended by 3 months to allow for mobilisation": the extension, not the mobilisation
    if _EXTEND_BY.search(head):
        return "extension"
    if _OTHER_AFTER.match(tail):
        return "other"
    if _EXTENSION_AFTER.match(tail):
        return "extension"
    if _TERM_BEFORE.search(head):
        return "term"
    if _EXTENSION_BEFORE.search(head) or _OPTION_TO_EXTEND.search(text, max(s_start, start - 100), start):
        return "extension"
    if default == "term" and _EXTENDS_EXISTING.search(text[s_start:start]):
        return "extension"
    return default


# "the previous 5-year contract", "the first three-year term": the length of a contract, however
# long ago it ran (unlike "the previous 12 months").
_PAST_WORD = re.compile(r"^(?:last|past|previous|first|recent)\W*$", re.I)
_NAMES_CONTRACT = re.compile(r"^[ \t]*(?:contracts?|agreements?|frameworks?|terms?|leases?)\b", re.I)
# How long a service has run: "has been delivered by the trust for 10 years", "has been in place for".
_HISTORY = re.compile(
    r"\b(?:has|have|had)\s+(?:been\s+)?(?:deliver|provid|run|ran|operat|held|work|in\s+place|support)\w*"
    r"(?:\s+[\w'’&-]+){0,5}?\s+for\s+(?:the\s+(?:last|past)\s+)?(?:some|around|about|nearly|almost|over)?\s*$",
    re.I,
)


def _is_period(doc: Doc, start: int, end: int) -> bool:
    s_start, s_end = sentence(doc, start)
    head = flat_text(doc)[max(s_start, start - 25) : start]
    tail = flat_text(doc)[end : end + 25]
    not_before = _NOT_BEFORE.search(head)
    if not_before and not (_PAST_WORD.match(not_before.group()) and _NAMES_CONTRACT.match(tail)):
        return False
    if _NOT_AFTER.match(tail) or _HISTORY.search(flat_text(doc), max(s_start, start - 80), start):
        return False
    return bool(_CONTEXT.search(flat_text(doc)[max(s_start, start - 150) : min(s_end, end + 150)]))


def _parts(shape: str, match: re.Match) -> list[tuple[float | None, str | None]]:
    """(months, forced kind) for each part of a compound; kind None means 'classify'."""
    g = match.groupdict()
    if shape == "ym":
        years, months = word_number(g["y"]), word_number(g["m"])
        return [(None if years is None or months is None else years * 12 + months, None)]
    if shape == "bare":
        numbers = re.split(r"\s*\+\s*", g["bare"])
        return [(_months(numbers[0], "years"), "term")] + [
            (_months(n, "years"), "extension") for n in numbers[1:]
        ]
    if shape == "plusunits":
        parts, unit = [], "years"
        for number, named in re.findall(r"(\d+(?:\.\d+)?)\W*(year|month)?", g["units"], re.I):
            unit = named or unit
            parts.append((_months(number, unit), "extension" if parts else None))
        return parts
    if shape == "plus":
        numbers = re.split(r"\s*(?:\+|plus)\s*", g["parts"], flags=re.I)
        first = _months(numbers[0], g["unit"])
        return [(first, None)] + [(_months(n, g["unit"]), "extension") for n in numbers[1:]]
    if shape in ("times", "periods", "counteach"):
        count = int(word_number(g["count"]) or 0)
        # "two optional 12 month extensions" names its own kind, whatever term precedes it
        named = _NAMED_EXTENSION.search(match.group())
        return [(_months(g["each"], g["unit"]), "extension" if named else "repeat")] * max(min(count, 6), 1)
    if shape == "plusone":
        return [(_months(g["num"], g["unit"]), None), (_months(g["more"], g["unit"]), "extension")]
    if shape == "afurther":
        return [(_months("1", g["unit"]), "extension")]
    further = re.search(r"\b(?:further|additional|more)\b", match.group(), re.I)
    return [(_months(g["num"], g["unit"]), "extension" if further else None)]


@Language.component("papers_durations")
def durations_component(doc: Doc) -> Doc:
    """doc.spans['durations'] with months, kind and qualifier (max for "up to")."""
    for shape, match in find(text_of(doc)):
        start, end = match.span()
        if not _is_period(doc, start, end):
            continue
        head = text_of(doc)[max(0, start - 20) : start]
        qualifier = (
            "max"
            if re.search(
                r"\bup" + GAP + r"to(?:" + GAP + r"a" + GAP + r"(?:further|maximum of))?\W*$", head, re.I
            )
            else None
        )
        parts = _parts(shape, match)
        # a compound's tail ("3 years + 2 years optional extension") names its last part, not its first
        first_kind = kind_of(doc, start, start + match.group().find("+") if shape == "plusunits" else end)
        for i, (months, forced) in enumerate(parts):
            if not months:
                continue
            if forced == "repeat":
                kind = kind_of(doc, start, end, default="extension" if len(parts) > 1 else "term")
            elif forced:
                kind = forced
            else:
                kind = first_kind if i == 0 else "extension"
            add(doc, "durations", start, end, "DURATION", months=months, kind=kind, qualifier=qualifier)
    return doc
