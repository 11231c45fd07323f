"""Roles: decision date and maker, the decided contract's start and end, and which amounts are
the contract's value. These read the spans the other components found plus page metadata.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis import dates as date_rules
from extract.analysis.base import flat_text, items, scanner, sentence, text_of, values

# Label priority for the date a decision was taken; "Decision due" and "Publication date" are not it.
_DATE_LABELS = (
    "Date of decision",
    "Decision date",
    "Decided at meeting",
    "Meeting",
    "Date of meeting",
    "Meeting date",
    "Date",
)
_MAKER_LABELS = (
    "Decision Maker",
    "Decision taken by",
    "Decision by",
    "Decision to be taken by",
    "Decided at meeting",
    "Meeting",
    "Decision due",
    "Report to",
)
_MEETING_VALUE = scanner(r"^\s*(?P<date>\S+)\s+-\s+(?P<body>[^(\n]+?)\s*(?:\(.*)?$")
_DUE_BY = scanner(r"\bby\s+(?P<body>[A-Z][^\n;(]{2,80})")
# Minutes headings: "Cabinet - Tuesday, 6th March, 2018 2.00 pm".
_MEETING_HEADING = scanner(
    r"(?m)^(?P<body>[A-Z][^\n]{2,60}?)\s+-\s+[^\n]*?\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)"
    r"day,?\s+(?P<date>[^\n]{6,30})"
)
# A report's running header naming its meeting: "Executive – 3 October 2023" as the first line.
_REPORT_HEADER = scanner(
    r"^\s*(?P<body>[A-Z][^\n–—-]{2,80}?)[ \t]+[-–—][ \t]+(?:Minutes[ \t]+[-–—][ \t]+)?(?P<date>\d{1,2}(?:st|nd|rd|th)?[ \t]+[A-Za-z]{3,9},?"
    r"[ \t]+\d{4})[ \t]*\n"
)
# Minutes as printed (PDF): "MINUTES of a meeting of the EXECUTIVE held in the Council Chamber on
# Tuesday, 12 September 2023", "Minutes of the meeting held on ..." under a "PLANNING COMMITTEE"
# title line. The meeting date is the decision date of every item minuted (GUIDE).
_MINUTES_HEADING = scanner(
    r"(?im)^[ \t]*minutes\s+of\s+(?:an?|the)\s+(?:(?:special|extraordinary|annual|ordinary|"
    r"reconvened|adjourned)\s+)?meeting(?:\s+of\s+(?:the\s+)?(?P<body>[^\n]{2,80}?))?\s+held\b"
    r"(?P<rest>[\s\S]{0,160})"
)
_TITLE_LINE = scanner(r"^\s*(?P<body>[^\n]{3,60}?)[ \t]*\n")
# On an agenda-item page the same words title the item (approving a previous meeting's minutes).
_ITEM_PAGE = scanner(r"\s*Agenda item\b", re.I)


def _minutes_heading(head: str) -> re.Match | None:
    return None if _ITEM_PAGE.match(head) else _MINUTES_HEADING.search(head)


# Issue decision pages: "21/05/2020 - Contract Award Report: ...".
_DATED_TITLE = scanner(r"(?m)^\s*(?P<date>\d{1,2}/\d{1,2}/\d{4})\s+-\s+\S")
# The body named where the decision is recorded: "It is recommended that the Leader:", "That the
# Council:", "Decisions of the Cabinet", "As Cabinet Member for X, I agree", "I <name>, City Mayor, accept".
_NAME = r"(?P<body>[A-Z][\w&'’-]*(?:,? (?:and |for |of |& )?[A-Z][\w&'’-]*){0,7})"
_MAKER_IN_TEXT = [
    scanner(p)
    for p in (
        r"(?:It is recommended(?: that)?|That|Decisions? of|resolved that) (?:the )?"
        + _NAME
        + r"\s*(?::|–|—|-\s|\n)",
        r"\bAs (?:the )?" + _NAME + r", I (?:agree|approve|decide|have)",
        r"\bI,? [A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,3}, " + _NAME + r", (?:accept|agree|approve|decide|have)",
        # a decision titled by its maker: "Leader's Urgent Decision - ...", "Director of Place decision"
        r"(?m)^[ \t]*"
        + _NAME
        + r"(?:['’]s)? (?:[Uu]rgent |[Dd]elegated |[Oo]fficer |[Kk]ey |[Ee]xecutive )?[Dd]ecision\b",
        # the decider on a line of its own before the items: "The Cabinet:", "Cabinet Member for Housing:"
        r"(?m)^[ \t]*(?:The )?" + _NAME + r"[ \t]*:[ \t]*$",
    )
]
# The decider told in a sentence: "The Cabinet gave consideration to", "the Mayor and Cabinet agreed
# to:", "The Cabinet Member RESOLVED", "4) The Executive confirm that", "Council notes that", and a
# forward plan's "Cabinet to agree a way forward" / "Cabinet is asked to".
_MAKER_NARRATED = scanner(
    r"(?m)(?:^[ \t\u00a0]*(?:(?:\(?\d{1,3}(?:\.\d{1,2})*[.)]?|\(?[a-z]{1,4}[.)])[ \t\u00a0]+)?|(?<=[.:;,])[ \t\u00a0]+)(?:[Tt]he )?"
    + _NAME
    + r" (?:gave consideration|considered|agreed|agrees|RESOLVED|resolved|(?:has|have) approved|approved|decided|"
    r"confirms? that|notes|noted|supports|(?:is |are )?(?:therefore )?(?:asked |requested |recommended )?to "
    r"(?:agree|approve|decide|consider|note|endorse|undertake))\b"
)
# A matter referred to a body to decide: "had been brought to the Planning Committee for consideration".
_MAKER_REFERRED = scanner(
    r"\b(?:brought|referred|submitted|reported) to (?:the )?"
    + _NAME
    + r" for (?:consideration|determination|decision|approval)\b"
)
# A delegated decision names the officer it was delegated to, maybe under a later title:
# "delegated the decision to award the contract to the Director of X, now Director of Y".
_DELEGATED_TO = scanner(
    r"\bdelegated (?:the decision|authority|the award)[^.\n]{0,120}? to (?:the )?"
    + _NAME
    + r"(?:, now (?:the )?(?P<now>[A-Z][^.,;\n]{3,80}))?"
)
# "The Committee considered ..." does not say which committee (GUIDE: null when not stated).
_UNNAMED = scanner(r"^(?:Sub[ -])?(?:Committee|Board|Panel|Members|Officer)$", re.I)
# A council by its name ("Devon County Council", "Sefton Metropolitan Borough Council"): as the
# decider, its full meeting, "Council" (not "Leader of the Council", not "Council Cabinet").
_A_COUNCIL = scanner(r"^(?:[A-Z][\w'’&-]*\s+){1,4}Council$")
# "contracts valued at £500,000 or more": a threshold, whatever the words before it.
_OR_MORE = scanner(r"^[^\w\n]{0,3}(?:or|and)\s+(?:more|above|over|greater|less|below|under)\b", re.I)
_DELEGATED_DECISION = scanner(r"delegated decision", re.I)
# A label value naming no post: "Officer's Delegated Decision", "Key Decision".
_NOT_A_POST = scanner(r"\b(?:delegated|key|non-key) decision\b", re.I)
# Words around a post in a label that are not its name: "The Former Cabinet Member for ...",
# "Director for children's wellbeing (Historic)".
_POST_NOISE = scanner(
    r"^(?:the\s+)?(?:former\s+|acting\s+|interim\s+|individual\s+)?|\s*\((?:historic|former|inactive|old)\)\s*$"
    # a title's trailing words: "Leader's Urgent (Decision)", "Cabinet Member RESOLVED:"
    r"|(?-i:['’]s(?:\s+(?:Urgent|Delegated|Officer|Key|urgent|delegated))?|\s+(?:Urgent|Delegated)"
    r"|\s+(?:RESOLVED|AGREED|DECIDED|APPROVED))\s*$",
    re.I,
)
# A generic post expanded to the full title the text gives it: "Cabinet Member" -> "Cabinet Member
# for Health, Social Care and Wellbeing".
_GENERIC_POST = scanner(
    r"^(?:Cabinet Member|Executive Member|Portfolio Holder|Lead Member|Executive Councillor)$"
)
_BODY_WORDS = scanner(
    r"\b(?:Cabinet|Council|Committee|Executive|Board|Leader|Mayor|Director|Member|Panel|Head|"
    r"Officer|Chief|Manager|Portfolio)\b",
    re.I,
)

# A weekday may stand between the cue and the date ("starting on Monday 1st April, 2024").
_WEEKDAY = r"(?:\s*(?:the\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?)?"
# What a start or end date label may carry before its date: "start date of the new contract is",
# "end date will be", "expiry date of".
_OF_CONTRACT = (
    r"(?: (?:of|for)(?: the| this)?(?: new| proposed)?(?: [\w-]+)? (?:contracts?|extension|agreement|framework|service))?"
    r"(?: (?:is|will be|would be|of))?"
)
_START_CUE = scanner(
    r"\b(?:from|commenc\w*(?: on| from| in)?|start(?:s|ing)?(?: on| from)?|(?<!capacity to )(?<!able to )(?<!ready to )start in|with effect from|as of|"
    r"begin(?:s|ning)?(?: on| in| from)?|effective(?: from| on)?|to commence on|go(?:es)?[- ]live(?: on| in| from)?|"
    # a new provider taking the service over: "will take over the service on 1 November 2025"
    r"tak(?:e|es|ing) over(?: [\w'’-]+){0,3}? (?:on|in)|"
    # "the start date of the new contract is", "a go-live date of"
    r"(?:start|commencement|go[- ]live) date" + _OF_CONTRACT + r"|"
    r"(?:for|over|during|covering) the period(?: of| from)?|between)" + _WEEKDAY + r"\W{0,3}(?:the\s+)?$",
    re.I,
)
_END_CUE = scanner(
    r"(?:\b(?:to|until|till|ending(?: on| in)?|ends? on|(?:end|expiry|completion) date"
    + _OF_CONTRACT
    + r"|expiry(?: of| on)?|through|"
    r"(?:completion|complete\w*) (?:by|in)|expir(?:es|ed|ing|e)(?: on| in| at the end of)?|concluding (?:on|in)|"
    r"up to and including|(?:come|comes|coming) to an end (?:on|in)|conclud\w* on|ceas\w* on|terminat\w* on|"
    r"(?:until|to|till) the end of|(?<!the )end(?=[ \t]*:))" + _WEEKDAY + r"\W{0,3}(?:the\s+)?$)",
    re.I,
)
# "the contract that commenced on 1st February 2023", "terminate their contract from 31 January":
# the old contract's dates, not the decided one's.
_OLD_START = scanner(
    r"\b(?:commenced|started|began|terminat\w*(?: [\w'’]+){0,3}? from)"
    + _WEEKDAY
    + r"\W{0,3}(?:on\W+|in\W+)?(?:the\s+)?$",
    re.I,
)
# A period told of the old contract: "The original contract ran from 1 April 2020 to ...", "The
# contract was awarded in 2021 for 3 years from 1 July 2021 to ..." (no new-period word in the
# clause: "to extend the existing contract from 1 April" is the new period).
_PAST_PERIOD = scanner(
    r"\b(?:(?:was|were|had been) (?:awarded|let|procured|tendered)|ran|original(?:ly)?|previous|existing|current)\b",
    re.I,
)
# "move the contract end date from 31 March 2025 to ...": the old end, not a start.
_END_MOVED_FROM = scanner(r"\b(?:end|expiry|completion) date(?: [\w'’]+){0,2}? from\W{0,3}(?:the\s+)?$", re.I)
# A dash ends a period only after its start ("1 April 2024 – 31 March 2027"); alone it joins a
# reporting window ("September 2021 - March 2022"). "and" ends one opened by "between".
_DASH = scanner(r"[–—-]\s*$")
_BETWEEN = scanner(r"\bbetween\W{0,3}(?:the\s+)?$", re.I)
_AND = scanner(r"\band\s*$", re.I)
# "1/4/2024 - 31/3/2027" without a "from": a day opening a range starts the period.
_RANGE_TO = scanner(r"\s*(?:-|–|—|to|until|till)\s*", re.I)
# The dates of something other than the contract, told in the clause before them: "Consultation
# on the new service ran from ...", "The tender was advertised from ...", "Performance data for the
# period ..." (no contract word between the activity and the date).
_ACTIVITY = scanner(
    r"\b(?:consult\w*|engagement|engaged|survey\w*|advertis\w*|published|data|performance|figures|activity|outturn|"
    r"monitoring|evaluation|call[- ]in|candidate|appointee|post[- ]?holder|"
    # statistics told over a window, and rates changed on a date (a fee uplift is not a contract start)
    r"demand|referrals|numbers|grown|grew|increased|rose|fell|reduced|uplift\w*)\b"
    r"(?:(?!\b(?:contracts?|agreements?|extension|framework|term|providers?|award\w*)\b)[^.;])*$",
    re.I,
)
# A month told in a sentence that reports results ("from April 2024 to March 2025 the service
# supported 412 families") is a reporting window, not the contract's period.
_REPORTED = scanner(r"\b(?:supported|delivered|helped|handled|served|achieved|recorded)\b", re.I)
# "As of 31 March 2024, 120 children were placed": a snapshot the report is dated to.
_SNAPSHOT = scanner(r"^\W*as (?:of|at)\W*$", re.I)
_OLD_CUE = scanner(
    r"\b(?:current|existing|previous|old|due to (?:expire|end|finish|cease|conclude|terminate)|(?<!will )expires?|expired|was due|extended "
    r"contract|original(?:ly)?|(?<!will )ends on|(?<!will )comes? to an end|"
    # an extension already made: "the contract was extended to 31 March 2024"
    r"(?:was|were|has been|have been|had been) extended|"
    # spend or activity reported up to a date: "spend to date ... up to 31 December 2024"
    r"to date|so far)\b",
    re.I,
)
# "extend the existing contracts to 30 June 2026": the date the extension runs to, whatever the
# contract extended is called ("... which expires on" describes the old one; "was extended to" is past).
_EXTEND_TO = scanner(
    r"(?<!was )(?<!were )(?<!been )\bextend(?:ed|ing|s)?\b"
    r"(?:(?!\b(?:expir|end|conclud|ceas|terminat|due|run)\w*)[^.;]){0,70}?\b(?:to|until|till)\W{0,3}(?:the\s+)?$",
    re.I,
)
# "The new framework expires at the end of March 2028": the new contract's own end.
_NEW_ENDS = scanner(
    r"\bnew (?:[\w'’-]+ ){0,3}?(?:contracts?|agreements?|frameworks?|arrangements?) "
    r"(?:expires?|ends?|comes? to an end)\b[^.;]{0,25}$",
    re.I,
)
_NEW_CUE = scanner(
    r"\b(?:extend\w*|extension|renew\w*|new|award\w*|varied|vary|variations?|further|additional|"
    # the length added: "..., due to end on 31 March 2025, by 12 months to 31 March 2026"
    r"by (?:a further )?(?:\d+|one|two|three|six|nine|twelve|eighteen) (?:months?|years?))\b",
    re.I,
)
_CONTRACT_CUE = scanner(
    r"\b(?:contracts?|extension|extend\w*|term|award\w*|agreement|framework|period|"
    r"services?|provision|lease|commenc\w*|start date|end date|sign(?:s|ed|ing)? up)\b",
    re.I,
)

# Words before an amount that make it something other than the decided contract's value (GUIDE:
# thresholds, savings, unrelated budgets, payment-publication limits, fees of other things).
_NOT_VALUE = scanner(
    r"\b(?:"
    r"sav(?:e|es|ed|ing|ings)|avoidance|avoided|reduction|reduce[sd]?|"  # savings
    r"grant funding|funded|funding|income|contribution|loan|rebate|allowance|(?:grant|indicative) allocation|"  # money coming in
    r"threshold|key decision|published|publish|financial impact|single purchase|"  # thresholds
    r"overspend|underspend|pressures?|deficit|surplus|reserves?|contingenc\w*|revenue budget|unspent|"  # budgets
    r"salar\w*|penalt\w*|compensation|fine|insurance|benchmark|fair cost|scheme value|scheme total|social value|"  # other things
    r"(?:consultan\w*|legal|professional|advis[eo]r\w*) (?:fees?|costs?)|"
    r"fees? (?:for|to|of) (?:the )?(?:\w+ )?(?:consultan\w*|legal|advis)|"
    # figures of the past; "the previous 5-year contract" alone is the contract re-let (as "current" is)
    r"previously agreed|previously|previous(?!\s+(?:[\w-]+\s+){0,2}?(?:contracts?|arrangements?|agreements?)\b)|last year|"
    r"of which|split|comprising|"  # a breakdown of the value already stated
    # delegation thresholds: "where individual contract values exceeded £500,000 but remained below"
    r"(?:where|if|when)\s+(?:\w+\s+){0,3}?(?:values?|contracts?|spend|amounts?)\s+(?:\w+\s+){0,2}?"
    r"(?:exceed\w*|above|below|under|less than|greater than)|(?:remain\w*|fall\w*)\s+(?:below|under|above)"
    r")\b",
    re.I,
)
# An amount said of the contract being replaced ("the current contract, awarded in 2015, had a
# value of £1.1m") is an old contract's value, unless its clause turns to the new period
# ("extend the existing contract at a cost of £X").
_OLD_CONTRACT = scanner(
    r"\b(?:current|existing|previous|old|original|expiring|incumbent|outgoing)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:contracts?|arrangements?|agreements?|frameworks?)\b"
    # "during the original contract term of 5 years, at an annual cost of £300k" is the new
    # contract's initial term
    r"(?!\s+(?:term|period|duration))[^;]*$",
    re.I,
)
_NEW_PERIOD = scanner(
    r"\b(?:extend\w*|extension|renew\w*|new|vari\w*|vary|proposed|future|increas\w*|revised|uplift\w*|ris(?:e|ing))\b",
    re.I,
)
# "The contract is worth in excess of £2m" states the value with a floor; "payments in excess of
# £500" and "contracts with a value over £100,000" are thresholds (GUIDE).
_STATED_FLOOR = scanner(
    r"\b(?:is|are|was|will be|be)\s+(?:worth|valued\s+at|estimated\s+(?:to\s+be\s+|at\s+))\W*"
    r"(?:in excess of|more than|over|at least|upwards of|above)\W*$",
    re.I,
)
# "authorised to spend up to £75,000 on consultancy support": a fee of another thing (GUIDE).
_OTHER_PURPOSE = scanner(
    r"^\W{0,3}(?:\w+\s+){0,2}?(?:on|for|towards)\s+(?:external\s+|specialist\s+)?"
    r"(?:consultan\w*|legal|professional|advis[eo]\w*|insurance)",
    re.I,
)
# What the amount is said to be, right after it: "the £400,000 efficiency saving", "£120k of cost
# avoidance", "£50,000 in savings"; the same line only (in a flattened table the next row's label
# is not this amount's).
_NOT_VALUE_AFTER = scanner(
    r"^(?:[^\w\n]{0,3}|[ \t]+(?:(?!for\b|to\b|from\b|over\b|across\b)[\w-]+[ \t]+){0,2}?)"
    r"(?:savings?|(?:cost )?avoidance|reductions?|grant|funding|contingency)\b"
    # a limit of delegated powers: "approve expenditure up to £100,000 under delegated powers"
    r"|^[ \t]+(?:under|within)[ \t]+(?:the[ \t]+|their[ \t]+|its[ \t]+)?delegat\w*[ \t]+(?:powers?|authority|limits?)",
    re.I,
)
# Money coming in named as the clause's subject, however far before: "The total indicative
# allocation for the 2025/26 financial year will be £3.2m".
_FUNDING_SUBJECT = scanner(
    r"\b(?:grant|allocation|funding|income)(?: (?:for|from|of) [^.;:£]{0,50}?)? "
    r"(?:will be|is|was|amounts? to|amounted to|totals?|totalled)\W*$",
    re.I,
)
# A payment to a provider states a price when it leads to the amount ("providers will be paid
# £21.50 per hour"), not when it follows it ("a grant of £15,000 will be paid to ...").
_PAID = scanner(r"\b(?:paid|payable|payments?)\b", re.I)
_VALUE_LABEL = scanner(
    r"[ \t]*(?:[\w()£'’-]+[ \t]+){0,4}?(?:value|cost|budget|price|spend)[\w()£ \t-]{0,20}:[ \t£]*$", re.I
)
_PARAGRAPH = scanner(r"\n[ \t\u00a0\r]*\n")
_LIST_ITEM = scanner(r"\s*(?:\(?[a-z]{1,4}\)|\(?\d{1,2}[.)](?!\d)|[•·▪‣◦*–-])\s")
_PROCUREMENT_CUE = scanner(
    r"\b(?:contract\w*|framework|tender\w*|procure\w*|award\w*|purchasing system|DPS|agreements?|"
    r"providers?|suppliers?|bids?|bidders?|lots?|call[- ]off|extension|commission\w*|concession\w*|services?|"
    # fee rates paid to providers are the care contracts' prices (GUIDE labels them values)
    r"(?:bed|base|hourly|weekly|unit|fee) rates?|fee levels?|placements?)\b",
    re.I,
)
_IS_VALUE = scanner(
    r"\b(?:contracts?|framework|tender\w*|procure\w*|award\w*|lots?|budget|value[ds]?|costs?|sum|price|worth|"
    r"spend|spent|expenditure|fee|estimated|total|rates?|bids?|quot(?:e|ed|ation))\b",
    re.I,
)


def _first_date(text: str) -> str | None:
    match = date_rules.DATE.search(text or "")
    if not match:
        return None
    iso, _ = date_rules.normalise(match)
    return iso


def decision_date(doc: Doc, metadata: dict[str, str]) -> str | None:
    """From page labels first; then a minutes heading or a dated issue-decision line."""
    for label in _DATE_LABELS:
        iso = _first_date(metadata.get(label, "")[:40])
        if iso:
            return iso
    head = text_of(doc)[:600]
    heading = _MEETING_HEADING.search(head)
    if heading and _first_date(heading.group("date")):
        return _first_date(heading.group("date"))
    header = _REPORT_HEADER.match(head)
    if header and _BODY_WORDS.search(header.group("body")) and _first_date(header.group("date")):
        return _first_date(header.group("date"))
    minutes = _minutes_heading(head)
    if minutes and _first_date(minutes.group("rest")):
        return _first_date(minutes.group("rest"))
    dated = _DATED_TITLE.search(head)
    return _first_date(dated.group("date")) if dated else None


def decision_maker(doc: Doc, metadata: dict[str, str]) -> str | None:
    """The body or officer that decided: a label first, then a heading, then the text's words."""
    maker = _stated_maker(doc, metadata)
    if maker is None:
        return None
    maker = _POST_NOISE.sub("", maker).strip() or maker
    # "Cabinet, County Council": two bodies listed, the first decided (a title's own comma,
    # "Cabinet Member for Health, Social Care", leaves a part without a body word)
    first, _, rest = maker.partition(", ")
    if rest and _BODY_WORDS.search(first) and _BODY_WORDS.search(rest):
        maker = first
    if _A_COUNCIL.match(maker):  # "Devon County Council notes that ...": the full Council decides
        maker = "Council"
    if _GENERIC_POST.match(maker):
        full = re.search(re.escape(maker) + r" for " + _NAME, text_of(doc))
        if full:
            maker = f"{maker} for {re.sub(r',? I$', '', full.group('body'))}"  # "..., I agree"
    return maker


