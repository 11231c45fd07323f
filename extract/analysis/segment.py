"""Sentence and section segmentation for council prose, lists and flattened tables.

spaCy's statistical parser is not available (blank model), and its rule sentencizer splits
"c. £2m" and "1.1 That ..." wrongly; these rules know paragraph breaks, list numbering and the
abbreviations council papers use.
"""

from __future__ import annotations

import re

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import add, scanner, set_sentences, text_of

# Abbreviations whose full stop does not end a sentence ("c. £2m", "Cllr. Smith", "No. 5").
# Each lookbehind includes the dot: it is tested at the position after it. "Ltd." and "etc."
# are left out: in council prose they end sentences more often than not.
_NO_BREAK_AFTER = (
    "No",
    "no",
    "Nos",
    "c",
    "e.g",
    "i.e",
    "approx",
    "Cllr",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "vs",
    "incl",
    "para",
    "ref",
    "cf",
    "Para",
    "Ref",
    "approx",
)
_ABBREV = "".join(r"(?<!\b" + re.escape(a + ".") + ")" for a in dict.fromkeys(_NO_BREAK_AFTER))
_BOUNDARY = scanner(
    r"\n[ \t\u00a0]*\n\s*"  # paragraph break
    r"|(?<=[.;:!?])[ \t\u00a0]*\n\s*"  # line ending a sentence or clause
    r"|\n(?=[ \t\u00a0]*(?:[•·\-\u2013*]|\(?[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]|\(?[a-z]{1,4}\)|\(?[ivx]{1,5}[.)])\s)"
    # full stop, then a capital; the abbreviation lookbehinds run only after a full stop
    r"|(?<=[a-z0-9)\]][.!?])" + _ABBREV + r"[ \t\u00a0]+(?=[\"'‘“(]?[A-Z0-9£])"
    r"|(?<=[.!?])[ \t\u00a0]*•"  # flattened bullet lists ("...   •   Approved")
)
# A heading: a short line without a full stop, on its own paragraph (numbered or ALL CAPS).
_HEADING = scanner(r"(?m)^[ \t]*(?:\d{1,2}(?:\.\d{1,2})*\.?[ \t]+)?([A-Z][A-Za-z &'’/,()-]{2,60}):?[ \t]*$")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences; every character belongs to exactly one."""
    bounds, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if match.start() > start:
            bounds.append((start, match.start()))
        start = max(start, match.end())
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds or [(0, len(text))]


@Language.component("papers_sentences")
def sentences_component(doc: Doc) -> Doc:
    """Sets token.is_sent_start and doc._.sentences; headings go to doc.spans['sections']."""
    bounds = sentence_bounds(text_of(doc))
    set_sentences(doc, bounds)
    # One array write from the tokens' offsets: setting token.is_sent_start token by token
    # rescans the doc each time, and making a Token object per token costs as much again.
    if len(doc):
        flags = numpy.where(numpy.isin(doc.to_array(IDX), [s for s, _ in bounds]), 1, -1)
        flags[0] = 1
        doc.from_array([SENT_START], flags.astype("uint64"))
    for match in _HEADING.finditer(text_of(doc)):
        add(doc, "sections", match.start(1), match.end(1), "heading", title=match.group(1).strip())
    return doc
