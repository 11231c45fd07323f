"""Label/value lines ("Decision Maker: Cabinet") as they appear on council pages and reports.

Shared by every input kind so that a plain-text copy of a page and its HTML give the same
metadata; only labels listed here are taken, so prose with a colon is never mistaken for one.
"""

from __future__ import annotations

import re

LABELS = (
    "Decision Maker",
    "Decision maker(s)",
    "Decision makers",
    "Decision status",
    "Is Key decision?",
    "Is subject to call in?",
    "Date of decision",
    "Publication date",
    "Effective from",
    "Decided at meeting",
    "Decision due",
    "Lead member",
    "Lead officer",
    "Wards affected",
    "Reference",
    "Meeting",
    "Decision taken by",
    "Decision date",
    "Date of meeting",
    "Meeting date",
    "Report author",
    "Contact",
    "Date",
    "Decision by",
    "Decision to be taken by",
    "Portfolio holder",
    "Call-in deadline",
    "Notice of proposed decision first published",
    "Outcome",
    "Decision type",
    "Lead director",
    "Department",
    "Is Key Decision?",
    "Is Callable In?",
    "Report to",
)
_LINE = re.compile(
    r"^[ \t]*(" + "|".join(re.escape(label) for label in sorted(LABELS, key=len, reverse=True)) + r")"
    r"[ \t]*:[ \t]*([^\n]*)$",
    re.I | re.M,
)
_CANONICAL = {label.lower(): label for label in LABELS}
# Spellings of one label read as that label ("Decision maker(s): ...").
_CANONICAL.update({"decision maker(s)": "Decision Maker", "decision makers": "Decision Maker"})


def _value_below(text: str, pos: int) -> str:
    """A value printed under its label (flattened forms): up to two lines, hints in brackets skipped."""
    lines = []
    for line in text[pos:].split("\n")[1:9]:
        line = line.strip()
        if not line:
            continue
        if _LINE.match(line) or line.endswith(":"):
            break
        if line.startswith("(") and line.endswith(")"):
            continue
        lines.append(line)
        if len(lines) == 2:
            break
    return " ".join(lines)


def parse_labels(text: str) -> dict[str, str]:
    """The first value of every known label found at the start of a line."""
    found: dict[str, str] = {}
    for match in _LINE.finditer(text):
        label = _CANONICAL[match.group(1).lower()]
        value = match.group(2).strip() or _value_below(text, match.end())
        if value:
            found.setdefault(label, value)
    return found