def _stated_maker(doc: Doc, metadata: dict[str, str]) -> str | None:
    for label in _MAKER_LABELS:
        value = metadata.get(label, "").strip()
        if not value:
            continue
        if label in ("Decided at meeting", "Meeting"):
            match = _MEETING_VALUE.match(value)
            value = match.group("body") if match else ""
        elif label == "Decision due":
            match = _DUE_BY.search(value)
            value = match.group("body") if match else ""
        value = value.strip(" .;,")
        if value and len(value) <= 120 and not _NOT_A_POST.search(value):
            return value
    head = text_of(doc)[:600]
    heading = _MEETING_HEADING.search(head)
    if heading and _BODY_WORDS.search(heading.group("body")):
        return heading.group("body").strip()
    header = _REPORT_HEADER.match(head)
    if header and _BODY_WORDS.search(header.group("body")):
        return header.group("body").strip()
    minutes = _minutes_heading(head)
    if minutes:
        title = _TITLE_LINE.match(head)
        body = minutes.group("body") or (
            title.group("body") if title and title.start("body") < minutes.start() else ""
        )
        if _BODY_WORDS.search(body or ""):
            return body.strip()
    text = text_of(doc)
    delegated = _DELEGATED_TO.search(text) if _DELEGATED_DECISION.search(text) else None
    if delegated and _BODY_WORDS.search(delegated.group("body")):
        return (delegated.group("now") or delegated.group("body")).strip()
    # the earliest statement wins: each pattern's first good match, searched no further than the best so far
    best: re.Match | None = None
    for pattern in (*_MAKER_IN_TEXT, _MAKER_NARRATED, _MAKER_REFERRED):
        for m in pattern.finditer(text, 0, best.start() if best else len(text)):
            body = m.group("body")
            if _BODY_WORDS.search(body) and len(body) <= 80 and not _UNNAMED.match(body):
                best = m
                break
    return best.group("body").strip() if best else None


