"""Small server-side SVG charts: bars, a line/area over time, horizontal bars.

No JavaScript and no CDN: the page carries the chart as markup, so it prints,
works offline and reads in a screen reader. Each chart is an ``<svg role="img">``
with a ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``) and an
``aria-label``; every bar or point also shows its value as text, so nobody has to
estimate a figure from a length.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, floor, log10

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
WIDE = 960
ACCENT = "#1f5f8b"
ACCENT_WASH = "#d6e6f2"
INK = "#1d2a3a"
MUTED = "#4a5668"
GRID = "#dfe4ea"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    text: str | None = None  # shown instead of the bare value, e.g. "12 (60%)"

    @property
    def shown(self) -> str:
        return self.text if self.text is not None else _number(self.value)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) and not value.is_integer() else f"{int(value)}"


def _points(data: Sequence[Point | tuple]) -> list[Point]:
    return [item if isinstance(item, Point) else Point(*item) for item in data]


TICKS = 4


def _axis_max(values: list[float]) -> float:
    """A round axis maximum at or above every value, split into TICKS round steps
    (1, 2, 2.5 or 5 x 10^n; whole steps when the values are whole numbers)."""
    top = max(values, default=0)
    if top <= 0:
        return TICKS
    whole = all(float(value).is_integer() for value in values)
    rough = top / TICKS
    magnitude = 10 ** floor(log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if whole and not float(step).is_integer():
            continue
        if step * TICKS >= top:
            return step * TICKS
    return 10 * magnitude * TICKS


def _description(points: list[Point]) -> str:
    return "; ".join(f"{point.label}: {point.shown}" for point in points) or "No data."


def _svg(chart_id: str, title: str, points: list[Point], width: int, height: int, body: list[str]) -> SafeString:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-label="{escape(title)}" aria-labelledby="{escape(title_id)} {escape(desc_id)}" {FONT}>'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f'<desc id="{escape(desc_id)}">{escape(_description(points))}</desc>'
    )
    # Safe: every caller-supplied text above and in body went through escape().
    return mark_safe(head + "".join(body) + "</svg>")


def _empty(chart_id: str, title: str, width: int) -> SafeString:
    body = [f'<text x="{width / 2}" y="40" text-anchor="middle" font-size="14" fill="{MUTED}">No data yet.</text>']
    return _svg(chart_id, title, [], width, 64, body)


def _gridlines(top: float, left: float, right: float, plot_height: float, axis_max: float) -> list[str]:
    lines = []
    for step in range(TICKS + 1):
        value = axis_max * step / TICKS
        y = top + plot_height - plot_height * step / TICKS
        lines.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        lines.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">'
            f"{escape(_number(value))}</text>"
        )
    return lines


def _axis_label(x: float, y: float, label: str) -> str:
    """A label under the plot, centred on its bar or point."""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="13" fill="{MUTED}">{escape(label)}</text>'


def _tooltip(point: Point) -> str:
    """What a bar or point says when hovered: its label and its value."""
    return f"<title>{escape(point.label)}: {escape(point.shown)}</title>"


def _tick_every(count: int, room: float, label_width: float = 52) -> int:
    return max(1, ceil(count * label_width / room))


def bar_chart(
    chart_id: str, title: str, data: Sequence[Point | tuple], *, width: int = WIDTH, height: int = 260
) -> SafeString:
    """Vertical bars, one per label, each with its value above it."""
    points = _points(data)
    if not points:
        return _empty(chart_id, title, width)
    top, bottom, left, right = 24, 36, 40, width - 12
    plot_height = height - top - bottom
    axis_max = _axis_max([point.value for point in points])
    slot = (right - left) / len(points)
    bar_width = max(min(slot * 0.7, 64), 2)
    every = _tick_every(len(points), right - left)
    body = _gridlines(top, left, right, plot_height, axis_max)
    for index, point in enumerate(points):
        bar_height = plot_height * point.value / axis_max
        x = left + slot * index + (slot - bar_width) / 2
        y = top + plot_height - bar_height
        center = x + bar_width / 2
        body.append(
            f'<g class="bar"><rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar_height:.1f}" '
            f'rx="2" fill="{ACCENT}">{_tooltip(point)}</rect>'
            f'<text x="{center:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="14" font-weight="600" '
            f'fill="{INK}">'
            f"{escape(point.shown)}</text></g>"
        )
        if index % every == 0:
            body.append(_axis_label(center, top + plot_height + 20, point.label))
    return _svg(chart_id, title, points, width, height, body)


def line_chart(
    chart_id: str,
    title: str,
    data: Sequence[Point | tuple],
    *,
    width: int = WIDTH,
    height: int = 240,
    area: bool = True,
) -> SafeString:
    """A line (and the area under it) through the points in order, e.g. registrations per day."""
    points = _points(data)
    if not points:
        return _empty(chart_id, title, width)
    top, bottom, left, right = 24, 36, 40, width - 24
    plot_height = height - top - bottom
    axis_max = _axis_max([point.value for point in points])
    step = (right - left) / max(len(points) - 1, 1)
    coords = [
        (left + step * index if len(points) > 1 else (left + right) / 2, top + plot_height * (1 - p.value / axis_max))
        for index, p in enumerate(points)
    ]
    body = _gridlines(top, left, right, plot_height, axis_max)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    baseline = top + plot_height
    if area:
        first_x, last_x = coords[0][0], coords[-1][0]
        body.append(
            f'<polygon points="{first_x:.1f},{baseline:.1f} {path} {last_x:.1f},{baseline:.1f}" '
            f'fill="{ACCENT_WASH}" stroke="none"/>'
        )
    body.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2.5" stroke-linejoin="round"/>')
    every = _tick_every(len(points), right - left, 56)
    show_values = len(points) <= 31
    for index, ((x, y), point) in enumerate(zip(coords, points, strict=True)):
        body.append(
            f'<g class="point"><circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{ACCENT}">{_tooltip(point)}</circle>'
        )
        if show_values and point.value:
            body.append(
                f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" font-size="13" font-weight="600" fill="{INK}">'
                f"{escape(point.shown)}</text>"
            )
        body.append("</g>")
        if index % every == 0 or index == len(points) - 1:
            body.append(_axis_label(x, baseline + 20, point.label))
    return _svg(chart_id, title, points, width, height, body)


def horizontal_bar_chart(
    chart_id: str,
    title: str,
    data: Sequence[Point | tuple],
    *,
    width: int = WIDTH,
    max_value: float | None = None,
    label_width: int = 110,
) -> SafeString:
    """One row per label, in the caller's order; good for many or long labels."""
    points = _points(data)
    if not points:
        return _empty(chart_id, title, width)
    row_height, top = 32, 6
    height = top * 2 + row_height * len(points)
    left, right = label_width + 8, width - 96
    axis_max = max_value or _axis_max([point.value for point in points])
    body = []
    for index, point in enumerate(points):
        y = top + row_height * index
        bar_width = (right - left) * min(point.value / axis_max, 1) if axis_max else 0
        fits = max(label_width // 7, 4)
        label = point.label if len(point.label) <= fits else point.label[: fits - 1] + "…"
        body.append(
            f'<g class="bar"><text x="{label_width}" y="{y + 21}" text-anchor="end" font-size="13" fill="{INK}">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 5}" width="{right - left}" height="{row_height - 10}" rx="2" fill="{GRID}"/>'
            f'<rect x="{left}" y="{y + 5}" width="{bar_width:.1f}" height="{row_height - 10}" rx="2" fill="{ACCENT}">'
            f"{_tooltip(point)}</rect>"
            f'<text x="{right + 8}" y="{y + 21}" font-size="13" font-weight="600" fill="{INK}">'
            f"{escape(point.shown)}</text></g>"
        )
    return _svg(chart_id, title, points, width, height, body)
