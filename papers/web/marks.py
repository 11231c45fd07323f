"""A decision's text with every extracted span marked, and the terms table linked to those marks.

Every figure on the decision page points at the words it came from, so a reader can check an
extraction in one click instead of trusting it. Spans may overlap (a sum inside a resolution), so
the text is cut at every span boundary and each piece carries the kinds of all spans covering it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from papers.schema import Record, Span
from papers.web.fmt import gbp, label, months, per_words

# Drawing order of the classes on a piece of text; also the legend's order.
KINDS = ("money", "duration", "date", "route", "maker", "supplier", "category", "resolution")
KIND_NAMES = {
    "money": "money",
    "duration": "duration",
    "date": "date",
    "route": "procurement route",
    "maker": "decision maker",
    "supplier": "supplier",
    "category": "category (CPV)",
    "resolution": "resolution",
}


@dataclass
class Mark:
    """One extracted span, with the anchor the terms table links to."""

    kind: str
    anchor: str
    start: int
    end: int
    text: str
    meaning: str  # what the extractor read it as, e.g. "£10,300,000 per year"
    span: Span | None = None  # the schema object it came from (None for the decision maker)


@dataclass
class Term:
    """One row of the terms table: a headline figure and the marks it rests on."""

    name: str
    value: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def note(self) -> str:
        """Why no words are linked: the figure is absent, or was computed or read from page metadata."""
        if not self.value:
            return "not stated"
        return "from the page's details" if self.name == "Decision maker" else "computed from the terms above"


def collect(record: Record) -> list[Mark]:
    """Every span of the record that lies inside its text, in text order."""
    spans: list[tuple[str, Span, str]] = []
    for m in record.money:
        spans.append(
            (
                "money",
                m,
                gbp(m.amount) + per_words(m.per) + (" · contract value" if m.is_contract_value else ""),
            )
        )
    spans += [("duration", d, f"{months(d.months)} · {d.kind}") for d in record.durations]
    spans += [("date", d, d.date) for d in record.dates]
    spans += [("route", r, label(r.route)) for r in record.procurement_mentions]
    spans += [("supplier", s, f"{s.name} · key {s.key}") for s in record.suppliers]
    if record.category:
        spans.append(("category", record.category, f"{record.category.id} {record.category.description}"))
    spans += [
        ("resolution", r, " · ".join(filter(None, [r.number, r.outcome])) or "resolution")
        for r in record.resolutions
    ]
    marks, counts = [], dict.fromkeys(KINDS, 0)
    n = len(record.text)
    for kind, span, meaning in spans:
        if not 0 <= span.start <= span.end <= n:
            continue  # offsets from an older extractor that no longer fit the text
        marks.append(Mark(kind, f"{kind}-{counts[kind]}", span.start, span.end, span.text, meaning, span))
        counts[kind] += 1
    if record.decision_maker:
        at = record.text.find(record.decision_maker)
        if at >= 0:
            end = at + len(record.decision_maker)
            marks.append(Mark("maker", "maker-0", at, end, record.decision_maker, "decision maker"))
    marks.sort(key=lambda m: (m.start, -m.end))
    return marks


def highlight(text: str, marks: list[Mark]) -> Markup:
    """The text, escaped, with <mark class="m-KIND ..."> pieces and an anchor where each span starts."""
    opens: dict[int, list[Mark]] = {}
    closes: dict[int, list[Mark]] = {}
    for m in marks:
        opens.setdefault(m.start, []).append(m)
        if m.end > m.start:  # an empty span is only an anchor
            closes.setdefault(m.end, []).append(m)
    points = sorted({0, len(text), *opens, *closes})
    active: list[Mark] = []
    out: list[str] = []
    for here, following in zip(points, points[1:] + [None], strict=True):
        for m in closes.get(here, ()):
            active.remove(m)
        for m in opens.get(here, ()):
            out.append(f'<span class="anchor" id="{m.anchor}"></span>')
            if m.end > m.start:
                active.append(m)
        if following is None:
            break
        piece = escape(text[here:following])
        if not active:
            out.append(str(piece))
            continue
        kinds = [k for k in KINDS if any(m.kind == k for m in active)]
        classes = " ".join(f"m-{k}" for k in kinds)
        title = escape("; ".join(f"{KIND_NAMES[m.kind]}: {m.meaning}" for m in active))
        out.append(f'<mark class="{classes}" title="{title}">{piece}</mark>')
    return Markup("".join(out))


def terms(record: Record, marks: list[Mark]) -> list[Term]:
    """The contract terms a benchmarking analyst compares, each with the spans that state it."""
    c = record.contract

    def of(kind: str, keep) -> list[Mark]:
        return [m for m in marks if m.kind == kind and keep(m.span)]

    stated = of("money", lambda s: s.is_contract_value)
    start = c.start_date or record.contract_start
    end = c.end_date or record.contract_end
    annual_how = {
        "stated": "as stated",
        "total_over_term": "total ÷ term",
        "annual_times_term": "as stated",
    }.get(c.annualised_by or "", "")
    return [
        Term(
            "Contract value",
            gbp(c.value_amount) + per_words(c.value_per),
            stated or of("money", lambda s: s.amount == c.value_amount),
        ),
        Term(
            "Annualised value",
            gbp(c.annual_value) + (f" ({annual_how})" if annual_how else "")
            if c.annual_value is not None
            else "",
            of("money", lambda s: s.amount == c.annual_value),
        ),
        Term("Total value", gbp(c.total_value), of("money", lambda s: s.amount == c.total_value)),
        Term("Term", months(c.term_months), of("duration", lambda s: s.kind == "term")),
        Term("Extensions", months(c.extension_months), of("duration", lambda s: s.kind == "extension")),
        Term("Start", start or "", of("date", lambda s: bool(start) and s.date == start)),
        Term("End", end or "", of("date", lambda s: bool(end) and s.date == end)),
        Term(
            "Routes",
            ", ".join(label(r) for r in record.procurement) or (c.procurement_method_details or ""),
            of("route", lambda s: True),
        ),
        Term("Decision maker", record.decision_maker or "", of("maker", lambda s: True)),
        Term(
            "Suppliers",
            "; ".join(dict.fromkeys(s.name for s in record.suppliers)),
            of("supplier", lambda s: True),
        ),
        Term(
            "Category (CPV)",
            f"{record.category.id} {record.category.description}" if record.category else "",
            of("category", lambda s: True),
        ),
    ]
