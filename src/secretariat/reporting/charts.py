"""Charts drawn on the server as SVG: no JavaScript, no CDN, nothing the Content Security Policy
forbids (colours are SVG presentation attributes such as fill="…", never style="").

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` (named by aria-labelledby and
aria-describedby), a `<title>` on every bar for those who point at it, and a legend in the
drawing. The pages put the numbers drawn in a data table next to each chart, so nothing is
conveyed by colour alone. The colours keep a 3:1 contrast with white (WCAG 1.4.11), adjacent
segments are separated by a white line, and "not submitted" / "not recorded" are hatched, so the
charts read in grey scale and with colour-vision deficiencies (blue/orange rather than red/green).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1f24"
MUTED = "#4a5563"
GRID = "#d0d7de"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# key -> (fill, hatched): a hatched fill is white with diagonal lines of the colour.
FILLS: dict[str, tuple[str, bool]] = {
    "on_time": ("#0b3d6b", False),  # 11.1:1 on white
    "in_grace": ("#3d7fc1", False),  # 4.2:1
    "late": ("#c25700", False),  # 4.5:1
    "not_submitted": ("#a4161a", True),  # 7.8:1, hatched
    "not_yet_due": ("#6e7781", True),  # 4.6:1, hatched and light: nothing is owed yet
    "public": ("#0b3d6b", False),
    "partly_public": ("#3d7fc1", False),
    "restricted": ("#c25700", False),
    "forms_not_recorded": ("#6e7781", True),
    "rate": ("#0b3d6b", False),
}


@dataclass(frozen=True)
class Series:
    key: str  # a key of FILLS
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class Cell:
    """One cell of a status strip."""

    label: str  # under the cell (a year)
    key: str  # a key of FILLS
    title: str  # what the cell means, in words


def _fill(svg_id: str, key: str) -> str:
    colour, hatched = FILLS[key]
    return f"url(#{svg_id}-hatch-{key})" if hatched else colour


def _defs(svg_id: str, keys: Sequence[str]) -> str:
    patterns = []
    for key in dict.fromkeys(keys):
        colour, hatched = FILLS[key]
        if not hatched:
            continue
        patterns.append(
            f'<pattern id="{escape(svg_id)}-hatch-{escape(key)}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="2.5" height="6" fill="{colour}"/></pattern>'
        )
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _open(svg_id: str, width: int, height: int, title: str, description: str, css_class: str) -> str:
    svg_id = escape(svg_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{svg_id}-title" aria-describedby="{svg_id}-desc" '
        f'font-family="{escape(FONT)}" font-size="12" fill="{INK}">'
        f'<title id="{svg_id}-title">{escape(title)}</title><desc id="{svg_id}-desc">{escape(description)}</desc>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = INK) -> str:
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{escape(text)}</text>'


def _legend(svg_id: str, items: Sequence[tuple[str, str]], *, x: float, y: float, width: float) -> tuple[str, float]:
    """Swatches and labels, wrapped to `width`; returns the markup and the height used."""
    parts = ['<g class="legend">']
    cursor_x, cursor_y = x, y
    for key, label in items:
        item_width = 22 + 6.5 * len(label) + 18
        if cursor_x + item_width > x + width and cursor_x > x:
            cursor_x, cursor_y = x, cursor_y + 20
        colour, _hatched = FILLS[key]
        parts.append(
            f'<rect x="{cursor_x:g}" y="{cursor_y:g}" width="14" height="14" fill="{_fill(svg_id, key)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(_text(cursor_x + 20, cursor_y + 11.5, label))
        cursor_x += item_width
    parts.append("</g>")
    return "".join(parts), cursor_y - y + 20


NICE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_maximum(value: float) -> int:
    """The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^n) at or above
    `value`, at least 1: the top of the axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        if value <= step * power and float(step * power).is_integer():
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def ticks(maximum: int) -> list[int]:
    """Grid lines from 0 to `maximum` in 2 to 6 equal whole steps (every unit for small axes)."""
    for divisions in (4, 5, 6, 3, 2):
        if maximum % divisions == 0 and maximum // divisions >= 1:
            step = maximum // divisions
            return list(range(0, maximum + 1, step))
    return list(range(0, maximum + 1))


