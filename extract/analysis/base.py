"""What every analysis component shares: span groups with their normalised values, sentences.

Values live beside the spans (``doc._.values[key][i]`` describes ``doc.spans[key][i]``) rather
than in ``Span._`` because spaCy keys span extensions by character offsets, and one stretch of
text can carry two values ("3+2 years" is a term and an extension).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.tokens import Doc, Span

if not Doc.has_extension("values"):
    Doc.set_extension("values", default=None)
    Doc.set_extension("metadata", default=None)
    Doc.set_extension("sentences", default=None)  # sorted (start, end) character offsets
    Doc.set_extension("sentence_starts", default=None)  # their starts, for bisect
    Doc.set_extension("roles", default=None)  # decision_date, decision_maker, contract_start/end

# Horizontal space as it appears in pasted council text (NBSP and friends included).
SP = r"[ \t\u00a0\u2009\u202f]"
GAP = r"\s{1,6}"  # between two words of one phrase, tolerating a line break inside it


def text_of(doc: Doc) -> str:
    """The document text, cached: spaCy rebuilds ``doc.text`` from its tokens on every access."""
    text = doc.user_data.get("papers_text")
    if text is None:
        text = doc.user_data["papers_text"] = doc.text
    return text


_FLAT = str.maketrans("\n\r\t\u00a0\u2009\u202f", "      ")


def flat_text(doc: Doc) -> str:
    """The text with line breaks and odd spaces as plain spaces, same length (offsets hold).

    Cue phrases ("extend the existing contract") wrap across lines in PDF text; matching them
    here lets a pattern's single space stand for any one whitespace character.
    """
    flat = doc.user_data.get("papers_flat")
    if flat is None:
        flat = doc.user_data["papers_flat"] = text_of(doc).translate(_FLAT)
    return flat


def values(doc: Doc, key: str) -> list[dict[str, Any]]:
    if doc._.values is None:
        doc._.values = {}
    return doc._.values.setdefault(key, [])


def add(doc: Doc, key: str, start: int, end: int, label: str, **value: Any) -> Span | None:
    """Add a span to ``doc.spans[key]`` with its value; token-aligned outward when needed."""
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is None or not span.text.strip():
        return None
    if key not in doc.spans:
        doc.spans[key] = []
    doc.spans[key].append(span)
    values(doc, key).append(value)
    return span


def items(doc: Doc, key: str) -> list[tuple[Span, dict[str, Any]]]:
    """The spans of one group with their values, in text order."""
    spans = list(doc.spans[key]) if key in doc.spans else []
    pairs = list(zip(spans, values(doc, key), strict=False))
    return sorted(pairs, key=lambda p: (p[0].start_char, p[0].end_char))


def sentence(doc: Doc, char: int) -> tuple[int, int]:
    """The (start, end) offsets of the sentence holding a character."""
    sents = doc._.sentences or [(0, len(text_of(doc)))]
    starts = doc._.sentence_starts
    if starts is None or len(starts) != len(sents):
        starts = doc._.sentence_starts = [s for s, _ in sents]
    return sents[max(bisect.bisect_right(starts, char) - 1, 0)]


def before(doc: Doc, char: int, width: int = 80) -> str:
    """Text of the sentence before a character, at most ``width`` characters."""
    start, _ = sentence(doc, char)
    return text_of(doc)[max(start, char - width) : char]


def after(doc: Doc, char: int, width: int = 80) -> str:
    _, end = sentence(doc, char)
    return text_of(doc)[char : min(end, char + width)]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
