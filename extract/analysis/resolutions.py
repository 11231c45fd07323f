"""Resolutions: the items resolved, decided, approved or recommended, numbering stripped.

A block starts at a trigger ("RESOLVED", "Decision:", "Decision made", "has agreed to:",
"It is recommended that the Leader:", "the Executive:" ...) and ends at a stop heading
("Reasons for decision", "Alternative options", "Report author", "Publication date" ...) or the
next trigger. Numbered, lettered and roman items are items of their own, and so are bullets,
also under a numbered item (the GUIDE's hard cases; the seed s002 gold, older, merges them).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import add, norm, scanner, text_of

_BODY = (
    r"(?:the )?(?:Cabinet|Council|Committee|Sub-Committee|Executive(?: Board| Member| Cabinet)?|Board|"
    r"Leader|Mayor(?: and Cabinet)?|Portfolio Holder|Cabinet Member|Panel|Members|Director|Head of)"
)
TRIGGER = scanner(
    r"(?m)(?:^[ \t\u00a0]*(?:\d{1,2}(?:\.\d{1,2})*\.?[ \t\u00a0]+)?(?:"
    r"(?:RESOLVED|Resolved)\b[^\n]{0,60}?(?:[:–—-]|\bthat\b|\bto\b)?|(?i:Decisions? (?:made|taken|agreed))\b:?|"
    r"(?i:Decisions?)[ \t\u00a0]*:|Decided[ \t]*:|DECISION\b(?:[ \t\u00a0]*[-–—]|:)?|AGREED\b(?:[ \t]*:)?|"
    r"(?i:It is (?:therefore )?recommended that)\b[^\n]{0,60}?:|RECOMMENDATIONS?\b[ \t\u00a0]*:?|"
    r"Recommendations? to [^\n]{0,60}:|Recommendation\(s\)[ \t]*:?|Recommendations?[ \t]*:?[ \t\u00a0]*$|"
    r"[^\n.]{0,120}\b(?:is|are) (?:recommended|asked|requested|invited) to[ \t]*:[ \t\u00a0]*$|(?i:APPROVED the following)[^\n]{0,30}:?|"
    r"That " + _BODY + r"[^\n]{0,40}?[:–—]|"
    # a lead-in naming the decider on a line of its own, colon or not: "That Cabinet", "That the
    # Corporate Director Children and Young People:"
    r"That (?:the )?(?:[A-Z][\w&'’-]*[ \t]+){0,3}"
    + _BODY
    + r"(?:[ \t,]+(?:and |of |for |& )?[A-Z][\w&'’,-]*){0,8}"
    r"[ \t\u00a0]*:?[ \t\u00a0]*$|"
    # "Decision - (a) That ...", "Decision of the Executive Councillor for Housing:"
    r"(?i:Decision)[ \t\u00a0]+[-–—]|(?i:Decisions? of (?:the )?)[A-Z][^\n:]{2,80}:?[ \t\u00a0]*$|"
    r"[^\n]{0,120}\b(?:resolved|agreed?|decided?|RESOLVED|AGREED|APPROVED|approved the following|(?:has|have) approved)\b"
    r"[^\n.]{0,60}(?:that|to)?[ \t]*(?:[:;–—]-?|-)[ \t\u00a0]*$|"
    # not a motion's preamble ("Devon County Council recognises:", "This Council believes:"), nor a
    # page's label whose value is on the next line ("Committee:" / "Cabinet" / "Date/Time:")
    r"(?![ \t\u00a0]*(?:the )?(?:Committee|Sub-Committee|Board|Panel|Council|Cabinet|Executive)[ \t]*:[ \t\u00a0]*$)"
    r"[^\n.]{0,120}\b"
    + _BODY
    + r"(?![ \t]+(?:recognises|believes|notes|welcomes|regrets|acknowledges|further|calls))"
    r"(?:[ \t]+[\w&'’-]+)?[ \t]*:[ \t\u00a0]*$)"
    r"|\bRESOLVED\b[ \t\u00a0]*:|\b(?:do )?hereby[ \t]*:"
    # mid-sentence in minutes: "It was RESOLVED that ...", "it was resolved that ..." (never a bare
    # "resolved" of prose: "the issue was resolved")
    r"|\b(?:It|it) was (?:(?:therefore|unanimously|further) )?(?:RESOLVED|[Rr]esolved)[ \t\u00a0]+that\b"
    r"|\bRESOLVED[ \t\u00a0]+(?:that|to)\b"
    # the decider's agreement after a lead-in: "Having considered the report, the Committee
    # unanimously agreed that ..."
    r"|(?<=,[ \t])(?:the[ \t]+)?(?:Cabinet|Committee|Council|Executive|Board|Panel|Leader|Sub-Committee|Members|"
    r"Mayor(?: and Cabinet)?)(?:[ \t]+[A-Z][\w&'’-]*){0,3}[ \t]+(?:(?:unanimously|therefore)[ \t]+)?"
    r"(?:agreed|resolved|RESOLVED|decided)[ \t]+(?:that|to)\b"
    # a "Decision" heading alone on its line, a decision's "To ..." or "That ..." under it (alone, the
    # word titles many pages)
    r"|^[ \t\u00a0]*(?:Decisions?|DECISIONS?)[ \t\u00a0]*$"
    r"(?=\s*(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)][ \t\u00a0]+)?(?:To|That)[ \t\u00a0]))"
    # a vote note between the trigger and the decision: "RESOLVED: (unanimously) That ..."
    r"(?:[ \t\u00a0]*\((?i:unanimously|nem\.?[ \t]*con\.?|by [^)\n]{1,40}|with [^)\n]{1,40})\)(?=[ \t\u00a0]))?"
)
STOP = scanner(
    r"(?im)^[ \t\u00a0]*(?:\d{1,3}(?:\.\d{1,2})*\.?[ \t]+)?(?:Reasons?(?:\(s\))? for|Reasons?[ \t]*:|REASONS?\b|"
    r"Alternative|ALTERNATIVE|Other options|Options considered|Report author|Publication date|Date of decision|"
    r"Decided at meeting|Accompanying Documents|Supporting documents|Background|Minutes:|Interests? and|"
    r"Conflicts? of interest|Dispensations?|Contact|Wards? affected|Lead officer|Effective from|Subject to call|"
    r"This decision (?:is|will|was)|Reason\(s\)|Details of|Purpose|Report of|Declarations?|Call[- ]in|"
    r"Implications|Financial implications|Legal implications|Notes?:|Attachments?|Appendices|Decision Maker|"
    r"Divisions?:|Voting|Record of|Officer to action|Classification|Action(?:ed)? by|"
    r"(?-i:[A-Z][A-Z0-9 &,'’/()–—-]{5,}:?[ \t]*$))"
)
_MARK = scanner(
    r"^[ \t\u00a0]*(?:That[ \t\u00a0]+(?=\())?(?P<mark>\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,5})[.)](?:\.)?|"
    r"\(\d{1,2}\)|\([a-z]\)|\([ivx]{1,5}\)|\d{1,2}(?=[ \t\u00a0]{2}))[ \t\u00a0]+(?=\S)",
    re.I,
)
_MARK_ALONE = scanner(r"^[ \t\u00a0]*\(?(?P<mark>\d{1,2}|[a-z]|[ivx]{1,5})[.)][ \t\u00a0\r]*$", re.I)
_BULLET = scanner(r"^[ \t\u00a0]*(?P<mark>[•·▪‣◦\-–*])[ \t\u00a0]+(?=\S)")
# Pages flattened to one line keep their line breaks as runs of spaces after a colon or full stop.
_FLAT_BREAK = scanner(r"\n|(?<=[A-Za-z]{4}[:.;])[ \t\u00a0]{3,}(?=\S)|[ \t\u00a0]{3,}(?=•)")
_INTRODUCES = scanner(
    r"(?:as follows|following|below|namely|providers?|suppliers?)[ \t\u00a0]*:-?[ \t\u00a0\r]*$", re.I
)
_LIST_ENDED = scanner(r"[.;!?][ \t\u00a0\r]*$")
_ENDED = scanner(r"(?:[.;:!?]|;[ \t]*(?:and|or))[ \t\u00a0]*$")
# Report paragraph numbers ("1.1 That Cabinet approves ..."): an item when the paragraph is a
# decision, the end of the block when it is narrative ("2.1 The service began ...").
_SECTION_NUMBER = scanner(r"^[ \t\u00a0]*(?P<mark>\d{1,2}\.\d{1,2})\.?[ \t\u00a0]+(?=\S)")
_DECISION_START = scanner(
    r"^(?:That|To |RESOLVED|AGREED|Request|(?:approv|agree|note|authori[sz]|delegat|endors|award|accept|refus|defer|"
    r"reject|confirm|adopt|instruct|ask|request)\w*\b)",
    re.I,
)
# A decision told as a sentence rather than under a heading, kept whole as the item: "The Cabinet
# agreed to ...", "The Deputy Director also approved ...", "It has been agreed to extend ...",
# "I have decided to ...", and the decider's verb leading the line ("Agreed that ...", "Approves
# ...", "Authorises ...", "Notes the ..."). Prose around it ("The Cabinet considered a report")
# is not a decision.
_NARRATIVE = scanner(
    r"(?:(?:The|the)[ \t]+)?(?:(?:[A-Z][\w&'’-]*|and|for|of|&|the),?[ \t]+){0,6}?(?:Cabinet|Council|Committee|"
    r"Executive|Board|Leader|Mayor|Members?|Director|Panel|Officer|Holder|Councillor|Sub-Committee)\b,?"
    r"(?:[ \t]+(?:[A-Z][\w&'’()-]*|and|for|of|&|the),?){0,10}?[ \t]+"
    r"(?:(?:also|therefore|then|has|have|formally|unanimously)[ \t]+)?"
    # (noting a fact is not a decision: "Members noted that the site lies in a conservation area")
    r"(?:agreed|agrees|approved|approves|resolved|RESOLVED|decided|authorised|authorized|endorsed|"
    r"(?:noted|notes)(?![ \t]+that\b))\b"
    r"(?=[^\n]*[A-Za-z])"
    r"|(?:It|it)[ \t]+(?:has[ \t]+been|was|is)[ \t]+(?:agreed|decided|resolved|approved)[ \t]+(?:that|to)\b"
    r"|(?:As[ \t]+(?:the[ \t]+)?[A-Z][^\n,.;:]{2,100},[ \t]+)?I[ \t]+(?:have[ \t]+)?(?:hereby[ \t]+)?"
    r"(?:decided|agreed|approved|authorised|agree|approve|authorise|decide)\b"
    r"|(?:Agreed|Approved|Approves|Agrees|Authorises|Authorizes|Authorised|Endorses|Delegates|Notes|Noted)"
    r"[ \t]+(?:that|to|the|a|an|this|these|its|all|delegated|authority|officers?|[a-z]+ing)\b"
)


def _decision_start(text: str) -> bool:
    """Whether a paragraph opens with a decision (a resolution form or a decision sentence)."""
    return bool(_DECISION_START.match(text) or _NARRATIVE.match(text))


OUTCOMES = [
    ("refused", r"\b(?:refuse[sd]?|reject(?:s|ed)?|not (?:be )?approved|declined)\b"),
    ("deferred", r"\b(?:defer(?:s|red)?|postpone[sd]?|adjourn(?:s|ed)?)\b"),
    ("recommended", r"\brecommend(?:s|ed)?\b(?: to| that)"),
    (
        "approved",
        r"\b(?:approv\w*|agree[sd]?|endorse[sd]?|authori[sz]\w*|delegat\w*|award\w*|adopt\w*|accept\w*|"
        r"grant\w*|confirm\w*|support\w*)\b",
    ),
    ("noted", r"\b(?:note[sd]?|noting|acknowledge[sd]?|thank\w*)\b"),
]
_OUTCOME_RE = [(o, scanner(p, re.I)) for o, p in OUTCOMES]


def outcome_of(text: str) -> str | None:
    """approved / noted / deferred / refused / recommended, from the item's first verb phrase."""
    head = text[:160]
    best = None
    for outcome, pattern in _OUTCOME_RE:
        match = pattern.search(head)
        if match and (best is None or match.start() < best[1]):
            best = (outcome, match.start())
    return best[0] if best else None


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for brk in _FLAT_BREAK.finditer(text, start, end):
        out.append((pos, brk.start()))
        if brk.group() != "\n":
            out.append((brk.start(), brk.start()))  # a flattened line break reads as a blank line
        pos = brk.end()
    out.append((pos, end))
    return out