def stacked_bars(
    *, svg_id: str, title: str, description: str, categories: Sequence[str], series: Sequence[Series], unit: str = ""
) -> SafeString:
    """Vertical stacked bars: one bar per category, one segment per series (bottom first).
    Every bar is a `<g class="bar">` with a `<title>` giving its segments and total."""
    width, height = 720, 360
    left, right, top = 48, 12, 16
    legend_markup, legend_height = _legend(
        svg_id, [(s.key, s.label) for s in series], x=left, y=0, width=width - left - right
    )
    bottom = 28 + legend_height + 8
    plot_height = height - top - bottom
    plot_width = width - left - right
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    maximum = nice_maximum(max(totals, default=0))
    scale = plot_height / maximum
    parts = [_open(svg_id, width, height, title, description, "chart-svg"), _defs(svg_id, [s.key for s in series])]
    for tick in ticks(maximum):
        y = top + plot_height - tick * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:g}" y2="{y:g}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, str(tick), anchor="end", size=11, fill=MUTED))
    slot = plot_width / max(len(categories), 1)
    bar_width = min(56.0, slot * 0.7)
    for index, category in enumerate(categories):
        x = left + index * slot + (slot - bar_width) / 2
        described = "; ".join(f"{s.label}: {s.values[index]}" for s in series)
        total_text = f"{totals[index]}{unit}"
        parts.append(f'<g class="bar"><title>{escape(f"{category} — {described} ({total_text})")}</title>')
        y = top + plot_height
        for s in series:
            value = s.values[index]
            if not value:
                continue
            segment_height = value * scale
            y -= segment_height
            parts.append(
                f'<rect class="segment segment-{escape(s.key)}" x="{x:g}" y="{y:g}" width="{bar_width:g}" '
                f'height="{segment_height:g}" fill="{_fill(svg_id, s.key)}" stroke="#ffffff" stroke-width="1.5">'
                f"<title>{escape(f'{category} — {s.label}: {value}')}</title></rect>"
            )
        if totals[index]:
            parts.append(_text(x + bar_width / 2, y - 4, str(totals[index]), anchor="middle", size=11))
        parts.append(_text(x + bar_width / 2, top + plot_height + 16, category, anchor="middle"))
        parts.append("</g>")
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height:g}" y2="{top + plot_height:g}" stroke="{INK}"/>'
    )
    parts.append(f'<g transform="translate(0 {height - legend_height - 4:g})">{legend_markup}</g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text and attribute value above is escaped  # noqa: S308


def horizontal_bars(
    *,
    svg_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    value_texts: Sequence[str],
    maximum: int = 100,
    key: str = "rate",
) -> SafeString:
    """One horizontal bar per label, scaled to `maximum` (100 for percentages); a None value
    draws no bar, only its text. Every bar is a `<g class="bar">` with a `<title>`."""
    label_width, bar_area, text_width = 250, 330, 140
    row_height, top = 30, 8
    width = label_width + bar_area + text_width
    height = top + row_height * len(labels) + 24
    parts = [_open(svg_id, width, height, title, description, "chart-svg"), _defs(svg_id, [key])]
    for tick in range(0, maximum + 1, maximum // 4 or 1):
        x = label_width + bar_area * tick / maximum
        parts.append(f'<line x1="{x:g}" x2="{x:g}" y1="{top}" y2="{height - 20}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(x, height - 6, number_format(tick), anchor="middle", size=11, fill=MUTED))
    for index, label in enumerate(labels):
        y = top + index * row_height
        value = values[index]
        parts.append(f'<g class="bar"><title>{escape(f"{label}: {value_texts[index]}")}</title>')
        parts.append(_text(label_width - 8, y + row_height / 2 + 4, label, anchor="end"))
        bar_length = 0.0
        if value is not None:
            bar_length = bar_area * float(min(value, maximum)) / maximum
            parts.append(
                f'<rect x="{label_width}" y="{y + 5:g}" width="{bar_length:g}" height="{row_height - 10}" '
                f'fill="{_fill(svg_id, key)}"/>'
            )
        parts.append(_text(label_width + bar_length + 6, y + row_height / 2 + 4, value_texts[index], size=11))
        parts.append("</g>")
    parts.append(f'<line x1="{label_width}" x2="{label_width}" y1="{top}" y2="{height - 20}" stroke="{INK}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text and attribute value above is escaped  # noqa: S308


def status_strip(
    *, svg_id: str, title: str, description: str, cells: Sequence[Cell], legend: Sequence[tuple[str, str]]
) -> SafeString:
    """A row of square cells (one per year), each filled by its status, with a legend below."""
    size, gap, left = 26, 4, 4
    legend_width = max(len(cells) * (size + gap), 420)
    legend_markup, legend_height = _legend(svg_id, legend, x=left, y=0, width=legend_width)
    width = left * 2 + legend_width
    height = size + 20 + legend_height + 8
    parts = [
        _open(svg_id, width, height, title, description, "chart-svg chart-strip"),
        _defs(svg_id, [c.key for c in cells] + [k for k, _l in legend]),
    ]
    for index, cell in enumerate(cells):
        x = left + index * (size + gap)
        colour, _hatched = FILLS[cell.key]
        parts.append(
            f'<g class="cell cell-{escape(cell.key)}"><title>{escape(cell.title)}</title>'
            f'<rect x="{x}" y="0" width="{size}" height="{size}" fill="{_fill(svg_id, cell.key)}" '
            f'stroke="{colour}" stroke-width="1"/>'
            f"{_text(x + size / 2, size + 14, cell.label, anchor='middle', size=10)}</g>"
        )
    parts.append(f'<g transform="translate(0 {size + 26})">{legend_markup}</g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text and attribute value above is escaped  # noqa: S308
