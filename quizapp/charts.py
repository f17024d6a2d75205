"""Charts drawn as SVG on the server: no chart library, no CDN, no script.

Each chart is an inline ``<svg role="img">`` labelled by its own `<title>`
and `<desc>` (read by screen readers), scales to its container through its
viewBox, and gives every bar or cell a `<title>` (shown on hover) with the
exact figure.  Colours come from classes styled in style.css, with fill
attributes as a fallback.  All text is escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

_ids = itertools.count(1)


def _frame(width: int, height: int, title: str, desc: str, body: list[str], css: str) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{n}-t chart-{n}-d" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{n}-t">{escape(title)}</title><desc id="chart-{n}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value`.

    >>> _nice_max(0), _nice_max(7), _nice_max(13), _nice_max(180), _nice_max(4100)
    (1, 10, 20, 200, 5000)
    """
    if value <= 1:
        return 1
    magnitude: int = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def forecast_chart(days: Sequence[tuple[date, int]], *, title: str = "Reviews due in the next 30 days") -> Markup:
    """Bars of reviews due per day; the first bar (today) includes what is
    overdue."""
    width, height, left, bottom, top = 420, 170, 30, 22, 10
    peak = _nice_max(max((n for _, n in days), default=0))
    plot_h = height - bottom - top
    slot = (width - left - 4) / max(1, len(days))
    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" stroke="#9aa3ad"/>',
        f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text class="tick" x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, (day, n) in enumerate(days):
        h = plot_h * n / peak
        x = left + i * slot + 1
        label = f"{'Today' if i == 0 else day.strftime('%a %d %b')}: {n} review{'s' if n != 1 else ''} due"
        body.append(
            f'<rect class="bar{" today" if i == 0 else ""}" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(1.0, slot - 2):.1f}" height="{h:.1f}" fill="#1f5fbf"><title>{escape(label)}</title></rect>'
        )
        if i % 7 == 0 and i <= len(days) - 4:  # a label at the right edge would be cut off
            body.append(f'<text class="tick" x="{x:.1f}" y="{height - 6}" font-size="11">'
                        f'{escape("today" if i == 0 else day.strftime("%d %b"))}</text>')
    total = sum(n for _, n in days)
    busiest = max(days, key=lambda d: d[1], default=None)
    desc = f"{total} reviews fall due over {len(days)} days"
    if busiest is not None and busiest[1]:
        desc += f"; the busiest day is {busiest[0]:%A %d %B} with {busiest[1]}"
    return _frame(width, height, title, desc + ".", body, "forecast")


def retention_chart(weeks: Sequence[tuple[date, int, int]], desired: float, *,
                    title: str = "True retention per week") -> Markup:
    """Weekly true retention (recalled / reviews) as bars against the
    desired retention drawn as a dashed line.  `weeks` is (week start,
    reviews, recalled)."""
    width, height, left, bottom, top = 420, 170, 36, 22, 10
    plot_h = height - bottom - top
    floor = 0.5  # below 50% the bars would say nothing more; they are clipped at the axis
    slot = (width - left - 4) / max(1, len(weeks))

    def y(rate: float) -> float:
        return top + plot_h * (1 - (max(floor, min(1.0, rate)) - floor) / (1 - floor))

    body = [f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" stroke="#9aa3ad"/>']
    for tick in (0.5, 0.75, 1.0):
        body.append(f'<text class="tick" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">'
                    f'{tick:.0%}</text>')
    parts = []
    for i, (start, reviews, recalled) in enumerate(weeks):
        x = left + i * slot + 2
        if reviews:
            rate = recalled / reviews
            label = f"Week of {start:%d %b}: {rate:.0%} recalled ({recalled} of {reviews})"
            css = "bar ok" if rate >= desired else "bar low"
            body.append(f'<rect class="{css}" x="{x:.1f}" y="{y(rate):.1f}" width="{max(1.0, slot - 4):.1f}" '
                        f'height="{top + plot_h - y(rate):.1f}" fill="{"#1d7a3a" if rate >= desired else "#b3261e"}">'
                        f'<title>{escape(label)}</title></rect>')
            parts.append(f"{start:%d %b} {rate:.0%}")
        else:
            body.append(f'<text class="tick" x="{x + slot / 2 - 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                        f'font-size="10"><title>{escape(f"Week of {start:%d %b}: no reviews")}</title>–</text>')
        if i % 3 == 0:
            body.append(f'<text class="tick" x="{x:.1f}" y="{height - 6}" font-size="11">{start:%d %b}</text>')
    body.append(f'<line class="target" x1="{left}" y1="{y(desired):.1f}" x2="{width - 4}" y2="{y(desired):.1f}" '
                f'stroke="#5c6670" stroke-dasharray="6 4"><title>Desired retention {desired:.0%}</title></line>')
    desc = (f"Desired retention {desired:.0%}. " +
            ("Weeks measured: " + ", ".join(parts) + "." if parts else "No reviews of learnt skills yet."))
    return _frame(width, height, title, desc, body, "retention")


def heatmap(counts: Mapping[date, int], *, start: date, end: date, title: str = "Reviews per day") -> Markup:
    """A calendar of daily reviews, one column per week (Monday on top),
    darker for more reviews."""
    first = start - timedelta(days=start.weekday())
    weeks = (end - first).days // 7 + 1
    cell, gap, left, top = 11, 2, 28, 16
    width, height = left + weeks * (cell + gap), top + 7 * (cell + gap)
    peak = max(counts.values(), default=0)
    body = []
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        body.append(f'<text class="tick" x="0" y="{top + row * (cell + gap) + cell - 1}" font-size="9">{name}</text>')
    month = None
    for w in range(weeks):
        for d in range(7):
            day = first + timedelta(days=7 * w + d)
            if day < start or day > end:
                continue
            # A month is named above its first Monday, unless fewer than
            # three weeks of it are shown (the window's first month), where
            # its name would overlap the next one.
            if d == 0 and day.month != month and (day + timedelta(days=14)).month == day.month:
                month = day.month
                body.append(f'<text class="tick" x="{left + w * (cell + gap)}" y="10" font-size="9">{day:%b}</text>')
            n = counts.get(day, 0)
            level = 0 if n == 0 else 1 + min(3, int(4 * n / (peak + 1)))
            body.append(
                f'<rect class="day l{level}" x="{left + w * (cell + gap)}" y="{top + d * (cell + gap)}" '
                f'width="{cell}" height="{cell}" rx="2" fill="{_HEAT[level]}">'
                f'<title>{day:%a %d %b %Y}: {n} review{"s" if n != 1 else ""}</title></rect>'
            )
    active = sum(1 for n in counts.values() if n)
    desc = f"{sum(counts.values())} reviews on {active} days between {start:%d %B %Y} and {end:%d %B %Y}."
    return _frame(width, height, title, desc, body, "heatmap")


_HEAT = ("#e8ebef", "#c6dbf7", "#86b3ea", "#3d7fd6", "#1a4f9c")


def meter(value: float | None, *, label: str) -> Markup:
    """A horizontal bar from 0 to 100% (empty, with a dash, for None)."""
    width, height = 200, 14
    body = [f'<rect class="track" x="0" y="0" width="{width}" height="{height}" rx="3" fill="#e8ebef"/>']
    if value is not None:
        filled = width * max(0.0, min(1.0, value))
        body.append(f'<rect class="fill" x="0" y="0" width="{filled:.1f}" height="{height}" rx="3" fill="#1d7a3a"/>')
    text = f"{label}: {value:.0%}" if value is not None else f"{label}: not started"
    return _frame(width, height, text, text, body, "meter")
