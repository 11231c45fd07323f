"""Money: amounts in pounds with their period (``per``) and qualifier, as GUIDE.md defines them.

Spans are found by one compiled pattern over the text (independent of tokenisation) and then
classified from the words around them in the same sentence.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import GAP, SP, add, after, before, scanner, text_of
from extract.analysis.numbers import parse_amount

_DIGITS = r"\d[\d,]*(?:\.\d+)?"
_MAG = r"(?:bn|billions?|millions?|mn|thousand|m|k|b)(?![A-Za-z])"
# '?' is a pound sign mangled by a wrong charset (GUIDE note on d001); only before thousands groups.
_CURRENCY = r"(?:£|GBP|\?(?=\d{1,3}(?:,\d{3})+))"
MONEY = scanner(
    r"(?P<cur>"
    + _CURRENCY
    + r")"
    + SP
    + r"{0,3}(?P<num>"
    + _DIGITS
    + r")(?:"
    + SP
    + r"?(?P<mag>"
    + _MAG
    + r"))?"
    r"|(?<![\d.,£])(?P<num2>"
    + _DIGITS
    + r")(?:"
    + SP
    + r"?(?P<mag2>"
    + _MAG
    + r"))?"
    + SP
    + r"(?P<word>pounds(?: sterling)?|sterling|GBP)\b",
    re.I,
)

_PER_AFTER = [
    (
        "year",
        r"(?:per|a|an|each|every|in each|/)"
        + SP
        + r"?(?:(?:financial|calendar|contract) )?(?:ann?um|year|yr)\b|p\.?\s?a\.?(?![a-z])|p/a\b|annually\b|yearly\b",
    ),
    ("month", r"(?:per|a|each|every|/)" + SP + r"?(?:calendar )?month\b|pcm\b|monthly\b"),
    ("week", r"(?:per|a|each|every|/)" + SP + r"?(?:week|wk)\b|p\.?w\.?(?![a-z])|p/w\b|weekly\b"),
    ("day", r"(?:per|a|each|every|/)" + SP + r"?(?:day|night)\b|daily\b"),
    ("hour", r"(?:per|an|each|/)" + SP + r"?(?:hour|hr)\b|hourly\b|p/?h(?:ou)?r\b|p/?h\b"),
    (
        "unit",
        r"(?:per|each|a|an|/)" + SP + r"?(?:placement|bed|child|young person|person|unit|household|package|"
        r"property|place|pupil|client|resident|dwelling|home|head|user|participant|learner|family|visit|session|meal|referral|assessment|journey|tonne|room|patient)\b",
    ),
]
_PER_AFTER_RE = [
    (
        per,
        re.compile(
            r"^" + SP + r"{0,3}\(?(?:\(?(?:excl?\.?|excluding|including|inc\.?|ex|plus|\+)"
            r"" + SP + r"?VAT\)?" + SP + r"{0,3})?"
            # "£28,000 in block funding per annum", "£2m of additional spend a year"
            r"(?:(?:in|of)" + SP + r"(?:[a-z][\w-]*" + SP + r"){1,3}(?=(?:per|a|an|each)" + SP + r"))?"
            r"(?:" + pattern + r")",
            re.I,
        ),
    )
    for per, pattern in _PER_AFTER
]
_PER_TWICE = re.compile(
    r"^"
    + SP
    + r"{0,3}per"
    + SP
    + r"\w+(?:"
    + SP
    + r"\w+)?"
    + SP
    + r"(?:per|a)"
    + SP
    + r"(week|month|year|annum|day|night|hour)\b",
    re.I,
)
_FILL = (
    r"(?:(?:a|an|the|of|at|is|be|to|for|with|will|sum|cost|costs|value|contract|spend|budget|fee|price|"
    r"total|gross|net|estimated|anticipated|annual|approximately|overall|around|of|in|worth|amount|figure|"
    r"expenditure|notional|capital|revenue|up|maximum|some|framework|agreement)" + GAP + r"){0,6}$"
)
# A period adjective a few words before the amount: "an annual contract value of £X",
# "a weekly rate of £X", "the daily fee is £X".
_PERIOD_ADJECTIVE = [
    (per, re.compile(r"\b(?:" + words + r")\b\W+(?:\w+\W+){0,4}$", re.I))
    for per, words in (
        ("year", r"annual|annually|yearly|per annum|each year|a year"),
        ("month", r"monthly|per month|each month"),
        ("week", r"weekly|per week|each week"),
        ("day", r"daily|nightly|per day|per night"),
        ("hour", r"hourly|per hour"),
    )
]
_PERIOD_BEFORE = _PERIOD_ADJECTIVE + [
    # "Annual spend through the system was estimated at £3.8m", "the weekly cost of the contract
    # is £2,500": the period names the noun the amount restates, however many words later in the
    # same clause.
    (
        per,
        re.compile(
            r"\b(?:"
            + words
            + r")\s+(?:contract\s+)?(?:value|spend|cost|expenditure|price|fee|charge|budget)s?\b"
            r"[^.;£]{0,60}$",
            re.I,
        ),
    )
    for per, words in (("year", "annual|yearly"), ("month", "monthly"), ("week", "weekly"), ("day", "daily"))
]
_TOTAL_BEFORE = re.compile(
    r"\b(?:total|totall?(?:ing|ed)|totals|aggregat\w*|overall|whole[- ]life|lifetime|combined|cumulative|in total|"
    r"maximum (?:contract )?(?:cost|value|spend)|including (?:all |any |the )?(?:optional |possible )?extensions?)\b"
    r"(?:[^\w£]|£(?!\s*\d))+(?:[\w-]+(?:[^\w£]|£(?!\s*\d))+){0,8}$",
    re.I,
)
# "The total value includes a purchase of £X": a part of the total, not the total.
_PART_OF = re.compile(r"\b(?:includes|included|of which|consist\w*|compris\w*)\b", re.I)
# The amount of a stated stretch of time is its total: "for the potential maximum 3 years of the
# contract will be £X", "for the initial term of 4 years is £X", "for a five-year period from 1st
# October 2022 to 30th September 2027 at the value of £X", "from 1 May to 31 March, at a value of
# up to £X", "over three years: £X" (checked after the per-period words: "from April at an annual
# cost of £X" is a year's).
# A bare "for 18 months, at a fee of £X" is left alone (the GUIDE's labels read it as the amount).
_PERIOD_TOTAL = re.compile(
    r"(?:\b(?:for\s+(?:the|a|an|its|this|that)\s+|(?:over|across|during|throughout)\s+(?:the\s+|a\s+|its\s+|this\s+)?)(?:[\w-]+\s+){0,3}?"
    r"(?:[\w-]+[- ])?(?:years?|months?|period|term|duration|life|lifetime)\b"
    r"|\b(?:from|period(?:\s+of)?|between)\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+(?:\d{4}\s+)?(?:to|until|and)\s+\d{1,2}(?:st|nd|rd|th)?"
    r"\s+[A-Z][a-z]+\s+\d{4})"
    r"[^\w£]+(?:[\w-]+[^\w£;]+){0,12}$"
)
_OPTION = re.compile(r"\b(?:extend\w*|extension|option)\b", re.I)
# A label naming a unit price: "Residential Bed Rate: £657.90", "the placement fee of £X".
_UNIT_LABEL = re.compile(
    r"\b(?:bed|unit|placement|package|session|place|visit)\s+(?:rate|price|fee|cost)s?\b[^\w£]*(?:of\s+|is\s+)?$",
    re.I,
)
# "across the remaining term" is what is left of a contract, not a total over it (as "over the
# remainder of the contract" is not).
_TOTAL_AFTER = re.compile(
    r"^\W{0,3}(?:in total|in aggregate|total (?:contract )?(?:value|cost|spend)\b|"
    r"over (?:the |its )?(?:[\w-]+ ){0,2}?(?:life|lifetime|whole|full|"
    r"duration|term|period)|over (?:a |the )?(?:\w+[- ])?(?:year|month)|across(?! (?:the )?remain)|"
    # "£12m for the period 2024-2029", "£120,000 for the 12 months", "for the whole contract period"
    r"for the (?:whole |full |entire |initial |total |same )?(?:contract |extension |extended )?(?:period|term|duration|life)\b|"
    r"for the (?:\w+[- ])?(?:years?|months?)\b(?! \d))",
    re.I,
)
_QUALIFIERS = [
    (
        "max",
        r"up"
        + GAP
        + r"to|maximum(?:"
        + GAP
        + r"of)?|max\.?|not"
        + GAP
        + r"(?:to"
        + GAP
        + r")?exceed(?:ing)?|"
        r"capped"
        + GAP
        + r"at|ceiling(?:"
        + GAP
        + r"of)?|no"
        + GAP
        + r"more"
        + GAP
        + r"than|limit"
        + GAP
        + r"of|"
        r"within" + GAP + r"(?:a" + GAP + r")?budget" + GAP + r"of",
    ),
    (
        "approx",
        r"in" + GAP + r"the" + GAP + r"region" + GAP + r"of|approximately|approx\.?|around|circa|c\.|"
        r"about|estimated|anticipated|notional|roughly|some|indicative|projected|forecast",
    ),
    (
        "min",
        r"at" + GAP + r"least|over|more" + GAP + r"than|in" + GAP + r"excess" + GAP + r"of|exceeding|exceeds|"
        r"above|upwards" + GAP + r"of|greater" + GAP + r"than|minimum(?:" + GAP + r"of)?|(?<=\w)>|>|≥",
    ),
]
_QUALIFIER_RE = [
    (
        q,
        re.compile(
            r"(?:(?<!\w)(?:" + p + r")|(?<=\w)[>≥])" + SP + r"*" + _FILL
            if q == "min"
            else r"(?<!\w)(?:" + p + r")" + SP + r"*" + _FILL,
            re.I,
        ),
    )
    for q, p in _QUALIFIERS
]
_RANGE_NEXT = re.compile(
    r"^" + SP + r"*(?:-|–|to|and)" + SP + r"*(?:£|GBP)?" + SP + r"?[\d.,]+" + SP + r"?" + r"(" + _MAG + r")",
    re.I,
)


def period_of(doc: Doc, start: int, end: int) -> tuple[str | None, int]:
    """The ``per`` of an amount and how far its period words reach (to widen the span)."""
    tail = text_of(doc)[end : end + 60]
    twice = _PER_TWICE.match(tail)
    if twice:
        word = twice.group(1).lower()
        return ("year" if word == "annum" else word), end + twice.end()
    for per, pattern in _PER_AFTER_RE:
        match = pattern.match(tail)
        if match:
            # "the weekly fee will be £1,250 per child": a price per unit for a period is the period's
            if per == "unit":
                head = before(doc, start, 60)
                for period, before_pattern in _PERIOD_ADJECTIVE:
                    if before_pattern.search(head):
                        return period, end + match.end()
            return per, end + match.end()
    head = before(doc, start, 60)
    wide = before(doc, start, 160)
    total = _TOTAL_BEFORE.search(wide)
    if (total and _is_this_total(total.group())) or _TOTAL_AFTER.match(after(doc, end, 40)):
        return "total", end
    for per, pattern in _PERIOD_BEFORE:
        match = pattern.search(head)
        # "£28,000 per annum, on top of the £200,000": a period right after another amount is its
        if match and "£" not in head[max(0, match.start() - 25) : match.start()]:
            return per, end
    if _UNIT_LABEL.search(head):
        return "unit", end
    # an extension option between the period and the amount leaves open which stretch it covers
    if _PERIOD_TOTAL.search(wide) and not _OPTION.search(wide):
        return "total", end
    return None, end


def _is_this_total(words: str) -> bool:
    """Whether the words from a "total" label to an amount make it that total: not a part the
    total includes, nor the amount of another table line below the label ("Total\nAnnual cost £X")."""
    last_line = words[words.rfind("\n") + 1 :] if "\n" in words else ""
    return not _PART_OF.search(words) and not re.search(r"[A-Za-z]", last_line)


def qualifier_of(doc: Doc, start: int) -> str | None:
    head = before(doc, start, 70)
    for qualifier, pattern in _QUALIFIER_RE:
        if pattern.search(head):
            return qualifier
    return None


@Language.component("papers_money")
def money_component(doc: Doc) -> Doc:
    """doc.spans['money'] with amount, currency, per and qualifier."""
    for match in MONEY.finditer(text_of(doc)):
        digits = match.group("num") or match.group("num2")
        magnitude = match.group("mag") or match.group("mag2")
        if magnitude and magnitude.lower() == "b" and not match.group("cur"):
            continue
        if not magnitude:  # "between £1.5 and £2 million": the first borrows the second's magnitude
            borrowed = _RANGE_NEXT.match(text_of(doc)[match.end() : match.end() + 30])
            if borrowed and "," not in digits and float(digits.replace(",", "") or 0) < 1000:
                magnitude = borrowed.group(1)
        amount = parse_amount(digits, magnitude)
        if amount is None:
            continue
        per, end = period_of(doc, match.start(), match.end())
        add(
            doc,
            "money",
            match.start(),
            end,
            "MONEY",
            amount=amount,
            currency="GBP",
            per=per,
            qualifier=qualifier_of(doc, match.start()),
        )
    return doc
