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

from extract.analysis.base import add, sentence

_G = r"[\s\S]{0,80}?"  # a short window inside one sentence
ROUTES: list[tuple[str, str]] = [
    ("tender", r"competitive(?:ly)?[\s-]+tender\w*|tender(?:ing)? process|open procedure|restricted procedure|"
               r"invitation to (?:submit (?:final )?)?tenders?|\bITT\b|(?:go|going|proceed|proceeding|out) to tender|"
               r"re-?tender(?:ed|ing)?\b|tender(?:ing|ed)? (?:for|exercise|opportunity)|procured (?:through|via|by) "
               r"(?:a |an )?(?:open|competitive)|competitive procurement|competitive process|tender received|"
               r"tendering the|open tender|formal tender|tenders? (?:was|were|has been|have been) (?:invited|sought|"
               r"received|evaluated)|by competitive tender"),
    ("framework", r"framework(?: agreement| arrangement)?s?\b|call[- ]off|\bcalled off\b"),
    ("mini_competition", r"mini[- ]?competition|further competition"),
    ("dps", r"dynamic purchasing system|\bDPS\b"),
    ("direct_award", r"direct(?:ly)? award\w*|award\w* directly|direct appointment|single[- ]source\w*|"
                     r"single tender action|without (?:a )?(?:further )?competition|direct contract award|"
                     r"negotiated (?:procedure )?without"),
    ("exemption", r"(?:exemption|waiv\w+|suspension|exception|disapplication|variation)" + _G
                  + r"(?:contract(?:s)? procedure rules?|standing orders|procurement rules|contract rules|"
                  r"\bCPRs?\b|competitive tendering|requirement to (?:competitively )?tender|tendering requirements)|"
                  r"(?:contract(?:s)? procedure rules?|standing orders|\bCPRs?\b)" + _G + r"\b(?:waived|be waived|"
                  r"exempt\w*|set aside|suspended|disapplied)|not required to (?:competitively )?tender|"
                  r"exempt(?:ed|ion)? from (?:the )?(?:requirement|tender|competit)"),
    ("extension", r"extend\w*" + _G + r"(?:existing|current|concession\w*|present) (?:contract|agreement|"
                  r"arrangement|provision|service)|(?:existing|current|present) (?:contracts?|agreements?|"
                  r"arrangements?)" + _G + r"\b(?:extend\w*|extension)|extension (?:of|to) (?:the |this |these )?"
                  r"(?:existing |current )?contracts?|contract extension|\d[- ]year extension|"
                  r"further award of (?:the )?contract|variation (?:to|of) (?:the |this )?(?:existing |current )?"
                  r"contract|vary (?:the |this )?(?:existing |current )?contract|extend\w* (?:the|this|these) "
                  r"contracts?(?: \w+)? (?:by|for|until|to)\b"),
    ("block_contract", r"block (?:contract|purchas\w*|booking|arrangement)s?"),
    ("spot_purchase", r"spot[- ](?:purchas\w*|contract\w*|basis|placement)"),
    ("joint_procurement", r"joint (?:procurement|tender\w*|commissioning)|collaborative (?:procurement|tender\w*)|"
                          r"lead (?:authority|council|the procurement|a joint)|in partnership with|consortium|"
                          r"on behalf of (?:the )?(?:other|partner|neighbouring|participating) (?:councils|authorities)"),
    ("in_house", r"(?:bring|brought|bringing|deliver(?:ed)?|provide[d]?|run|retain(?:ed)?)\w*(?: \w+){0,3} "
                 r"in[- ]house|insourc\w*|in[- ]house (?:provision|delivery|option)"),
    ("grant", r"award\w* (?:of )?(?:a )?grants?\b|grant (?:agreement|award|funding agreement)s?"),
]
_ROUTE_RE = [(route, re.compile(pattern, re.I)) for route, pattern in ROUTES]
# Sentences that describe options considered and rejected, or later/hypothetical steps.
_REJECTED = re.compile(
    r"\b(?:alternative options?|options? considered|other options|rejected|not (?:be )?recommended|was discounted|"
    r"were discounted|not considered|not (?:a )?viable|is not proposed|not an option|instead of)\b|"
    r"\b(?:will|would|to) be re-?tendered|\bprior to (?:re-?tender|tender)|\bbefore (?:re-?)?tendering", re.I)
_NEGATED = re.compile(r"\b(?:not|no need to|without)\b[\w\s]{0,20}$", re.I)
_BID = re.compile(r"^\s*(?:of|from)\b", re.I)  # "the tender of X is accepted" names a bid, not a route


@Language.component("papers_routes")
def routes_component(doc: Doc) -> Doc:
    """doc.spans['routes']: each route phrase that applies to the matter decided."""
    text = doc.text
    for route, pattern in _ROUTE_RE:
        for match in pattern.finditer(text):
            s_start, s_end = sentence(doc, match.start())
            if _REJECTED.search(text[s_start:s_end]):
                continue
            head = text[max(s_start, match.start() - 30) : match.start()]
            if route == "tender" and _NEGATED.search(head):
                continue
            if route == "tender" and _BID.match(text[match.end() : match.end() + 6]) and "process" not in match.group():
                continue
            add(doc, "routes", match.start(), match.end(), "ROUTE", route=route)
    return doc