def _is_metadata_line(doc: Doc, char: int) -> bool:
    line_start = text_of(doc).rfind("\n", 0, char) + 1
    return bool(
        re.match(
            r"\s*(?:Publication date|Date of decision|Decided at meeting|Effective from|Meeting|"
            r"Decision due|Date|Notice of proposed|Comment|Call[- ]in)\w*\s*:",
            text_of(doc)[line_start:char],
            re.I,
        )
    )


def _is_old_end(head: str) -> bool:
    """Whether the words before an end date describe the old contract: an old cue ("due to
    expire", "current") not overridden by a later new-period cue ("..., be extended until")."""
    olds = list(_OLD_CUE.finditer(head))
    if not olds or _EXTEND_TO.search(head) or _NEW_ENDS.search(head):
        return False
    news = list(_NEW_CUE.finditer(head))
    return not news or olds[-1].end() >= news[-1].end()


def contract_period(doc: Doc) -> tuple[str | None, str | None]:
    """Start and end of the contract (or extension) decided, from cue words before each date."""
    starts, ends, old_ends = [], [], []
    last_start: tuple[int, str, int, bool] | None = None  # sentence, date, end, told of the old contract
    between = False  # the last start opened "between X and Y"
    # where the sentence's past start ended ("the contract started 1st July 2018 and had a core
    # term ending on 31st March 2023"): an end after it, with no new period between, is the old one
    old_since: tuple[int, int] | None = None
    found = items(doc, "dates")
    for i, (span, value) in enumerate(found):
        if _is_metadata_line(doc, span.start_char):
            continue
        s_start, s_end = sentence(doc, span.start_char)
        head = flat_text(doc)[max(s_start, span.start_char - 40) : span.start_char]
        context = flat_text(doc)[max(s_start, span.start_char - 200) : min(s_end, span.end_char + 100)]
        if not _CONTRACT_CUE.search(context):
            continue
        # day-precise only: a bare month range ("September 2021 - March 2022") is more often a
        # reporting window than a contract period
        opens_range = (
            i + 1 < len(found)
            and len(value["date"]) == 10
            and bool(_RANGE_TO.fullmatch(text_of(doc)[span.end_char : found[i + 1][0].start_char]))
        )
        paired = last_start is not None and last_start[0] == s_start and span.start_char - last_start[2] < 40
        if _OLD_START.search(head):
            old_since = (s_start, span.end_char)
            continue  # a past start or a termination describes the old contract
        if (
            (len(value["date"]) == 7 and _REPORTED.search(flat_text(doc), s_start, s_end))
            or _END_MOVED_FROM.search(head)
            or _SNAPSHOT.match(text_of(doc)[s_start : span.start_char])
            or _ACTIVITY.search(flat_text(doc), max(s_start, span.start_char - 80), span.start_char)
        ):
            continue
        if _START_CUE.search(head) or (opens_range and not _END_CUE.search(head)):
            clause = flat_text(doc)[max(s_start, span.start_char - 150) : span.start_char]
            clause = clause[clause.rfind(";") + 1 :]
            past = bool(_PAST_PERIOD.search(clause)) and not _NEW_CUE.search(_PAST_PERIOD.sub("", clause))
            if past:
                old_since = (s_start, span.end_char)
            else:
                starts.append(value["date"])
            last_start = (s_start, value["date"], span.end_char, past)
            between = bool(_BETWEEN.search(head))
        elif _END_CUE.search(head) or (paired and (_DASH.search(head) or (between and _AND.search(head)))):
            old = _is_old_end(flat_text(doc)[max(s_start, span.start_char - 80) : span.start_char]) or (
                old_since is not None
                and old_since[0] == s_start
                and not _NEW_CUE.search(flat_text(doc), old_since[1], span.start_char)
            )
            if (old and not paired) or (paired and last_start[3]):
                old_ends.append(value["date"])
            else:
                ends.append((paired, value["date"]))
    end = None
    if ends:
        paired = [d for p, d in ends if p]
        end = paired[0] if paired else ends[0][1]
    elif old_ends and any(v["route"] == "extension" for v in values(doc, "routes")):
        # the old contract's end, unless the decided period starts after it (an extension
        # "activated on 1 April 2023" after a core term ending 31 March 2023 has no stated end)
        end = old_ends[0] if not starts or _not_after(starts[0], old_ends[0]) else None
    # a start after the decided end is the successor's ("extend to 31 March 2026 ... new
    # arrangements from 1 April 2026")
    start = next((d for d in starts if end is None or _not_after(d, end)), None)
    return (_day_of(doc, start) if start else None), (_day_of(doc, end) if end else None)


