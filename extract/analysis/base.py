"""What every analysis component shares: span groups with their normalised values, sentences.

Values live beside the spans (``doc._.values[key][i]`` describes ``doc.spans[key][i]``) rather
than in ``Span._`` because spaCy keys span extensions by character offsets, and one stretch of
text can carry two values ("3+2 years" is a term and an extension).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

try:  # the parser re compiles with (re._parser from 3.11, sre_parse before)
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover (Python 3.10)
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

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


_CATEGORIES = {_sre.CATEGORY_DIGIT: r"\d"}  # \w, \s start too many places to be worth a guard
_REPEATS = tuple(
    op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op
)
_ANCHORS = ((_sre.AT, _sre.AT_BEGINNING), (_sre.AT, _sre.AT_BEGINNING_STRING))
_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


def _first_chars(items: Any, flags: int, folded: list[bool]) -> tuple[set[str] | None, bool]:
    """(character-class items a match of ``items`` can begin with, whether it can match empty);
    None when anything could begin it. ``folded`` is set when one of them is read ignoring case."""
    chars: set[str] = set()
    for op, av in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: the next item begins the match
        if op in (_sre.LITERAL, _sre.IN):
            folded[0] = folded[0] or bool(flags & re.I)
        if op is _sre.LITERAL:
            return chars | {re.escape(chr(av))}, False
        if op is _sre.IN:
            for item, value in av:
                if item is _sre.LITERAL:
                    chars.add(re.escape(chr(value)))
                elif item is _sre.RANGE:
                    chars.add(re.escape(chr(value[0])) + "-" + re.escape(chr(value[1])))
                elif item is _sre.CATEGORY and value in _CATEGORIES:
                    chars.add(_CATEGORIES[value])
                else:
                    return None, False
            return chars, False
        if op is _sre.SUBPATTERN:  # (group, flags added, flags removed, items): "(?i:...)" scopes
            sub, empty = _first_chars(av[3], (flags | av[1]) & ~av[2], folded)
        elif op is _sre.BRANCH:
            sub, empty = set(), False
            for alternative in av[1]:
                found, can_be_empty = _first_chars(alternative, flags, folded)
                if found is None:
                    return None, False
                sub |= found
                empty = empty or can_be_empty
        elif op in _REPEATS:
            sub, empty = _first_chars(av[2], flags, folded)
            empty = empty or av[0] == 0
        else:
            return None, False
        if sub is None:
            return None, False
        chars |= sub
        if not empty:
            return chars, False
    return chars, True


def _second_chars(items: Any, flags: int, folded: list[bool], depth: int = 0) -> set[str] | None:
    """The characters the second character of a match of ``items`` can be; None when a match
    can be one character long or the pattern is too involved to say."""
    items = list(items)
    for i, (op, av) in enumerate(items):
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue
        rest = items[i + 1 :]
        if depth > 12:
            return None
        if op in (_sre.LITERAL, _sre.IN):
            chars, empty = _first_chars(rest, flags, folded)
            return None if empty else chars
        if op is _sre.SUBPATTERN:
            folded[0] = folded[0] or bool(av[1] or av[2])  # a scope's flags: read ignoring case
            return _second_chars(list(av[3]) + rest, flags | av[1], folded, depth + 1)
        if op is _sre.BRANCH:
            found: set[str] = set()
            for alternative in av[1]:
                sub = _second_chars(list(alternative) + rest, flags, folded, depth + 1)
                if sub is None:
                    return None
                found |= sub
            return found
        if op in _REPEATS and av[1] > 0:
            least, most, sub = av
            again = (op, (max(least - 1, 0), most if most == _sre.MAXREPEAT else most - 1, sub))
            once = _second_chars(list(sub) + [again] + rest, flags, folded, depth + 1)
            skipped = _second_chars(rest, flags, folded, depth + 1) if least == 0 else set()
            return None if once is None or skipped is None else once | skipped
        return None
    return None


def _ahead_chars(items: Any, flags: int, folded: list[bool]) -> set[str] | None:
    """The first characters of a lookahead that a match must pass before it reads anything
    ("(?<!\\w)(?=\\d|one|two)"), or None."""
    for op, av in items:
        if op is _sre.ASSERT and av[0] == 1:
            chars, empty = _first_chars(av[1], flags, folded)
            if chars and not empty:
                return chars
        elif op not in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            return None
    return None


def scanner(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` with the same matches, faster to scan a whole text with.

    Python's re searches a case-insensitive pattern, or one that opens with a lookbehind or an
    alternation, by trying every branch at every position of the text. A lookahead for the
    first two characters a match can have (derived from the parsed pattern, so it cannot drift
    from it) makes most positions fail at one or two tests. A pattern opening with a plain character or
    anchored at the start of the text, or one that can begin anywhere, is compiled as it is.
    """
    parsed = _sre_parse.parse(pattern, flags)
    opening = parsed.data[0] if parsed.data else None
    if opening is None or opening[0] is _sre.LITERAL or opening in _ANCHORS:
        return re.compile(pattern, flags)
    folded = [False]
    chars, empty = _first_chars(parsed.data, parsed.state.flags, folded)
    folded_second = [False]
    if chars and not empty:  # and the second character, where a match has one
        second = _second_chars(parsed.data, parsed.state.flags, folded_second)
    else:
        folded, second = [False], None
        chars = _ahead_chars(parsed.data, parsed.state.flags, folded)
        if not chars:
            return re.compile(pattern, flags)
    # one character of a class read ignoring case makes the class ignore case (a superset)
    guard = "".join(
        ("(?i:[{}])" if fold[0] else "(?-i:[{}])").format("".join(sorted(part)))
        for part, fold in ((chars, folded), (second, folded_second))
        if part
    )
    # inline global flags ("(?m)...") must stay at the start: they become flags of the whole
    body = _GLOBAL_FLAGS.sub("", pattern, count=1)
    flags = flags | (parsed.state.flags if body != pattern else 0)
    return re.compile("(?=" + guard + ")(?:" + body + ")", flags)


