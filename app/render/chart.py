"""A small line chart drawn as accessible SVG on the server (no JavaScript, no library).

The chart has a ``<title>`` and a ``<desc>`` referenced by ``aria-labelledby``, ``role="img"``,
one polyline per series with a point marker on every value, and every label escaped. The figures
belong in a table next to it as well: a picture helps, but it is not the only way to read them.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Series:
    """One line of the chart: a name and one value per x label."""

    name: str
    values: tuple[float, ...]
    css_class: str = ""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:g}"


def line_chart(ident: str, title: str, description: str, labels: list[str], series: list[Series],
               ticks: int = 4, whole: bool = True) -> Markup:
    """An SVG line chart of ``series`` over ``labels``, titled and described for screen readers.

    The vertical axis has ``ticks`` steps of a round size; with ``whole`` (counts) a step is at least 1.
    """
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    step_value = nice_ceiling(max((v for s in series for v in s.values), default=0) / ticks)
    top = (max(step_value, 1) if whole else step_value) * ticks
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h

    ident = escape(ident)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
             f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-title">{escape(title)}</title>', f'<desc id="{ident}-desc">{escape(description)}</desc>',
             '<g class="chart-grid" aria-hidden="true">']
    for k in range(ticks + 1):
        value = top * k / ticks
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                     f'<text class="chart-tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_number(value)}</text>')
    every = max(1, -(-len(labels) // 6))  # at most about six labels under the axis
    last = len(labels) - 1  # always labelled; a regular label closer to it than ``every`` would overlap it
    for i, label in enumerate(labels):
        if (i % every == 0 and last - i >= every) or i == last:
            anchor = "end" if i == last and last > 0 else "start" if i == 0 else "middle"
            parts.append(f'<text class="chart-label" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}">'
                         f'{escape(label)}</text>')
    parts.append("</g>")
    for n, s in enumerate(series):
        css = escape(s.css_class or f"chart-series-{n}")
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(f'<g class="chart-series {css}" aria-hidden="true"><polyline fill="none" points="{points}"/>')
        parts += [f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3"/>' for i, v in enumerate(s.values)]
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
