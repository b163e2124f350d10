"""Line charts as inline SVG: a report opens offline and needs no script to draw."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 180, 52, 22, 10
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2")


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: Sequence[float | None]
    dashed: bool = False


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (1 for 0)."""
    if value <= 0:
        return 1.0
    power: float = 10.0 ** math.floor(math.log10(value))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value))


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.3g}"


def line_chart(title: str, unit: str, times: Sequence[float], lines: Sequence[Line]) -> str:
    """One chart; ``times`` in seconds (shown from 0), gaps (``None``) break a line."""
    known = [v for line in lines for v in line.values if v is not None]
    if not times or not known:
        return f'<p class="empty">{escape(title)}: no data</p>'
    top = nice_ceiling(max(known))
    start, span = times[0], (times[-1] - times[0]) or 1
    inner_w, inner_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP

    def x(t: float) -> float:
        return PAD_LEFT + (t - start) / span * inner_w

    def y(v: float) -> float:
        return PAD_TOP + inner_h - v / top * inner_h

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'class="chart" xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in (top * i / 4 for i in range(5)):
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'class="grid"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{_number(tick)}</text>"
        )
    for fraction, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
        t = start + span * fraction
        parts.append(
            f'<text x="{x(t):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{t - start:.0f} s</text>'
        )
    for i, line in enumerate(lines):
        colour = PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        runs: list[list[str]] = [[]]
        for t, v in zip(times, line.values, strict=False):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(t):.1f},{y(v):.1f}")
        for points in runs:
            if points:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="1.6"{dash}/>'
                )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{PALETTE[i % len(PALETTE)]}"></i>'
        f"{escape(line.label)}</span>"
        for i, line in enumerate(lines)
    )
    return (
        f"<figure><figcaption>{escape(title)} <small>({escape(unit)})</small></figcaption>"
        f'{"".join(parts)}<div class="legend">{legend}</div></figure>'
    )
