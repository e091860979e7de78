"""Small server-side SVG charts (stacked columns, stacked bars, a heatmap) whose marks are links.

Drawing on the server keeps the dashboard fast and fully offline, and makes every bar an ordinary ``<a>``
that opens the filtered document list. All labels are escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Segment:
    """One coloured piece of a stacked bar."""

    name: str
    value: int
    css: str
    href: str


@dataclass(frozen=True)
class Bar:
    """A bar (or column): its axis label and its stacked segments."""

    label: str
    segments: list[Segment]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _axis(value: int, max_ticks: int = 5) -> tuple[int, int]:
    """A readable axis for counts up to ``value``: (maximum, step) with a step of 1, 2 or 5 times a power of ten."""
    rough = max(1.0, value / max_ticks)
    magnitude = 10 ** (len(str(int(rough))) - 1)
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= rough)
    return max(step, -(-value // step) * step), step


def _svg_open(width: int, height: int, title: str) -> str:
    """An SVG at its natural size that shrinks (never grows) to fit its container."""
    return (f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}">')


def _rect(x: float, y: float, w: float, h: float, seg: Segment, what: str) -> str:
    tip = escape(f"{what} · {seg.name}: {seg.value:,}")
    return (f'<a href="{escape(seg.href)}"><rect class="{escape(seg.css)}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{max(w, 0.5):.1f}" height="{max(h, 0.5):.1f}" data-label="{escape(seg.name)}" '
            f'data-value="{seg.value}"><title>{tip}</title></rect></a>')


def column_chart(bars: list[Bar], *, title: str, width: int = 960, height: int = 260, empty: str = "No data.") -> Markup:
    """Vertical stacked columns (e.g. one per week or month; a bar without segments is an empty column); ``empty``
    says why there is no chart."""
    if not bars:
        return Markup(f'<p class="empty">{escape(empty)}</p>')
    left, bottom, top = 44, 46, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak, tick = _axis(max(max(b.total for b in bars), 1))
    step = plot_w / len(bars)
    label_every = max(1, round(len(bars) / 16))
    out = [_svg_open(width, height, title)]
    for value in range(0, peak + 1, tick):
        y = top + plot_h - plot_h * value / peak
        out.append(f'<line class="grid" x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>')
    for i, bar in enumerate(bars):
        x = left + i * step + step * 0.1
        y = top + plot_h
        for seg in bar.segments:
            h = plot_h * seg.value / peak
            y -= h
            out.append(_rect(x, y, step * 0.8, h, seg, bar.label))
        if i % label_every == 0:
            out.append(f'<text class="tick" x="{x + step * 0.4:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                       f"{escape(bar.label)}</text>")
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(bars: list[Bar], *, title: str, width: int = 560, label_width: int = 170, bar_height: int = 20) -> Markup:
    """Horizontal stacked bars (e.g. one per outlet, language or entity), longest first as given."""
    if not bars:
        return Markup('<p class="empty">No data.</p>')
    height = len(bars) * (bar_height + 6) + 8
    plot_w = width - label_width - 50
    peak = max(b.total for b in bars) or 1
    out = [_svg_open(width, height, title)]
    for i, bar in enumerate(bars):
        y = 4 + i * (bar_height + 6)
        out.append(f'<text class="tick" x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
                   f"<title>{escape(bar.label)}</title>{escape(_short(bar.label, label_width // 7))}</text>")
        x = float(label_width)
        for seg in bar.segments:
            w = plot_w * seg.value / peak
            out.append(_rect(x, y, w, bar_height, seg, bar.label))
            x += w
        out.append(f'<text class="tick" x="{x + 6:.1f}" y="{y + bar_height * 0.7:.1f}">{bar.total:,}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def heatmap(labels: list[str], counts: dict[tuple[str, str], int], href: Callable[[str, str], str], *, title: str,
            label_width: int = 250, cell: int = 22) -> Markup:
    """A symmetric matrix of pair counts; rows are named, columns numbered in the same order; ``href(a, b)`` is
    the link of a cell."""
    if not labels or not counts:
        return Markup('<p class="empty">No narratives occur together.</p>')
    peak = max(counts.values())
    size = len(labels) * cell
    width, height = label_width + size + 10, size + 30
    out = [_svg_open(width, height, title)]
    for j in range(len(labels)):
        out.append(f'<text class="tick" x="{label_width + j * cell + cell / 2:.1f}" y="16" text-anchor="middle">'
                   f"{j + 1}</text>")
    for i, a in enumerate(labels):
        y = 24 + i * cell
        out.append(f'<text class="tick" x="{label_width - 8}" y="{y + cell * 0.65:.1f}" text-anchor="end">'
                   f"<title>{escape(a)}</title>{i + 1}. {escape(_short(a, label_width // 7))}</text>")
        for j, b in enumerate(labels):
            value = counts.get((a, b)) or counts.get((b, a)) or 0
            if i == j or not value:
                continue
            level = 1 + min(4, int(5 * value / (peak + 1)))
            tip = escape(f"{a} + {b}: {value:,} documents")
            out.append(f'<a href="{escape(href(a, b))}"><rect class="heat h{level}" x="{label_width + j * cell}" '
                       f'y="{y}" width="{cell - 2}" height="{cell - 2}" data-value="{value}"><title>{tip}</title>'
                       "</rect></a>")
    out.append("</svg>")
    return Markup("".join(out))
