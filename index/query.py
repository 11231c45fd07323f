"""The query language, parsed once into one model that every backend compiles.

    fostering "care services" -respite          words (all must match), phrases, exclusions
    framework OR dps                            either side
    council:bromley type:decision_details       keyword filters (repeat them with OR for several)
    committee:cabinet maker:"executive member"  words of the committee / decision maker
    route:framework                             procurement route (papers.schema.Route)
    after:2019-01-01 before:2020 year:2019      decision date; after: is inclusive, before: is not
                                                (dates from 1800 to 2200)
    value>=2m value<500k term>=36 term<=5y      annualised contract value (GBP), term in months
    category:85 category:85311000-2             CPV code: a division or any longer prefix of a code
    supplier:veolia supplier:"APCOA Parking"    words of a supplier's normalised name (Ltd, plc,
                                                "(UK)" and "&"/"and" ignored, as in its key)

User text never reaches a backend's own query-string parser: backends build their queries from
this model (index/backends/), so a stray quote or colon cannot change what a query means.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from typing import get_args

from index.documents import cpv_digits
from papers.errors import UserError
from papers.schema import PageType, Route, supplier_key

ROUTES: tuple[str, ...] = get_args(Route)
PAGE_TYPES: tuple[str, ...] = get_args(PageType)

# Query field -> (index field, kind). "keyword" fields match one exact value, "text" fields match
# words inside a name, the rest are ranges. One table, so every backend agrees on the fields.
FIELDS: dict[str, tuple[str, str]] = {
    "council": ("council", "keyword"),
    "type": ("page_type", "keyword"),
    "route": ("routes", "keyword"),
    "committee": ("committee", "text"),
    "maker": ("decision_maker", "text"),
    "after": ("decision_date", "date"),
    "before": ("decision_date", "date"),
    "year": ("year", "int"),
    "value": ("annual_value", "amount"),
    "term": ("term_months", "months"),
    "category": ("category_prefixes", "cpv"),
    "supplier": ("supplier_words", "supplier"),
}
KEYWORD_VALUES: dict[str, tuple[str, ...]] = {"type": PAGE_TYPES, "route": ROUTES}

_FILTER = re.compile(r"([A-Za-z_]+)(>=|<=|:|=|>|<)")
_AMOUNT = re.compile(r"£?(\d[\d,]*(?:\.\d+)?)(k|m|bn|b|thousand|million|billion)?", re.I)
_MULTIPLIER = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
_MONTHS = re.compile(r"(\d+(?:\.\d+)?)(m|mo|months?|y|yrs?|years?)?", re.I)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR = re.compile(r"\d{4}")
_CPV = re.compile(r"\d{2,8}(?:-\d)?")
# Years a date filter may name. Council papers are all far inside it; tantivy stores dates as
# nanoseconds (1677-2262) and fails on anything outside, so the bound is checked here, once.
DATE_YEARS = (1800, 2200)


class QueryError(UserError):
    """A malformed query: ``position`` is the 0-based offset of the problem, ``column`` 1-based."""

    def __init__(self, message: str, position: int):
        self.reason = message
        self.position = position
        self.column = position + 1
        super().__init__(f"bad query at column {self.column}: {message}")


@dataclass(frozen=True)
class Word:
    """A bare word; backends stem it and match it in the title or the body."""

    text: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order."""

    text: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Match:
    """A filter on one field: an exact keyword (council, page_type, routes) or words of a name."""

    field: str  # index field name, see FIELDS
    value: str
    text: bool = False  # True: match the words of a name (committee, decision maker)
    position: int = field(default=0, compare=False)


Bound = str | int | float | None


@dataclass(frozen=True)
class Range:
    """A filter on a number or date: ``low``/``high`` of None leave that side open."""

    field: str  # index field name: decision_date (ISO date strings), year, annual_value, term_months
    low: Bound = None
    high: Bound = None
    include_low: bool = True
    include_high: bool = True
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class AnyOf:
    """Clauses joined by OR: at least one must match."""

    options: tuple[Clause, ...]


Clause = Word | Phrase | Match | Range | AnyOf