def opening_chars(pattern: str, flags: int = 0) -> set[str] | None:
    """The characters, lower-cased, that a match of ``pattern`` can begin with; None unless
    that is a set of plain characters (a class, a category or an empty match could begin it)."""
    chars, empty = _first_chars(_sre_parse.parse(pattern, flags).data, flags, [False])
    if chars is None or empty:
        return None
    # re.escape leaves letters and digits bare, so a backslash before one is a category ("\\d")
    if any(len(item) > 2 or (len(item) == 2 and item[1].isalnum()) for item in chars):
        return None
    plain = {item[-1].lower() for item in chars}
    return plain if all(len(c) == 1 for c in plain) else None


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
    # doc._.values, held in user_data too: each doc._ access builds an accessor object, and the
    # rules ask for values and sentences thousands of times a page
    store = doc.user_data.get("papers_values")
    if store is None:
        store = doc._.values
        if store is None:
            store = doc._.values = {}
        doc.user_data["papers_values"] = store
    return store.setdefault(key, [])


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


def set_sentences(doc: Doc, bounds: list[tuple[int, int]]) -> None:
    """Record the sentences (sorted, covering the text) as doc._.sentences."""
    doc._.sentences = bounds
    doc._.sentence_starts = starts = [s for s, _ in bounds]
    doc.user_data["papers_sentences"] = (bounds, starts)


def sentence(doc: Doc, char: int) -> tuple[int, int]:
    """The (start, end) offsets of the sentence holding a character."""
    index = doc.user_data.get("papers_sentences")
    if index is None:  # a doc the sentence component has not seen: one sentence
        bounds = doc._.sentences or [(0, len(text_of(doc)))]
        index = doc.user_data["papers_sentences"] = (bounds, [s for s, _ in bounds])
    sents, starts = index
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