def _not_after(first: str, second: str) -> bool:
    """Whether ISO date ``first`` is not after ``second``, at the precision both share."""
    n = min(len(first), len(second))
    return first[:n] <= second[:n]


def _day_of(doc: Doc, iso: str) -> str:
    """A month-precision start or end restated with its day elsewhere ("from August 2018" ... "from
    1 August 2018") takes the day; alone it stays a month."""
    if len(iso) != 7:
        return iso
    days = [v["date"] for v in values(doc, "dates") if v["date"].startswith(iso) and len(v["date"]) == 10]
    return days[0] if days else iso


# Financing the provider, not a price paid for the service ("The working capital will be the
# equivalent of 3 months contract value, paid in advance; approx. £1.7m").
_FINANCING = scanner(r"\b(?:working capital|cash advance|loan facility)\b", re.I)


def _contrasted(sentence_text: str) -> bool:
    """Whether a sentence sets an old contract's amount against a new one ("the existing contract
    costs £200,000; the new contract will cost £180,000"). Alone, the current contract's value is
    the value of the contract the decision is about (extended, varied or re-let): the labels on
    unseen councils' pages count it."""
    return sentence_text.count("£") > 1 and bool(_NEW_PERIOD.search(sentence_text))


def mark_contract_values(doc: Doc) -> None:
    """Set value['is_contract_value'] on each money mention (GUIDE: value/cost/budget/spend of the
    contract decided; not thresholds, savings, funding sources or other budgets)."""
    for span, value in items(doc, "money"):
        s_start, s_end = sentence(doc, span.start_char)
        head = flat_text(doc)[max(s_start, span.start_char - 90) : span.start_char]
        tail = text_of(doc)[span.end_char : min(s_end, span.end_char + 40)]
        clause = head[head.rfind(";") + 1 :]
        is_value = (
            (value["qualifier"] != "min" or bool(_STATED_FLOOR.search(head)))
            and not _NOT_VALUE.search(head[-60:])
            and not _FINANCING.search(flat_text(doc), max(s_start, span.start_char - 160), span.start_char)
            and not (
                _OLD_CONTRACT.search(clause)
                and not _NEW_PERIOD.search(clause)
                and _contrasted(flat_text(doc)[s_start:s_end])
            )
            and not _NOT_VALUE_AFTER.match(tail)
            and not _FUNDING_SUBJECT.search(head)
            and not _OR_MORE.match(tail)
            and not _OTHER_PURPOSE.match(tail)
            and (
                bool(_IS_VALUE.search(head) or _IS_VALUE.search(tail) or _PAID.search(head))
                and _about_procurement(doc, span.start_char)
                or _listed_under_prices(doc, span.start_char)
            )
        )
        value["is_contract_value"] = is_value