@dataclass(frozen=True)
class Query:
    """A parsed query: every ``must`` clause matches and no ``must_not`` clause does."""

    source: str = ""
    must: tuple[Clause, ...] = ()
    must_not: tuple[Clause, ...] = ()

    @property
    def is_empty(self) -> bool:
        """No clause at all: the query matches every record."""
        return not self.must and not self.must_not

    def text_clauses(self) -> list[Word | Phrase]:
        """The positive words and phrases (what snippets highlight), OR groups included."""
        out: list[Word | Phrase] = []
        stack = list(self.must)
        while stack:
            clause = stack.pop(0)
            if isinstance(clause, AnyOf):
                stack.extend(clause.options)
            elif isinstance(clause, (Word, Phrase)):
                out.append(clause)
        return out


def parse(text: str | None) -> Query:
    """Parse user text into a Query; raise QueryError saying what is wrong and where."""
    return _Parser(text or "").parse()


@dataclass
class _Token:
    kind: str  # "clause" | "or"
    position: int
    clause: Clause | None = None
    negated: bool = False


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.lone_dash: int | None = None  # where a "-" with nothing after it stood, if anywhere

    def parse(self) -> Query:
        must: list[Clause] = []
        must_not: list[Clause] = []
        tokens = self._tokens()
        k = 0
        while k < len(tokens):
            tok = tokens[k]
            if tok.kind == "or":
                raise QueryError("OR needs a term before it", tok.position)
            group = [tok]
            while k + 1 < len(tokens) and tokens[k + 1].kind == "or":
                op = tokens[k + 1]
                if k + 2 >= len(tokens) or tokens[k + 2].kind == "or":
                    raise QueryError("OR needs a term after it", op.position)
                group.append(tokens[k + 2])
                k += 2
            k += 1
            if len(group) == 1:
                (must_not if tok.negated else must).append(tok.clause)
                continue
            for member in group:
                if member.negated:
                    raise QueryError("an excluded term cannot be one side of OR", member.position)
            must.append(AnyOf(tuple(m.clause for m in group)))
        if not must and not must_not and self.text.strip():
            raise self._nothing_to_search()
        return Query(source=self.text, must=tuple(must), must_not=tuple(must_not))

    def _tokens(self) -> list[_Token]:
        tokens: list[_Token] = []
        text = self.text
        while True:
            while self.i < len(text) and text[self.i].isspace():
                self.i += 1
            if self.i >= len(text):
                return tokens
            start = self.i
            negated = text[self.i] == "-"
            if negated:
                self.i += 1
                if self.i >= len(text) or text[self.i].isspace():
                    self.lone_dash = start if self.lone_dash is None else self.lone_dash
                    continue  # a lone dash ("cost - benefit") is punctuation, not an exclusion
            clause_start = self.i
            if text[self.i] == '"':
                clause = self._phrase(clause_start)
            else:
                bare = self._bare()
                if bare == "OR" and not negated:
                    tokens.append(_Token("or", start))
                    continue
                clause = self._filter_or_word(bare, clause_start)
            if clause is not None:
                tokens.append(_Token("clause", start, clause, negated))

    def _nothing_to_search(self) -> QueryError:
        """Text that is all punctuation ("-", "(", "*") would match everything: say so instead."""
        if self.lone_dash is not None:
            return QueryError("- needs a word or phrase after it", self.lone_dash)
        at = len(self.text) - len(self.text.lstrip())
        return QueryError(
            f"nothing to search for in '{self.text.strip()}': use words, \"phrases\" or filters such as "
            "council:bromley",
            at,
        )

    def _quoted(self, start: int) -> str:
        """Read a double-quoted string starting at ``start``."""
        end = self.text.find('"', start + 1)
        if end < 0:
            raise QueryError('unbalanced quote: the " here is never closed', start)
        self.i = end + 1
        return self.text[start + 1 : end]

    def _phrase(self, start: int) -> Phrase | None:
        inner = self._quoted(start).strip()
        if not inner:
            raise QueryError("empty phrase", start)
        return Phrase(inner, start) if any(ch.isalnum() for ch in inner) else None

    def _bare(self) -> str:
        """Read up to whitespace, or through a quoted filter value such as committee:"a b"."""
        text, start = self.text, self.i
        while self.i < len(text) and not text[self.i].isspace():
            if text[self.i] == '"':
                m = _FILTER.match(text, start)
                if m and m.end() == self.i:
                    self._quoted(self.i)
                    break
                raise QueryError("a quote must start a phrase (put a space before it)", self.i)
            self.i += 1
        return text[start : self.i]

    def _filter_or_word(self, bare: str, start: int) -> Clause | None:
        m = _FILTER.match(bare)
        if m is None:
            return Word(bare, start) if any(ch.isalnum() for ch in bare) else None
        name, op = m.group(1).lower(), m.group(2)
        raw = bare[m.end() :]
        value_at = start + m.end()
        if name not in FIELDS:
            known = ", ".join(f"{f}:" for f in FIELDS)
            raise QueryError(f"unknown field '{m.group(1)}' (known: {known})", start)
        if raw.startswith('"'):
            raw = raw[1:-1].strip()
        if not raw:
            raise QueryError(f"{name}{op} needs a value", value_at)
        index_field, kind = FIELDS[name]
        if kind in ("keyword", "text", "date", "cpv", "supplier") and op != ":":
            raise QueryError(f"{name}: takes ':' not '{op}'", start + m.start(2))
        if kind == "keyword":
            return Match(index_field, self._keyword(name, raw, value_at), position=start)
        if kind == "text":
            return Match(index_field, raw, text=True, position=start)
        if kind == "cpv":
            if not _CPV.fullmatch(raw):
                raise QueryError(
                    f"category: wants a CPV code or its first digits (85, 8531, 85311000-2), not '{raw}'",
                    value_at,
                )
            return Match(index_field, cpv_digits(raw), position=start)
        if kind == "supplier":
            words = supplier_key(raw)
            if not words:
                raise QueryError(f"supplier: '{raw}' has no name left once legal forms are ignored", value_at)
            return Match(index_field, words, text=True, position=start)
        if kind == "date":
            low = self._date(name, raw, value_at)
            if name == "after":
                return Range(index_field, low=low, position=start)
            return Range(index_field, high=low, include_high=False, position=start)
        number = self._number(kind, name, raw, value_at)
        return _compare(index_field, op, number, start)

    @staticmethod
    def _keyword(name: str, raw: str, at: int) -> str:
        value = raw.lower().replace("-", "_") if name in KEYWORD_VALUES else raw.lower()
        allowed = KEYWORD_VALUES.get(name)
        if allowed is not None and value not in allowed:
            raise QueryError(f"unknown {name} '{raw}' (one of: {', '.join(allowed)})", at)
        return value

    @staticmethod
    def _date(name: str, raw: str, at: int) -> str:
        """A YYYY, YYYY-MM or YYYY-MM-DD value as the first ISO day of that period."""
        m = _DATE.fullmatch(raw)
        if m is None:
            raise QueryError(f"{name}: wants a date like 2019-01-31, 2019-01 or 2019, not '{raw}'", at)
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        if not DATE_YEARS[0] <= year <= DATE_YEARS[1]:
            raise QueryError(
                f"{name}: {year} is outside the supported dates (years {DATE_YEARS[0]} to {DATE_YEARS[1]})",
                at,
            )
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise QueryError(f"{name}: '{raw}' is not a real date", at)
        return f"{year:04d}-{month:02d}-{day:02d}"

    @staticmethod
    def _number(kind: str, name: str, raw: str, at: int) -> float | int:
        if kind == "amount":
            m = _AMOUNT.fullmatch(raw.replace(" ", ""))
            if m is None:
                raise QueryError(f"'{raw}' is not an amount (try {name}>=2m, 500k or 250000)", at)
            return float(m.group(1).replace(",", "")) * _MULTIPLIER.get((m.group(2) or "").lower(), 1.0)
        if kind == "months":
            m = _MONTHS.fullmatch(raw)
            if m is None:
                raise QueryError(f"'{raw}' is not a term (try {name}>=36 for months or {name}>=3y)", at)
            unit = (m.group(2) or "m").lower()
            return float(m.group(1)) * (12 if unit.startswith("y") else 1)
        if not _YEAR.fullmatch(raw):
            raise QueryError(f"'{raw}' is not a year (try {name}:2019)", at)
        return int(raw)


def _compare(index_field: str, op: str, number: float | int, position: int) -> Range:
    if op in (":", "="):
        return Range(index_field, low=number, high=number, position=position)
    if op in (">=", ">"):
        return Range(index_field, low=number, include_low=op == ">=", position=position)
    return Range(index_field, high=number, include_high=op == "<=", position=position)
