"""How figures read on the page: pounds, months, labels. Registered as Jinja filters in app.py."""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape


def gbp(amount: float | None) -> str:
    """£10,300,000 — exact, as a benchmarking analyst copies it; pence only below £100."""
    if amount is None:
        return ""
    return f"£{amount:,.2f}" if abs(amount) < 100 and amount != int(amount) else f"£{amount:,.0f}"


def per_words(per: str | None) -> str:
    """ " per year", " total" or nothing: the unit a stated amount is in."""
    if not per:
        return ""
    return " total" if per == "total" else f" per {per}"


def gbp_short(amount: float) -> str:
    """£10.3m, £450k: for chart axes and dense tables."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= size:
            return f"£{amount / size:.3g}{suffix}"
    return f"£{amount:.3g}"


def months(value: float | None) -> str:
    """36 months (3 years): both, since papers state either."""
    if value is None:
        return ""
    text = f"{value:g} month" + ("" if value == 1 else "s")
    if value >= 12 and value % 12 == 0:
        years = int(value // 12)
        text += f" ({years} year{'' if years == 1 else 's'})"
    return text


def when(stamp: str | None) -> str:
    """2024-03-01T02:10:00Z -> 2024-03-01 02:10 UTC."""
    if not stamp:
        return ""
    if "T" in stamp and stamp.endswith("Z"):
        return stamp[:16].replace("T", " ") + " UTC"
    return stamp


def label(value: str | None) -> str:
    """An identifier as words: decision_details -> decision details."""
    return (value or "").replace("_", " ")


_TAG = re.compile(r"(</?b>)")


def snippet(fragment: str | None) -> Markup:
    """A search snippet with only its <b> highlights kept as markup.

    The index promises escaped text around <b> tags; re-escaping each piece (after unescaping, so
    correct input is unchanged) means a snippet can never carry markup from a council page even
    if a backend forgets to escape.
    """
    out, bold = [], False
    for part in _TAG.split(fragment or ""):
        if part in ("<b>", "</b>"):
            want = part == "<b>"
            if want != bold:
                out.append("<mark>" if want else "</mark>")
                bold = want
        else:
            out.append(str(escape(html.unescape(part))))
    if bold:
        out.append("</mark>")
    return Markup("".join(out))
