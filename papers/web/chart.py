"""The contracts chart: annualised value per group as a box plot over a strip of every contract.

Drawn as SVG on the server so it works without JavaScript and prints. The value axis is
logarithmic because council contracts run from thousands to hundreds of millions a year: on a
linear axis every group but the largest would be a smear at zero. Every dot links to its decision.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from papers.web.fmt import gbp, gbp_short

ROW = 34  # px per group
LEFT, RIGHT, TOP, BOTTOM = 230, 125, 14, 40  # room for a 26-character council name and "n=4 (3 unknown)"
MAX_GROUPS = 40  # past this the chart stops being readable; the table below lists every group


@dataclass
class Point:
    value: float
    href: str
    title: str


@dataclass
class Group:
    label: str
    count: int  # contracts in the group, with or without a known annual value
    points: list[Point] = field(default_factory=list)  # those with a known annual value
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def unknown(self) -> int:
        return self.count - len(self.points)


def _ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks over a short range, powers of ten over a long one."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1, 2, 5) if last - first <= 3 else (1,)
    return [s * 10**e for e in range(first, last + 1) for s in steps if lo <= s * 10**e <= hi]


def box_strip(groups: list[Group], width: int = 900) -> Markup:
    """An SVG figure (or an empty Markup when no group has a known value)."""
    shown = [g for g in groups if g.points][:MAX_GROUPS]
    values = [p.value for g in shown for p in g.points if p.value > 0]
    if not values:
        return Markup("")
    lo, hi = 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))
    if hi <= lo:
        hi = lo * 10
    span = math.log10(hi) - math.log10(lo)
    plot_w = width - LEFT - RIGHT
    height = TOP + ROW * len(shown) + BOTTOM

    def x(v: float) -> float:
        return LEFT + plot_w * (math.log10(max(v, lo)) - math.log10(lo)) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">Annualised contract value per group (log scale)</title>',
    ]
    axis_y = TOP + ROW * len(shown)
    for t in _ticks(lo, hi):
        out.append(f'<line class="grid" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{TOP}" y2="{axis_y}"/>')
        out.append(
            f'<text class="tick" x="{x(t):.1f}" y="{axis_y + 16}" text-anchor="middle">'
            f"{escape(gbp_short(t))}</text>"
        )
    out.append(
        f'<text class="axis" x="{LEFT + plot_w / 2:.0f}" y="{axis_y + 34}" text-anchor="middle">'
        "annualised value per year (log scale)</text>"
    )
    for i, g in enumerate(shown):
        mid = TOP + ROW * i + ROW / 2
        if i % 2:
            out.append(f'<rect class="band" x="0" y="{mid - ROW / 2}" width="{width}" height="{ROW}"/>')
        name = g.label if len(g.label) <= 26 else g.label[:25] + "…"
        out.append(
            f'<text class="label" x="{LEFT - 8}" y="{mid + 4}" text-anchor="end">'
            f"<title>{escape(g.label)}</title>{escape(name)}</text>"
        )
        vs = [p.value for p in g.points]
        out.append(
            f'<line class="whisker" x1="{x(min(vs)):.1f}" x2="{x(max(vs)):.1f}" y1="{mid}" y2="{mid}"/>'
        )
        if g.q1 is not None and g.q3 is not None:
            out.append(
                f'<rect class="box" x="{x(g.q1):.1f}" y="{mid - 9}" '
                f'width="{max(x(g.q3) - x(g.q1), 1):.1f}" height="18"/>'
            )
        if g.median is not None:
            out.append(
                f'<line class="median" x1="{x(g.median):.1f}" x2="{x(g.median):.1f}" '
                f'y1="{mid - 11}" y2="{mid + 11}"><title>median {escape(gbp(g.median))}</title></line>'
            )
        for p in g.points:
            # Deterministic jitter: the same data draws the same picture (and the same screenshot).
            dy = (zlib.crc32(p.href.encode()) % 15) - 7
            out.append(
                f'<a href="{escape(p.href)}"><circle class="dot" cx="{x(p.value):.1f}" '
                f'cy="{mid + dy}" r="3.5"><title>{escape(p.title)}</title></circle></a>'
            )
        note = f"n={g.count}" + (f" ({g.unknown} unknown)" if g.unknown else "")
        out.append(f'<text class="count" x="{width - RIGHT + 8}" y="{mid + 4}">{escape(note)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
