"""Procurement routes in GUIDE.md's vocabulary, scoped to what the document decides.

A lexicon of route phrases (a spaCy PhraseMatcher would miss "tender*" inflections and the
"waive ... Contract Procedure Rules" windows, so these are patterns over the text) plus two guards:
alternatives that were rejected or are a later step ("re-tender ... was not recommended",
"will be retendered") do not count, and a negated tender ("not required to competitively
tender") is an exemption, not a tender.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import add, flat_text, scanner, sentence, text_of

# A short window inside one sentence: no full stop (but "Rule 12.3") and no paragraph break, so
# "... Contract Procedure Rules.\n\nAppendix A (exempt)" is not an exemption.
_G = r"(?:[^.\n]|\.(?=\d)|\n(?![ \t]*\n)){0,80}?"
ROUTES: list[tuple[str, str]] = [
    (
        "tender",
        r"(?<![\w-])(?:re-?)?tender(?:s|ed|ing)?\b|competitive (?:procurement|process)|open procedure|"
        r"restricted procedure|\bITT\b|procured (?:through|via|by) (?:a |an )?(?:open|competitive)",
    ),
    (
        "framework",
        # "framework" alone is also a policy word ("Contract Management Framework", "the strategic
        # framework"); those uses are not a procurement route. The guards look back from the end of
        # the word, so they run only where it is found (not at every position of the text).
        r"framework"
        r"(?<!policy framework)(?<!strategic framework)(?<!strategy framework)"
        r"(?<!management framework)(?<!performance framework)(?<!governance framework)"
        r"(?<!planning framework)(?<!regulatory framework)(?<!legal framework)"
        r"(?<!outcomes framework)(?<!outcome framework)(?<!quality framework)"
        r"(?<!risk framework)(?<!financial framework)(?<!assurance framework)"
        r"(?<!accountability framework)(?<!competency framework)(?<!assessment framework)"
        r"(?<!national framework)(?<!budget framework)(?<!investment framework)"
        r"(?<!delivery framework)(?<!decision-making framework)"
        r"(?<!decision making framework)(?<!social value framework)(?<!values framework)"
        r"(?: agreement| arrangement)?s?\b(?! for (?:action|change|decision|the (?:future|delivery)))"
        r"|call[- ]off|\bcalled off\b",
    ),
    ("mini_competition", r"mini[- ]?competition|further competition"),
    ("dps", r"dynamic (?:purchasing system|market)|\bDPS\b"),
    (
        "direct_award",
        r"direct(?:ly)? award\w*|award\w* directly|direct appointment|single[- ]source\w*|"
        r"single tender action|without (?:a )?(?:further )?competition|direct contract award|"
        r"negotiated (?:procedure )?without",
    ),
    (
        "exemption",
        r"(?:exemption|waiv\w+|suspension|exception|disapplication|variation)"
        + _G
        + r"(?:contract(?:s)? procedure rules?|standing orders|procurement rules|contract rules|"
        r"\bCPRs?\b|\bCSOs?\b|competitive tendering|requirement to (?:competitively )?tender|tendering requirements)|"
        r"(?:contract(?:s)? procedure rules?|standing orders|\bCPRs?\b|\bCSOs?\b)"
        + _G
        + r"\b(?:waived|be waived|"
        r"exempt\w*|set aside|suspended|disapplied)|not required to (?:competitively )?tender|"
        r"exempt(?:ed|ion)? from (?:the )?(?:requirement|tender|competit)",
    ),
    (
        "extension",
        r"extend\w*" + _G + r"(?:existing|current|concession\w*|present)(?: [\w-]+){0,3}? (?:contract|"
        r"agreement|arrangement|provision|service)|(?:existing|current|present) (?:contracts?|agreements?|"
        r"arrangements?)" + _G + r"(?<!not be )(?<!cannot be )(?<!can not be )(?<!no longer be )"
        r"(?<!no )(?<!no further )(?<!no option to )(?<!not possible to )(?<!unable to )\b(?:extend\w*|extension)|"
        # "an extension to the parking enforcement contract", not "the option of an extension to ..."
        r"(?<!option of an )(?<!option for an )(?<!optional )extension (?:of|to) (?:the |this |these |its )?"
        r"(?:[\w'’&-]+ ){0,4}?contracts?\b|contract extension|"
        r"further award of (?:the )?contract|variation (?:to|of) (?:the |this )?(?:existing |current )?"
        r"contract|vary (?:the |this )?(?:existing |current )?contract|"
        # "extend the X contract by a year"; an option to extend is part of a new contract's terms
        r"(?<!option to )(?<!options to )(?<!provision to )(?<!ability to )extend\w* (?:the|this|these|both|all) "
        r"(?:[\w'’&-]+ ){0,3}?contracts? (?:by|for|until|to|utilising|using|with)\b|"
        r"exercis\w* (?:of )?(?:the|an?|its) (?:[\w-]+ )?option to extend|"
        r"variations? (?:to|of)\b[^.]{0,110}?\bcontract",
    ),
    ("block_contract", r"block (?:contract|purchas\w*|booking|arrangement)s?"),
    ("spot_purchase", r"spot[- ](?:purchas\w*|contract\w*|basis|placement)"),
    (
        "joint_procurement",
        r"joint (?:procurement|tender\w*|commissioning)|collaborative (?:procurement|tender\w*)|"
        r"lead (?:authority|council|the procurement|a joint)|consortium|"
        r"in partnership with (?:[\w&'’,-]+ ){0,6}?(?:councils?|authorities|authority|boroughs?|NHS|CCGs?|ICBs?)\b|"
        r"on behalf of (?:the )?(?:other|partner|neighbouring|participating) (?:councils|authorities)",
    ),
    (
        "in_house",
        r"(?:bring|brought|bringing|deliver(?:ed)?|provide[d]?|run|retain(?:ed)?)\w*(?: \w+){0,3} "
        r"in[- ]house|insourc\w*|in[- ]house (?:provision|delivery|option)",
    ),
    ("grant", r"award\w* (?:of )?(?:a )?grants?\b|grant (?:agreement|award|funding agreement)s?"),
    # Routes named indirectly (issue 14), each its own pattern so that its leading words are
    # searched for directly rather than tried at every position of one long alternation (a leading
    # literal, with no \b before it, lets the regex engine skip to it).
    # The Provider Selection Regime's direct award processes, and negotiating with one supplier:
    ("direct_award", r"PSR\b" + _G + r"direct award|most suitable provider process"),
    (
        "direct_award",
        r"negotiat\w*(?: \w+){0,4}? with (?:a |one |the )?(?:single|sole|one|only) (?:supplier|provider|contractor)",
    ),
    ("direct_award", r"sole (?:supplier|provider) (?:exemption|justification)"),
    # the Procurement Act 2023's competitive procedures, and going out to the market
    ("tender", r"competitive (?:flexible procedure|procedure|dialogue)"),
    ("tender", r"open (?:procurement|market) (?:process|exercise)"),
    ("tender", r"out to (?:the )?(?:open )?market\b(?<!about to market)"),
    # negotiated without notice for urgency, and a call-off made without competition
    ("direct_award", r"Regulation 32\b"),
    ("direct_award", r"direct call[- ]?off"),
    # an extension built into the contract, taken up: "take up the 12 month extension option",
    # "activate the second extension period", "invoke the extension clause"
    ("extension", r"(?:tak(?:e|ing|en)|took) up (?:the|an?|its) (?:[\w-]+ ){0,3}?extension"),
    (
        "extension",
        r"\b(?:activat|invok|utilis|utiliz|trigger|enact|exercis)\w* (?:of )?(?:the|an?|its) (?:[\w-]+ ){0,3}?"
        r"extension(?:s| options?| clauses?| provisions?| periods?)?\b",
    ),
    # "the contract is due to expire ... approval to extend it" (not "extend it to cover more wards")
    # (the lookbehinds follow the literal so that it still leads the pattern)
    (
        "extension",
        r"extend(?<!option to extend)(?<!options to extend)(?<!provision to extend)(?<!right to extend)"
        r" (?:it|them)\b(?! to (?:include|cover|other|all|more|new))",
    ),
    # "continue funding these services for an additional year"
    (
        "extension",
        r"continu\w* (?:funding|to fund|(?:the|these|this|its|existing|current) (?:[\w'’-]+ ){0,4}?"
        r"(?:contracts?|services?|arrangements?|provision))\b" + _G + r"\bfor (?:a|an|one|\d+|two|three|six) "
        r"(?:further|additional|extra)\b",
    ),
    # procured together with another public body: "jointly commissioned with the ICB", "the
    # procurement exercise with NHS England"
    ("joint_procurement", r"jointly (?:commission|procur|tender)\w*"),
    (
        "joint_procurement",
        r"(?:procurement|tender\w*)(?: exercise| process)? (?:jointly )?with (?:the )?(?:NHS\b|ICB\b|CCG\b|"
        r"(?:neighbouring|partner) (?:councils|authorities)|(?-i:(?:[A-Z][\w&'’-]+ ){1,4}(?:Council|Councils|ICB|CCG)\b))",
    ),
    # a modification under the procurement regulations varies the existing contract
    (
        "extension",
        r"modif\w*(?: (?:to|of) (?:the |this )?(?:existing |current )?contract|"
        + _G
        + r"(?:Regulation 72|Public Contracts Regulations|procurement regulations|Procurement Act))|Regulation 72\b",
    ),
    # "commissioned for Plymouth City, Devon County and Torbay Councils"
    (
        "joint_procurement",
        r"(?-i:(?<![\w&'’-])(?:[A-Z][\w&'’-]+,? ){1,6}and (?:[A-Z][\w&'’-]+ ){1,3}Councils\b)",
    ),
    # the council's own team or homes: "provided by the council's corporate equality team", "WCC
    # operated internal children's homes", "council-run homes"
    (
        "in_house",
        r"\bby (?:the )?(?:council|authority)(?:['’]s)? (?:own |internal |corporate )?(?:[\w-]+ ){0,4}?(?:team|staff|service)s?\b",
    ),
    (
        "in_house",
        r"\b(?:council|authority|(?-i:[A-Z]{2,5}))[- ](?:run|operated|owned|managed) "
        r"(?:internal )?(?:[\w'’-]+ ){0,2}?(?:homes?|services?|provision)",
    ),
]
_ROUTE_RE = [(route, scanner(pattern, re.I)) for route, pattern in ROUTES]
# Sentences that describe options considered and rejected, or later/hypothetical steps.
_REJECTED = scanner(
    r"\b(?:alternative options?|options? considered|other options|rejected|not (?:be )?recommended|was discounted|"
    r"were discounted|not considered|not (?:a )?viable|is not proposed|not an option|instead of|could have|"
    r"than is possible|would reduce)\b",
    re.I,
)
# A heading that opens a section of options considered and rejected (everything under it is moot).
_ALTERNATIVES = scanner(
    r"(?im)^[ \t]*(?:\d+(?:\.\d+)*\.?[ \t]+)?(?:alternative|other) options?[^\n]{0,60}$|"
    r"^[ \t]*options? considered[^\n]{0,60}$"
)
_SECTION_END = scanner(r"(?m)^[ \t]*[A-Z][^\n.]{2,60}:?[ \t]*$")
# Tender words that name something other than the route decided: a bid ("the tender of X"), an
# exemption from tendering, or a later step ("will be retendered", "prior to a competitive process").
_NOT_TENDER_BEFORE = scanner(
    r"(?:\b(?:not|no need to|without|exemption|exempt|waiver|waive\w*|prior to|before|"
    r"until|pending)\b[\w\s]{0,35}|\b(?:will|would|to) be |\bsingle[- ])$",
    re.I,
)
_NOT_TENDER_AFTER = scanner(r"^\s*(?:of\b|from\b|submitted by|price|prices|sum)", re.I)
# A route said to happen later is a future procurement, not the one decided ("the service will be
# retendered when the extension ends", "a tender exercise in due course").
_LATER = scanner(
    r"^[^.;]{0,80}?\b(?:in due course|in (?:the )?future|next year|at a later (?:date|stage)|later (?:this|in the) year|"
    r"when the (?:current |existing |new )?(?:contract|extension|agreement)s? (?:expires?|ends?|runs? out)|"
    r"at the end of the (?:extension|extended|current|existing))",
    re.I,
)
# Any route said to be a later, planned step ("a joint procurement ... is planned") or the way the
# old arrangement was bought ("the current arrangements, which are spot purchased, end ...").
_PLANNED = scanner(
    r"^[^.;]{0,40}?\b(?:(?:is|are) (?:being |also )?planned|(?:is|are) (?:to|due to) (?:follow|begin|start)|"
    r"will follow|in due course)\b",
    re.I,
)
_OLD_ARRANGEMENT = scanner(
    r"\b(?:current|existing|previous|present|old|former)(?: [\w'’-]+){0,3}? (?:arrangements?|provision|"
    r"placements?|contracts?|agreements?)\b,? (?:which|that) (?:are|is|were|was|have been|has been) [^.;]{0,20}$",
    re.I,
)
# A rejection stated in the sentence after the option ("Option 2: re-tender. This option was rejected").
_REJECTED_NEXT = scanner(
    r"^\W*(?:This|That|It|Which)\b[^.]{0,50}?\b(?:rejected|not (?:be )?recommended|discounted|not (?:a )?viable|"
    r"not (?:the )?preferred|not pursued)\b",
    re.I,
)


def _moot_regions(text: str) -> list[tuple[int, int]]:
    regions = []
    for match in _ALTERNATIVES.finditer(text):
        nxt = _SECTION_END.search(text, match.end() + 1)
        end = nxt.start() if nxt else len(text)
        regions.append((match.start(), min(end, match.end() + 1500)))
    return regions


# A route told as the history of the service ("In 2013 the Council tendered for seven contracts",
# "the Service was procured in 2018 through an open procedure"): a past tense and a year well
# before the document's latest one.
_PAST = scanner(r"\b(?:was|were|had|tendered|procured|awarded|let)\b", re.I)
_YEAR = scanner(r"\b(?:in|since|during) ((?:19|20)\d\d)\b", re.I)
# The way things are bought now, not what is decided ("existing spot purchasing spend", "the Council
# currently meets its duty via ... spot-purchasing arrangements").
_CURRENT = scanner(r"\b(?:existing|currently|current)\b[^.;]{0,140}$", re.I)
# A post or team named after a route ("Service Director – In House Provision").
_POST_BEFORE = scanner(r"\b(?:Director|Manager|Head|Lead|Officer)\W{1,5}$")
_ANY_YEAR = scanner(r"\b(?:19|20)\d\d\b")
# Authority delegated to take up an option later ("delegate authority to the Director to exercise
# the extension option") is part of a new contract's terms, not an extension decided now.
_OPTION_TAKEN = scanner(r"\boption|\bextension (?:options?|clauses?|provisions?|periods?)\b", re.I)
_DELEGATED = scanner(r"\b(?:authority|authoris\w*|authoriz\w*|delegat\w*)\b", re.I)


def _history(text: str, start: int, end: int, latest: int) -> bool:
    year = _YEAR.search(text, start, end)
    return bool(year and int(year.group(1)) <= latest - 2 and _PAST.search(text, start, end))


@Language.component("papers_routes")
def routes_component(doc: Doc) -> Doc:
    """doc.spans['routes']: each route phrase that applies to the matter decided."""
    text = flat_text(doc)
    moot = _moot_regions(text_of(doc))
    latest = max((int(y) for y in _ANY_YEAR.findall(text)), default=0)
    for route, pattern in _ROUTE_RE:
        for match in pattern.finditer(text):
            s_start, s_end = sentence(doc, match.start())
            if (
                _REJECTED.search(text[s_start:s_end])
                or _REJECTED_NEXT.match(text[s_end : s_end + 100])
                or any(a <= match.start() < b for a, b in moot)
                or _PLANNED.match(text[match.end() : s_end])
                or _OLD_ARRANGEMENT.search(text[s_start : match.start()])
                or (route != "extension" and _history(text, s_start, s_end, latest))
                or (
                    route in ("spot_purchase", "block_contract")
                    and _CURRENT.search(text, s_start, match.start())
                )
                or (
                    route == "extension"
                    and _OPTION_TAKEN.search(match.group())
                    and _DELEGATED.search(text, s_start, match.start())
                )
                or (
                    route == "in_house"
                    and _POST_BEFORE.search(text, max(0, match.start() - 30), match.start())
                )
            ):
                continue
            if (
                route == "tender"
                and (
                    _NOT_TENDER_BEFORE.search(text[max(s_start, match.start() - 40) : match.start()])
                    # "the tender of X" is a bid; "the tendering of the contracts" is the route itself
                    or (
                        _NOT_TENDER_AFTER.match(text[match.end() : match.end() + 20])
                        and not match.group().lower().endswith("ing")
                    )
                    or _LATER.match(text[match.end() : s_end])
                )
            ):
                continue
            add(doc, "routes", match.start(), match.end(), "ROUTE", route=route)
    return doc