def _mark(line: str) -> re.Match | None:
    """The numbering of an item line; paragraph numbers count only before a decision."""
    mark = _MARK.match(line)
    if mark:
        return mark
    mark = _SECTION_NUMBER.match(line)
    return mark if mark and _decision_start(line[mark.end() :]) else None


def _items(text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """(start, end, number) of each item in a block.

    Numbered/lettered lines and bullets are items; without either, each paragraph is an item. An unmarked
    paragraph continues the item above only when that item is mid-sentence or it starts in
    lower case (a wrapped line); otherwise it is commentary ("Funded as ...") and is skipped.
    An item ending "as follows:-" takes the short unpunctuated lines listed under it (names, rows).
    Text on the trigger's own line ("The Committee RESOLVED that ...") is an item, also in a
    numbered block; narrative after it ends the block.
    """
    lines = _lines(text, start, end)
    marked = any(_mark(text[s:e]) or _MARK_ALONE.match(text[s:e]) for s, e in lines)
    bulleted = not marked and any(_BULLET.match(text[s:e]) for s, e in lines)
    items: list[list] = []
    blank, open_item, pending, listing, inline = False, False, None, False, False
    for s, e in lines:
        line = text[s:e]
        if not line.strip(" \t\u00a0\r"):
            blank = True
            continue
        alone = _MARK_ALONE.match(line) if marked else None
        if alone:  # "a." on a line of its own: the item's text starts on the next line
            pending = alone.group("mark")
            continue
        if pending is not None:
            stripped = line.lstrip(" \t\u00a0")
            items.append([s + len(line) - len(stripped), e, pending])
            pending, open_item, blank = None, True, False
            continue
        # GUIDE, hard cases: bulleted sub-items are items of their own, under a numbered item too.
        # ("RESOLVED – That:" opens the block: a dash before the first item is punctuation.)
        mark = (_mark(line) if marked else None) or (
            _BULLET.match(line) if bulleted or (marked and items) else None
        )
        if items and not mark and _SECTION_NUMBER.match(line):
            break  # the report's narrative resumes
        stripped = line.lstrip(" \t\u00a0")
        done = bool(items) and bool(_ENDED.search(text[items[-1][0] : items[-1][1]]))
        if (
            listing
            and not mark
            and len(stripped) <= 120
            and not _LIST_ENDED.search(line)
            and not _decision_start(stripped)
        ):
            items[-1][1] = e
            blank = False
            continue
        listing = False
        if (
            not items
            and marked
            and not mark
            and s == start
            and len(stripped) > 15
            and _LIST_ENDED.search(line)
        ):
            items.append([s + len(line) - len(stripped), e, None])
            open_item = inline = True
        elif mark:
            number = mark.group("mark").strip("().") if marked and mark.re is not _BULLET else None
            items.append([s + mark.end(), e, number])
            open_item = True
        elif marked or bulleted:
            if items and open_item and (not blank or stripped[:1].islower()):
                items[-1][1] = e
            elif inline and len(items) == 1 and not _decision_start(stripped):
                break
            else:
                open_item = False
        elif items and (not done or (stripped[:1].islower() and not _decision_start(stripped))):
            items[-1][1] = e  # a wrapped line of the same paragraph
        elif items and not _decision_start(stripped):
            break  # commentary after the decision ("3.2 During this time...", a flattened table)
        else:
            items.append([s + len(line) - len(stripped), e, None])
        blank = False
        listing = bool(items) and bool(_INTRODUCES.search(text[items[-1][0] : items[-1][1]]))
    return [(s, e, n) for s, e, n in items]


# A minute heading in minutes of a meeting ("57. 23/02210/HOU – 14 Church Street", "44. Home to
# School Transport"; on ModernGov pages the number stands on a line of its own above the title): a short numbered line with no closing punctuation and a blank line after
# it, followed by narrative rather than another numbered item. It ends the previous minute's
# block. (A last resolution item may also lack its full stop, but it is a long sentence.)
_MINUTE_HEADING = scanner(
    r"(?m)^[ \t\u00a0]*\d{1,3}\.?(?:[ \t\u00a0]+|[ \t\u00a0]*\n(?:[ \t\u00a0\r]*\n)+[ \t\u00a0]*)(?P<heading>[^\n]*[^\n.;:,\s])[ \t\u00a0]*\n[ \t\u00a0\r]*\n"
    r"(?![ \t\u00a0]*(?:\(?\d{1,3}(?:\.\d{1,2})*[.)]|\(?[a-z]{1,4}\)|\(?[ivx]{1,5}[.)])[ \t\u00a0])"
)


def _block_end(text: str, start: int, limit: int) -> int:
    stop = STOP.search(text, start, limit)
    end = stop.start() if stop else limit
    for heading in _MINUTE_HEADING.finditer(text, start, end):
        words = heading.group("heading").split()
        if len(words) <= 14 and not _decision_start(heading.group("heading")):
            return heading.start()
    return end


# A numbered lead-in inside a block ("(1) That the Cabinet:", "1. That the Director be authorised
# to:") is an item of that block with its sub-items under it, not a new block; a numbered line
# naming the trigger word itself ("12. RESOLVED:") still opens one.
_OWN_TRIGGER = scanner(r"(?:RESOLVED|DECISION|AGREED|RECOMMENDATION|Decisions? made)\b", re.I)


def _is_lead_in(text: str, match: re.Match, previous: re.Match | None) -> bool:
    if previous is None:
        return False
    line = text[match.start() : match.end()]
    mark = _MARK.match(line)
    if not mark or _OWN_TRIGGER.match(line[mark.end() :]):
        return False
    return _block_end(text, previous.end(), match.start()) == match.start()


def blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each resolution block."""
    triggers: list[re.Match] = []
    for match in TRIGGER.finditer(text):
        if not _is_lead_in(text, match, triggers[-1] if triggers else None):
            triggers.append(match)
    out = []
    for i, match in enumerate(triggers):
        start = match.end()
        limit = triggers[i + 1].start() if i + 1 < len(triggers) else len(text)
        end = _block_end(text, start, limit)
        if text[start:end].strip():
            out.append((start, end))
    return out


_FALLBACK = scanner(
    r"(?m)^[ \t\u00a0]*(?:\(?(?:\d{1,2}|[a-h])[.)][ \t\u00a0]+(?:That|To (?:approve|agree|award|note|delegate|authori[sz]e|"
    r"endorse)|Approves?|Agrees?)\b|That "
    + _BODY
    + r" (?:approves?|agrees?|notes?|endorses?|resolves?|authori[sz]es?|"
    r"delegates?)\b"
    # the resolution's verb is passive in the item: "(1) contracts be awarded to ...", "a) Following
    # the tender, a contract is awarded ...", "That the Charter, as detailed in the report, be approved."
    r"|\(?(?:\d{1,2}|[a-h])[.)][ \t\u00a0]+[^\n]{0,100}?\b(?:be|is|are)[ \t]+"
    + r"(?:awarded|approved|agreed|noted|delegated|"
    r"authori[sz]ed|appointed|endorsed|granted|adopted)\b"
    r"|That[ \t]+[^\n]{0,300}?\bbe[ \t]+(?:approved|agreed|noted|endorsed|adopted|authori[sz]ed|awarded|granted)\b)"
)
_CLAUSE_AFTER = scanner(r"\b(?:that|to)[ \t\u00a0]*$")
# A passive decision: "The Pre-Decision Scrutiny Questions and officer responses were noted."
_PASSIVE_DECISION = scanner(r"\b(?:was|were|is|are|be)[ \t]+(?:noted|agreed|approved|endorsed|accepted)\b")
# Decision sentences at the start of a line, for pages with neither a trigger nor a numbered list.
_NARRATIVE_LINE = scanner(r"(?m)^[ \t\u00a0]*(?=\S)")


def _fallback(text: str) -> list[tuple[int, int]]:
    """Pages without a trigger: numbered items starting 'That'/'To approve' or with a passive
    decision, 'That the Cabinet approves', or else the first decision sentence ("The Cabinet
    agreed ...") with those right after it."""
    first = _FALLBACK.search(text)
    start = first.start() if first else _first_narrative(text)
    if start is None:
        return []
    return [(start, _block_end(text, start, len(text)))]


# The verbs of a decision sentence: only lines holding one are tried against _NARRATIVE.
_NARRATIVE_VERB = scanner(
    r"\b(?:agreed|agrees?|approved|approves?|resolved|RESOLVED|decided|decide|authori[sz]e[sd]?|endorse[sd]|"
    r"noted|notes|delegates)\b",
    re.I,
)


def _first_narrative(text: str) -> int | None:
    """The start of the first line that opens with a decision sentence."""
    tried: set[int] = set()
    for verb in _NARRATIVE_VERB.finditer(text):
        line = text.rfind("\n", 0, verb.start()) + 1
        if line in tried:
            continue
        tried.add(line)
        lead = _NARRATIVE_LINE.match(text, line)
        stop = text.find(".", line)
        if (
            lead
            and _NARRATIVE.match(text, lead.end())
            and not _HISTORY.search(text, line, stop if stop >= 0 else len(text))
        ):
            return line
    return None


# A decision told as the history of the matter, not the one recorded: "The Cabinet previously
# approved the strategy and officers have since consulted providers".
_HISTORY = scanner(r"\b(?:previously|already|earlier|since|last year|in the past)\b", re.I)


def _repeated(item: str, said: list[set[str]]) -> bool:
    """Whether a long item restates one already kept: ModernGov issue pages print the decision
    under "Decision:" and again under "Minutes:" (the GUIDE's labels list it once). Short items
    ("That the report be noted.") recur as different decisions and are kept."""
    words = set(re.findall(r"[a-z0-9£]+", item.lower()))
    if len(words) < 10:
        return False
    if any(len(words & other) >= 0.9 * max(len(words), len(other)) for other in said):
        return True
    said.append(words)
    return False


@Language.component("papers_resolutions")
def resolutions_component(doc: Doc) -> Doc:
    """doc.spans['resolutions'] with number and outcome for each item."""
    text = text_of(doc)
    found = blocks(text) or _fallback(text)
    seen: set[tuple[int, int]] = set()
    said: list[set[str]] = []  # words of each item kept, to drop a block printed twice
    many = len(found) > 1
    for start, end in found:
        items = _items(text, start, end)
        if (
            many
            and len(items) == 1
            and items[0][2] is None
            and not _CLAUSE_AFTER.search(text, max(0, start - 8), start)  # "RESOLVED that <clause>"
            and not _decision_start(text[items[0][0] :])
            and not _PASSIVE_DECISION.search(text[items[0][0] : items[0][1]])
        ):
            continue  # narrative under a "Decisions:" heading before the real decision
        for s, e, number in items:
            while e > s and text[e - 1] in " \t\r\n\u00a0":
                e -= 1
            if e - s < 3 or (s, e) in seen or not re.search(r"[A-Za-z]{3}", text[s:e]):
                continue
            seen.add((s, e))
            if _repeated(text[s:e], said):
                continue
            add(
                doc,
                "resolutions",
                s,
                e,
                "RESOLUTION",
                number=number,
                outcome=outcome_of(text[s:e]),
                text=norm(text[s:e]),
            )
    return doc
