"""Suppliers: the organisations named as supplier, provider or contractor of the contracts a page
decides or reports on (GUIDE.md ``suppliers``), each once, in order of first mention.

A name is read only where a cue says it is a supplier: after "awarded to", "contract with",
"provided by", "tender from", "the current provider,", a "Supplier:" label, on the lines of a
"following providers:" or "Lot 1 - ..." list, or before "be appointed" / "as the preferred
bidder". A name carrying a legal suffix (Ltd, plc, CIC, ...) needs no cue in a sentence about a
contract, unless that sentence names advisers or bids. The council and other public bodies,
purchasing bodies whose framework is used, funders and regulators, posts, placeholders
("Provider A") and bidders said to have lost are not suppliers.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import add, flat_text, norm, scanner, sentence, text_of
from papers.schema import supplier_key

# One word of a name: capitalised or an acronym ("APCOA", "E.ON", "St Christopher’s"), or a
# digit-led brand ("4children"); never a bare number.
# A full stop stays inside a word ("E.ON", "C.I.C") or after an initial ("J. Smith"); after any
# other word it ends the sentence, and the name: "provided by X Foundation Trust. This contract".
_WORD = r"(?:[A-Z](?:[\w’'\-]|\.(?=\w))*(?:(?<=\b[A-Z])\.)?|\d+(?!(?:st|nd|rd|th)\b)[A-Za-z][\w’'\-]*)"
_LEGAL = r"(?:Ltd|Limited|LTD|LIMITED|plc|Plc|PLC|LLP|CIC|C\.I\.C|Inc|LLC)"
# Words that may join name words inside one name ("Hestia Housing and Support", "Change, Grow, Live").
_JOIN = (
    r"(?:[ \t]+(?:&|and|of|for|the|in|on|at|de|du)[ \t]+|[ \t]*[-–][ \t]*(?=[A-Z])|[ \t]+"
    # "to" only inside a company name that ends in a legal suffix ("Freedom to Travel Ltd")
    rf"|[ \t]+to[ \t]+(?=(?:{_WORD}[ \t]+){{1,3}}{_LEGAL}\b))"
)
# Lower-case trade words that end a name ("DW contractors") and an inner parenthesis ("(UK) Limited").
_NAME = (
    rf"{_WORD}(?:(?:{_JOIN}|[ \t]+\([A-Z][\w .&’'-]{{0,30}}\)[ \t]+(?={_WORD})){_WORD}){{0,9}}"
    r"(?:[ \t]+(?:contractors|builders|services|limited|ltd|plc)\b)?"
)
_NAME_RE = scanner(_NAME)
_LEGAL_RE = scanner(rf"\b{_LEGAL}\b")
# A name that runs on at a line break (PDF text) continues only into words that end a company name.
_WRAP = scanner(r"[ \t]*\r?\n[ \t]*(?=\S)")
_ORG_END = scanner(
    rf"^(?:\S+[ \t]+){{0,3}}?\S*\b(?:{_LEGAL}|Services|Group|Trust|Care|Housing|Homes|Construction|"
    r"Contractors|Partnership|Association|Foundation|Solutions|Healthcare|Company)\.?$"
)
# A legal suffix ends one name: "APCOA Parking UK Limited and East Herts District Council" is two.
_AFTER_LEGAL = scanner(rf"\b{_LEGAL}\b\.?(,[ \t]*|[ \t]+(?:and|&)[ \t]+|[ \t]+)(?=[A-Z0-9])")

# Cues before a name (matched on the flattened text, any case). Each ends where the name begins.
_S = r"(?:the )?"
_ROLE = r"(?:provider|supplier|contractor|operator|consultant|partner|organisation|charity|bidder|tenderer)s?"
_BEFORE = scanner(
    r"\b(?=[abceilnopqrstvwABCEILNOPQRSTVW])(?i:"
    # "the contract with X", "currently provided by X", "the tender from X", "the current provider, X"
    r"\b(?:contracts?|agreements?|arrangements?|extensions?|variations?|negotiations?|"
    r"call[- ]off|lease|concession)\b(?: \w+){0,2} (?:with|between) "
    r"|\b(?:currently |originally |previously |already |is |are |was |were |being |been )"
    r"(?:provided|delivered|run|operated|supplied|managed|held|commissioned from) by "
    r"|\bservices? (?:provided|delivered|run|operated) by "
    r"|\boffered by "
    r"|\b(?:purchased|bought|procured|sourced|leased|hired|called[- ]off|won) (?:from|by) "
    r"|\bpurchas\w* of (?:[\w-]+ ){1,5}?from "
    r"|\b(?:tender|bid|offer|quotation|quote|proposal|submission)s? (?:received |submitted )?from "
    r"|\b(?:current|existing|incumbent|preferred|successful|new|sole|named|appointed|chosen|selected|"
    r"recommended|winning)(?: service)? " + _ROLE + r"(?: (?:is|was|being|are|were))?,? "
    r"|\bincumbent,? "
    r"|\bappoint(?:ment of|ing)? "
    r")" + _S
)
# "award ... to X": the name follows the first "to" in the sentence that leads to one ("award the
# contract for Lot 1 for five years to 31st July 2025 ..., to Morgan Sindall").
_AWARD = scanner(r"(?i:\b(?:award(?:ed|ing|s)?|re-?award\w*|let|novat\w+|transfer(?:red|ring)?)\b)")
_TO = scanner(r"(?i:(?<!home )\bto (?:the )?)")  # not "Home to School Transport"
# "extend the current contracts ... of 12 months with The Royal Wolverhampton NHS Trust"
_EXTEND = scanner(
    r"(?i:\b(?:extend\w*|extension|vary|variation|continu\w+|contract(?:s|ed|ing)?|agreements?)\b)"
)
# ... but "in collaboration with Cheshire East" names a partner council, not a supplier.
_WITH = scanner(
    r"(?i:(?<!collaboration )(?<!partnership )(?<!conjunction )(?<!consultation )(?<!together )"
    r"(?<!jointly )(?<!line )(?<!accordance )(?<!working )(?<!liaison )(?<!along )\b(?:with|between) (?:the )?)"
)
# Labels of flattened decision tables: "Name of Successful Contractor Schofield & Sons Ltd".
_LABEL = scanner(
    r"(?i:\b(?:name of (?:the )?(?:successful |preferred |selected )?(?:contractor|supplier|provider|"
    r"consultant|tenderer|bidder)s?|(?:successful|preferred|selected|awarded|recommended|winning) (?:contractor|supplier|"
    r"provider|tenderer|bidder)s?(?: name)?|(?:supplier|contractor|provider) name)\s*[:\-–]?\s*"
    # a bare label on its own line of a decision form: "Contractor: X", "Awarded to: X"
    r"|(?m:^[ \t]*(?:supplier|contractor|provider|consultant|awarded to|preferred bidder)\(?s?\)?[ \t]*:[ \t]*))"
)
# Cues after a name: "X be appointed", "X as the preferred bidder", "X (the current provider)".
_AFTER = scanner(
    r"(?=[, ])(?i:,? (?:be|is|was|are|were|has been|have been|had been|being) (?:appointed|awarded|selected|"
    r"chosen|engaged|commissioned|contracted)\b"
    r"|,? (?:as|is|was|are|were|being|became) (?:the )?(?:successful|preferred|winning|highest[- ]scoring|"
    r"current|existing|incumbent|sole|main|lead|reserve|new) " + _ROLE + r"|,? \(?(?:the )?"
    r"(?:current|existing|incumbent) " + _ROLE + r"\)?)"
)
# "X be appointed as Interim Director" appoints a person to a post.
_TO_POST = scanner(
    r"(?i:\s*(?:as|to(?: the (?:post|role|position) of)?)\s+(?:an? |the )?(?:[\w-]+ ){0,3}?(?:director|officer|"
    r"manager|head|chair\w*|member|trustee|governor|representative|lead|executive|advis[eo]r|clerk)\b)"
)
# The end of a name just before an after-cue, read backwards through the candidate start points.
_NAME_BEFORE = scanner(rf"(?:^|(?<=[^\w’'.&-]))({_NAME})$")
# Sentence words that a backward read takes for the start of a name ("That Veolia be appointed").
_LEAD = scanner(
    r"^(?:(?:The|That|This|To|And|With|Approve[sd]?|Agree[sd]?|Note[sd]?|Award|Appoint|Where|If|As|"
    r"In|On|For|By|From|Of|A|An|Also|RESOLVED|Resolved|Decision|Recommendation)[ \t]+)+"
)
# A list introduced as suppliers: "to the following providers:-", then one name a line (or a
# "Lot 1 - X" / "Area 2 - X" row).
_LIST_INTRO = scanner(
    r"(?i:\bfollowing (?:\w+ ){0,2}(?:providers|suppliers|contractors|organisations|companies|"
    r"consultants|bidders|tenderers|operators)\b[^:\n]{0,200}:-?)"
)
_ROW = scanner(
    r"(?m)^[ \t]*(?:[-•·*▪●o][ \t]+|\(?\w{1,4}[.)][ \t]+)?(?i:(?:lot|area|zone|region|locality|patch|"
    r"district)[ \t]*\d+\w?[ \t]*[-–:][ \t]*)"
)
_LINE_END = scanner(r"(?:[ \t]*\([^()\n]{1,40}\))?[ \t.;,]*")
_BULLET = scanner(r"[-•·*▪●][ \t]+|\(?\w{1,3}[.)][ \t]+")
_ROW_CUE = scanner(r"(?i:award|appoint|provider|supplier|contractor|successful|reserve)")

# Not suppliers: public bodies, purchasing bodies and framework names, posts and placeholders.
_EXCLUDE = scanner(
    r"(?i:\b(?:council|borough|county of|city of|district of|authority|authorities|government|department|"
    # NHS commissioners and partners (an NHS Trust provides services and can be a supplier)
    r"NHS(?![\w ]*\bTrust\b)|"
    r"directorate|ministry|commissioning group|integrated care (?:board|system)|ICB|CCG|"
    r"Public Health England|Ofsted|CQC|Care Quality Commission|YPO|ESPO|LASER|NEPO|CCS|"
    # funders, regulators and public partners
    r"(?:Homes|Sport|Historic|Natural|Active|Highways) England|Environment Agency|Arts Council|Lottery|"
    r"Heritage Fund|Funding Agency|ESFA|DfE|DLUHC|MHCLG|Home Office|Police|Constabulary|Fire and Rescue|"
    r"Combined Authority|National Highways|Network Rail|Transport for|"
    r"Crown Commercial|LBLA|Procurement Partnership|TPPL|Fusion21|YORbuild|Pagabo|Scape|"
    r"Constructionline|NHS Supply Chain|Purchasing Organisation|Consortium|framework|"
    r"dynamic purchasing|DPS|lot|option|appendix|annex|table|schedule|section|paragraph|report|"
    r"committee|cabinet|members?|panel|board|scrutiny|"
    # posts, not organisations
    r"director|officer|manager|head of|chief executive|councillors?|cllr|mayor|leader|portfolio holder|"
    r"treasurer|solicitor|clerk|secretary)\b)"
)
# A name that is only these words (or starts with a post) names nobody in particular.
_GENERIC = frozenset(
    """a an the this that these those it its their our his her provider providers supplier suppliers
    contractor contractors bidder bidders tenderer tenderers operator operators consultant consultants
    service services contract contracts director head chief deputy assistant executive leader mayor
    portfolio holder officer officers manager managers cllr councillor councillors mr mrs ms dr
    corporate strategic interim acting cabinet council member members new current existing preferred
    successful incumbent following all each both any other further care social health public adult
    adults children childrens children's young people housing commissioning procurement team unit
    january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday uk england wales scotland britain
    option options lot lots area areas year years month months week weeks phase stage part
    item items minute minutes agenda report school schools college home grant grants funding
    finance legal democratic governance property highways environment environmental transport
    education planning regeneration resources operations commercial economy place people communities
    community neighbourhoods culture leisure waste parks learning skills digital ict it hr human audit
    risk performance policy strategy development investment assets estates facilities customer
    revenues benefits treasury pensions wellbeing safeguarding trust partnership group company
    organisation charity association foundation consortium passenger and of for in on at
    """.split()
)
_REFERENCE = scanner(r"^[A-Z]+[-/]?\d[\w/-]*$")  # "RM6155", "DN-123": a reference, not a name
_PLACEHOLDER = scanner(
    r"^(?:provider|supplier|contractor|bidder|tenderer|company|organisation|operator)\s+\w{1,2}$", re.I
)
_POST_FIRST = frozenset(
    "director head chief deputy assistant executive leader mayor portfolio cllr councillor mr mrs ms dr "
    "officer manager members member cabinet council committee appendix table section lot option "
    "supplier provider contractor bidder tenderer successful preferred name private registration "
    "acting interim strategic corporate item minutes "
    # verbs of a title-case heading ("Award of Contracts to Deliver Repairs to Roads")
    "deliver provide supply support carry undertake enable ensure develop manage operate run commence "
    "continue extend procure purchase fund meet cover allow".split()
)
# A bidder said to have lost, or a supplier in an option that was rejected, is not one.
_LOST = scanner(
    r"(?i:\bunsuccessful|\bnot (?:been )?successful|\bnot (?:be )?(?:appointed|awarded|recommended)|\brejected|"
    r"\bwithdr[ae]w|\bdeclined|\bsecond[- ]placed|\blower[- ]scor|\bscored (?:lower|lowest)|\bdid not|\bfailed to)"
)
# A sentence about a contract (a legal-suffixed name outside a cue counts only there), unless
# the company is named as an adviser or auditor rather than as a supplier of the contract.
_PROCUREMENT = scanner(
    r"(?i:\b(?:contract|tender|procure|award|framework|supplier|provider|contractor|deliver|appoint)\w*)"
)
_ADVISER = scanner(r"(?i:\b(?:advis\w+|advice|auditors?|audited|consulted|legal|evaluat\w+|scor\w+|bids?)\b)")


def tidy(name: str) -> str:
    """The name as written, surrounding punctuation dropped (a sentence's full stop, an unmatched
    bracket); inner text is kept verbatim so the name stays a span of the page."""
    name = _LEAD.sub("", name.strip(" \t,;:.-–'\"“”‘"))
    # a form's label run into the name it labels: "S1144-100 Name of Successful Contractor Schofield & Sons Ltd"
    labels = list(_LABEL.finditer(name))
    if labels and name[labels[-1].end() :].strip():
        name = name[labels[-1].end() :]
    while name.endswith(")") and name.count(")") > name.count("("):
        name = name[:-1].rstrip(" \t,;:.")
    return name


def _acceptable(name: str) -> bool:
    words = [w.lower().strip(".’'") for w in re.findall(r"[\w’'.]+", name)]
    if not words or _PLACEHOLDER.match(name) or _EXCLUDE.search(name) or _REFERENCE.match(name):
        return False
    if words[0] in _POST_FIRST:
        return False
    return not all(w in _GENERIC or len(w) < 2 for w in words)


def _split(name: str, plural: bool) -> list[tuple[int, str]]:
    """(offset, piece) pairs of one matched name: split after a legal suffix, and at commas and
    "and" where the cue speaks of several suppliers ("contracts to Cranstoun and Claremont & Holyport")."""
    cuts = [m.span(1) for m in _AFTER_LEGAL.finditer(name)]
    if plural:
        cuts += [m.span() for m in re.finditer(r",[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+", name)]
    pieces, at = [], 0
    for start, end in sorted(cuts):
        if start >= at:
            pieces.append((at, name[at:start]))
            at = end
    pieces.append((at, name[at:]))
    return [(off, piece) for off, piece in pieces if piece.strip()]


class _Found:
    """Supplier candidates by key, the first mention of each kept."""

    def __init__(self, doc: Doc) -> None:
        self.doc, self.text = doc, text_of(doc)
        self.first: dict[str, tuple[int, int, str]] = {}

    def offer(self, start: int, raw: str, plural: bool = False) -> bool:
        """Take the supplier names in ``raw`` (text at ``start``); whether any was acceptable."""
        taken = False
        for off, piece in _split(raw, plural):
            name = tidy(piece)
            if not name or not _acceptable(name):
                continue
            begin = start + off + piece.index(name)
            end = begin + len(name)
            # only this name's own clause: "award to X and note the tender from Y which was unsuccessful"
            clause = re.split(
                r"[;:,]| and (?=to |that |the |note)| but | whereas ",
                self.text[end : sentence(self.doc, begin)[1]][:120],
            )[0]
            if _LOST.search(clause):
                continue
            taken = True
            key = supplier_key(name)
            words = set(key.split())
            # "Veolia" and "Veolia ES (UK) Ltd" are one supplier: keep the first mention.
            same = [k for k in self.first if words <= set(k.split()) or set(k.split()) <= words]
            # the fuller name wins ("Supreme Freedom to Travel Ltd" over "Travel Ltd"), else the first
            if key and all(
                words > set(k.split()) or (words == set(k.split()) and begin < self.first[k][0]) for k in same
            ):
                for k in same:
                    del self.first[k]
                self.first[key] = (begin, end, norm(name))
        return taken

    def name_at(self, pos: int, plural: bool = False) -> bool:
        """Offer the name starting at ``pos`` (wrapped onto the next line, if it ends there and the next
        line ends the name: "awarded to Morgan Sindall Property\nServices Ltd"); whether one was taken."""
        if self.text[pos : pos + 1] in ("“", '"', "‘"):  # a name in quotes: “Change, Grow, Live”
            pos += 1
        match = _NAME_RE.match(self.text, pos)
        if not match:
            return False
        end = match.end()
        wrap = _WRAP.match(self.text, end)
        if wrap and (more := _NAME_RE.match(self.text, wrap.end())) and _ORG_END.search(more.group()):
            end = more.end()
        return self.offer(match.start(), self.text[match.start() : end], plural)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n\u00a0":
        pos += 1
    return pos


@Language.component("papers_suppliers")
def suppliers_component(doc: Doc) -> Doc:
    """doc.spans['suppliers']: each supplier named, once, at its first mention, with name and key."""
    text, flat = text_of(doc), flat_text(doc)
    found = _Found(doc)
    for cue, link, reach in ((_AWARD, _TO, 250), (_EXTEND, _WITH, 60)):
        for match in cue.finditer(flat):
            _scan(found, doc, match, link, reach)
    for match in _BEFORE.finditer(flat):
        plural = bool(
            re.search(r"(?i:contracts|providers|suppliers|contractors|organisations|between)", match.group())
        )
        found.name_at(_skip_space(text, match.end()), plural)
    for match in _LABEL.finditer(flat):
        found.name_at(_skip_space(text, match.end()))
    for cue in _AFTER.finditer(flat):
        if not _TO_POST.match(flat, cue.end()) and (
            name := _NAME_BEFORE.search(text, max(0, cue.start() - 120), cue.start())
        ):
            found.offer(name.start(1), name.group(1))
    for match in _LIST_INTRO.finditer(flat):
        _list_lines(found, text, match.end())
    for match in _ROW.finditer(text):
        if _ROW_CUE.search(text, max(0, match.start() - 400), match.start()):
            found.name_at(match.end())
    for match in _LEGAL_RE.finditer(text):
        s_start, s_end = sentence(doc, match.start())
        if (
            _PROCUREMENT.search(flat, s_start, s_end)
            and not _ADVISER.search(flat, s_start, s_end)
            and (name := _NAME_BEFORE.search(text, max(0, match.start() - 120), match.end()))
        ):
            found.offer(name.start(1), name.group(1))
    spans = sorted(found.first.values())
    for begin, end, name in spans:
        # a name read inside a longer one ("Travel Ltd" in "Supreme Freedom to Travel Ltd") is that one
        if not any(b <= begin and end <= e and (b, e) != (begin, end) for b, e, _ in spans):
            add(doc, "suppliers", begin, end, "SUPPLIER", name=name, normalised=supplier_key(name))
    return doc


def _scan(found: _Found, doc: Doc, cue: re.Match[str], link: re.Pattern[str], reach: int) -> None:
    """The name after the first ``link`` word ("to", "with") in the cue's sentence that is followed by
    a capitalised word: "award the contract for Lot 1 for five years to 31st July 2025 ..., to
    Morgan Sindall" names Morgan Sindall; "award contracts to Deliver Repairs to Roads" names no one."""
    text, flat = found.text, flat_text(doc)
    limit = min(sentence(doc, cue.start())[1], cue.end() + reach)
    for to in link.finditer(flat, cue.end(), limit):
        plural = bool(re.search(r"(?i:contracts|providers|suppliers|between)", flat[cue.start() : to.end()]))
        at = _skip_space(text, to.end())
        if found.name_at(at, plural) or text[at : at + 1].isupper():
            return


def _list_lines(found: _Found, text: str, pos: int) -> None:
    """The suppliers on the lines after a list's introduction: a bare name a line, or an item that
    names one after "to" ("a) Contract for Lot 1, ..., to Morgan Sindall Property Services, ...");
    up to the first line that is neither."""
    for _ in range(30):
        pos = _skip_space(text, pos)
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        bullet = _BULLET.match(text, pos, line_end)
        start = bullet.end() if bullet else pos
        match = _NAME_RE.match(text, start, line_end)
        # the rest of the line may be punctuation or a bracket, which the name leaves out (a branch
        # or trading name: "Bluebird Care (Stockport)" is Bluebird Care)
        if match and _LINE_END.fullmatch(text, match.end(), line_end):
            found.offer(match.start(), match.group())
        elif not bullet or not any(
            found.name_at(_skip_space(text, to.end())) for to in _TO.finditer(text, start, line_end)
        ):
            return
        pos = line_end
