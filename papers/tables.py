"""Tables for a terminal: legible at 80 columns, whole values when piped.

Every table the CLI prints goes through ``render``. Columns say what may give way when the terminal
is narrow, so the values a reader came for (dates, amounts, ids) are never cut:

1. every column at its natural width, when that fits (always, when piped: ``width=None``);
2. wrapping columns (titles) shrink to their minimum width, breaking lines between words;
3. foldable columns leave the table, least important first, for a line under their row
   ("routes: framework, dps"), columns of one priority together;
4. when even that does not fit, one block per row: the first column as a heading, then each
   other value on a line of its own.

A value is cut nowhere: a word longer than a wrapping column's width gets a line of its own.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

GAP = "  "  # between columns
FOLD_INDENT = "    "


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``priority``: the higher, the sooner it folds out of a narrow table (0 never folds).
    ``wrap``: its text may break between words over several lines, down to ``min_width``.
    ``right``: right-aligned (numbers).
    ``empty``: a value not worth a folded line (a count of "0").
    """

    name: str
    priority: int = 0
    wrap: bool = False
    min_width: int = 16
    right: bool = False
    empty: str = ""


def terminal_width() -> int | None:
    """The terminal's width, or None when stdout is not a terminal (piped: print whole values)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((100, 24)).columns


def render(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int | None) -> str:
    """The table as lines of text no wider than ``width`` (any width when None)."""
    natural = [max([len(c.name), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    if width is None or _total(natural) <= width:
        return _table(columns, rows, natural, [])
    shown = list(range(len(columns)))
    folded: list[int] = []
    foldable = sorted((i for i, c in enumerate(columns) if c.priority), key=lambda i: -columns[i].priority)
    while True:
        widths = _fit(columns, shown, natural, rows, width)
        if widths is not None:
            return _table(
                [columns[i] for i in shown],
                [[r[i] for i in shown] + [r[i] for i in folded] for r in rows],
                widths,
                [columns[i] for i in folded],
                width,
            )
        if not foldable:
            return _blocks(columns, rows, width)
        # Columns of one priority fold together (a start date never without its end date).
        level = columns[foldable[0]].priority
        while foldable and columns[foldable[0]].priority == level:
            shown.remove(foldable.pop(0))
        folded = [i for i in range(len(columns)) if i not in shown]  # in the table's own order


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * (len(widths) - 1)


def _fit(
    columns: Sequence[Column], shown: list[int], natural: list[int], rows, width: int
) -> list[int] | None:
    """Widths of the shown columns within ``width``, wrapping columns shrunk as needed; None if
    they do not fit. A wrapping column is never narrower than its header or its longest word."""
    widths = [natural[i] for i in shown]
    spare = width - _total(widths)
    if spare >= 0:
        return widths
    for k, i in enumerate(shown):
        col = columns[i]
        if not col.wrap:
            continue
        longest_word = max([len(col.name), *(len(w) for r in rows for w in r[i].split())])
        floor = min(natural[i], max(col.min_width, longest_word))
        give = min(widths[k] - floor, -spare)
        widths[k] -= give
        spare += give
        if spare >= 0:
            return widths
    return None


def _cell_lines(text: str, width: int, wrap: bool) -> list[str]:
    if not wrap or len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    widths: list[int],
    folded: Sequence[Column],
    width: int | None = None,
) -> str:
    def line(cells: Sequence[str]) -> str:
        out = [
            cell.rjust(w) if c.right else cell.ljust(w)
            for c, w, cell in zip(columns, widths, cells, strict=True)
        ]
        return GAP.join(out).rstrip()

    n = len(columns)
    drawn = []
    for row in rows:
        cells = [_cell_lines(row[k], widths[k], c.wrap) for k, c in enumerate(columns)]
        block = [
            line([c[depth] if depth < len(c) else "" for c in cells]) for depth in range(max(map(len, cells)))
        ]
        extras = [f"{c.name}: {v}" for c, v in zip(folded, row[n:], strict=True) if v != c.empty]
        if extras:
            block.extend(_wrapped("  ·  ".join(extras), width, FOLD_INDENT))
        drawn.append(block)
    # Rows over several lines are told apart by a blank line between them.
    spaced = any(len(block) > 1 for block in drawn)
    lines = [line([c.name for c in columns]), line(["-" * w for w in widths])]
    for k, block in enumerate(drawn):
        if spaced and k:
            lines.append("")
        lines.extend(block)
    return "\n".join(lines)


def _wrapped(text: str, width: int | None, indent: str, later: str | None = None) -> list[str]:
    """``text`` broken between words to ``width`` (whole when None); ``later`` indents lines after
    the first (default: as the first)."""
    if width is None:
        return [indent + text]
    return textwrap.wrap(
        text,
        max(width, len(indent) + 20),
        initial_indent=indent,
        subsequent_indent=indent if later is None else later,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _blocks(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> str:
    """One block per row: the first value as a heading, then "name: value" for each other one."""
    lines: list[str] = []
    for row in rows:
        if lines:
            lines.append("")
        lines.extend(_wrapped(row[0], width, ""))
        for c, v in zip(columns[1:], row[1:], strict=True):
            if v != c.empty:
                lines.extend(_wrapped(f"{c.name}: {v}", width, FOLD_INDENT[:2]))
    return "\n".join(lines)


def wrap_text(text: str, width: int | None, indent: str = "", later: str | None = None) -> str:
    """Running text (a search snippet, a message) broken between words to ``width``."""
    return "\n".join(_wrapped(text, width, indent, later))
