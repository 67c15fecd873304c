"""Bar-chart geometry computed on the server, drawn as inline SVG by a template.

The admin gets a chart without a JavaScript library or a request to anyone
else's server; everything here is arithmetic on a list of (label, value).
Coordinates are in SVG user units of the chart's viewBox.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .dashboard import DayViews

# Room around the plot for the tick labels on the left and the day labels below.
MARGIN_LEFT = 44
MARGIN_RIGHT = 8
MARGIN_TOP = 10
MARGIN_BOTTOM = 26
# A generous width per character of the 11px axis labels, so estimates never
# let two labels touch.
CHAR_WIDTH = 7
LABEL_GAP = 10
MAX_BAR_WIDTH = 40  # a single day should look like a bar, not a wall


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    slot_x: float  # the bar's whole column, so a zero-height bar still has a tooltip
    slot_width: float
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class AxisLabel:
    x: float  # the middle of the bar it names
    text: str


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[AxisLabel]
    description: str  # what a screen reader hears instead of the picture

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top

    @property
    def tick_label_x(self) -> float:
        return self.plot_left - 6

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + 17


def nice_step(rough: float) -> int:
    """The 1, 2 or 5 times a power of ten at or above `rough`; at least 1."""
    if rough <= 1:
        return 1
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= rough:
            return int(multiple * power)
    raise AssertionError("unreachable: 10 times the power is always enough")


def axis_ticks(max_value: int, count: int = 4) -> list[int]:
    """Round values from 0 to just above `max_value`, about `count` steps apart.

    An all-zero series still gets an axis (0 and 1), so nothing divides by zero.
    """
    step = nice_step(max_value / count) if max_value > 0 else 1
    top = max(step, math.ceil(max_value / step) * step)
    return list(range(0, top + 1, step))


def compact_number(value: int) -> str:
    """1200 → "1.2k", 3000000 → "3M": short enough for the y axis."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.1f}".removesuffix(".0") + suffix
    return str(value)


def thinned_label_indexes(count: int, slot_width: float, longest: int) -> list[int]:
    """Which bars get an axis label so neighbours never overlap.

    Counted back from the last bar, so the newest day is always labelled.
    """
    if count == 0:
        return []
    needed = longest * CHAR_WIDTH + LABEL_GAP
    every = max(1, math.ceil(needed / slot_width)) if slot_width > 0 else count
    return [index for index in range(count) if (count - 1 - index) % every == 0]


def bar_chart(
    series: Sequence[tuple[str, int]],
    width: int = 720,
    height: int = 220,
    title: str = "Views",
) -> BarChart:
    """Lay out one bar per (label, value), with a y axis of round numbers."""
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    plot_height = bottom - top
    tick_values = axis_ticks(max((value for _, value in series), default=0))
    axis_top = tick_values[-1]

    slot = (right - left) / len(series) if series else right - left
    bar_width = min(slot * 0.75, MAX_BAR_WIDTH)
    bars = []
    for index, (label, value) in enumerate(series):
        slot_x = left + index * slot
        bar_height = plot_height * value / axis_top
        bars.append(
            Bar(
                x=_round(slot_x + (slot - bar_width) / 2),
                y=_round(bottom - bar_height),
                width=_round(bar_width),
                height=_round(bar_height),
                slot_x=_round(slot_x),
                slot_width=_round(slot),
                label=label,
                value=value,
            )
        )
    ticks = [
        Tick(
            _round(bottom - plot_height * value / axis_top),
            value,
            compact_number(value),
        )
        for value in tick_values
    ]
    longest = max((len(label) for label, _ in series), default=0)
    x_labels = [
        AxisLabel(_round(bars[i].slot_x + slot / 2), bars[i].label)
        for i in thinned_label_indexes(len(series), slot, longest)
    ]
    return BarChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        bars=bars,
        ticks=ticks,
        x_labels=x_labels,
        description=describe(series, title),
    )


def describe(series: Sequence[tuple[str, int]], title: str) -> str:
    """One sentence saying what the chart shows, for its aria-label."""
    if not series:
        return f"{title}: no data."
    span = series[0][0] if len(series) == 1 else f"{series[0][0]} to {series[-1][0]}"
    total = sum(value for _, value in series)
    if total == 0:
        return f"{title}, {span}: no views."
    peak_label, peak = max(series, key=lambda item: item[1])
    return f"{title}, {span}: {total:,} in total, most on {peak_label} ({peak:,})."


def daily_chart(
    days: Sequence[DayViews], width: int = 720, height: int = 220
) -> BarChart:
    """A views-per-day chart labelled like "27 Nov"."""
    series = [(f"{d.day.day} {d.day:%b}", d.views) for d in days]
    return bar_chart(series, width=width, height=height, title="Views per day")


def _round(value: float) -> float:
    return round(value, 2)
