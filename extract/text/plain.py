"""Plain text: the corpus layout (``URL: <address>``, blank line, then the text) or bare text."""

from __future__ import annotations

import re

from extract.text import TextResult
from extract.text.metadata import parse_labels

_URL_HEADER = re.compile(r"URL:[ \t]*(\S*)[ \t]*\r?\n")


def from_text(raw: str) -> TextResult:
    """Split off a ``URL:`` header: the text starts after the blank second line.

    Gold offsets index the text after the two header lines, so the body is taken verbatim.
    """
    raw = raw.lstrip("\ufeff")
    header = _URL_HEADER.match(raw)
    if not header:
        return TextResult(text=raw, metadata=parse_labels(raw))
    body = raw[header.end() :]
    blank = re.match(r"[ \t]*\r?\n", body)
    if blank:
        body = body[blank.end() :]
    return TextResult(text=body, url=header.group(1) or None, metadata=parse_labels(body))