def _listed_under_prices(doc: Doc, char: int) -> bool:
    """Whether an amount is one line of a list of prices whose lead-in names them ("The fee levels
    for placements, in summary:" then "Working-age Adults - £727 per week;"): the list's lines
    carry no value words of their own."""
    text = text_of(doc)
    line_start = text.rfind("\n", 0, char) + 1
    if char - line_start > 80:
        return False
    for line in reversed(text[max(0, line_start - 600) : line_start].splitlines()):
        if not line.strip():
            continue
        if line.rstrip().endswith(":"):
            return bool(_IS_VALUE.search(line) and _PROCUREMENT_CUE.search(line))
        if "£" not in line:
            return False
    return False


def _about_procurement(doc: Doc, char: int) -> bool:
    """Whether the paragraph holding an amount speaks of a contract or procurement at all: "the
    building costs £42,000 a year to maintain" in a minute about a lease is a cost, not a
    contract's value (minutes and reports carry many such amounts). A list item ("(ii) at a
    total cost of £7.8m") leans on its lead-in paragraphs, so it is not judged alone."""
    text = flat_text(doc)
    breaks = list(_PARAGRAPH.finditer(text_of(doc), max(0, char - 1500), char))
    start = breaks[-1].end() if breaks else max(0, char - 1500)
    if _LIST_ITEM.match(text, start):
        return True
    after = _PARAGRAPH.search(text_of(doc), char, char + 1500)
    end = after.start() if after else min(len(text), char + 1500)
    if _PROCUREMENT_CUE.search(text, start, end):
        return True
    # a decision record's label line ("Estimated value: £250,000") leans on the record's title
    return bool(_VALUE_LABEL.match(text, start, char) and _PROCUREMENT_CUE.search(text, 0, min(start, 1500)))


@Language.component("papers_roles")
def roles_component(doc: Doc) -> Doc:
    """doc._.roles (decision_date, decision_maker, contract_start, contract_end); money roles."""
    metadata = doc._.metadata or {}
    start, end = contract_period(doc)
    doc._.roles = {
        "decision_date": decision_date(doc, metadata),
        "decision_maker": decision_maker(doc, metadata),
        "contract_start": start,
        "contract_end": end,
    }
    mark_contract_values(doc)
    return doc
