import datetime

import pytest

from masthead.analytics.charts import (
    axis_ticks,
    bar_chart,
    compact_number,
    daily_chart,
    nice_step,
    thinned_label_indexes,
)
from masthead.analytics.dashboard import DayViews


@pytest.mark.parametrize(
    ("rough", "step"),
    [(0.3, 1), (1, 1), (1.5, 2), (3, 5), (7, 10), (12, 20), (308.5, 500)],
)
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(rough, step):
    assert nice_step(rough) == step


@pytest.mark.parametrize(
    ("max_value", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (7, [0, 2, 4, 6, 8]),
        (100, [0, 50, 100]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_axis_ticks_are_round_and_reach_the_largest_value(max_value, ticks):
    assert axis_ticks(max_value) == ticks


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (999, "999"), (1000, "1k"), (1250, "1.2k"), (2_500_000, "2.5M")],
)
def test_compact_number_keeps_axis_labels_short(value, text):
    assert compact_number(value) == text


def test_bar_heights_are_proportional_to_values():
    chart = bar_chart([("a", 10), ("b", 5), ("c", 0)], width=300, height=200)
    tall, half, empty = chart.bars
    assert tall.height == pytest.approx(2 * half.height)
    assert empty.height == 0
    # Bars stand on the baseline, and the axis top (10) is the full plot height.
    assert all(
        bar.y + bar.height == pytest.approx(chart.plot_bottom) for bar in chart.bars
    )
    assert tall.height == pytest.approx(chart.plot_bottom - chart.plot_top)


def test_bars_are_laid_out_left_to_right_inside_the_plot():
    chart = bar_chart([(str(n), n) for n in range(30)], width=720, height=220)
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert chart.bars[0].x >= chart.plot_left
    assert chart.bars[-1].x + chart.bars[-1].width <= chart.plot_right


def test_ticks_run_from_the_baseline_up():
    chart = bar_chart([("a", 7)], height=200)
    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8]
    assert chart.ticks[0].y == chart.plot_bottom
    assert chart.ticks[-1].y == chart.plot_top


def test_all_zero_series_draws_flat_bars_without_dividing_by_zero():
    chart = bar_chart([("a", 0), ("b", 0)])
    assert [bar.height for bar in chart.bars] == [0, 0]
    assert [tick.value for tick in chart.ticks] == [0, 1]
    assert "no views" in chart.description


def test_empty_series_has_an_axis_and_no_bars():
    chart = bar_chart([])
    assert chart.bars == []
    assert chart.x_labels == []
    assert chart.description == "Views: no data."


def test_single_point_is_a_bar_not_a_wall():
    chart = bar_chart([("27 Nov", 4)], width=720)
    (bar,) = chart.bars
    assert 0 < bar.width <= 40
    assert bar.x + bar.width / 2 == pytest.approx(
        (chart.plot_left + chart.plot_right) / 2
    )
    assert [label.text for label in chart.x_labels] == ["27 Nov"]


def test_x_labels_are_thinned_so_they_do_not_overlap_and_keep_the_last():
    chart = bar_chart([(f"{n} Nov", n) for n in range(1, 31)], width=720)
    labels = chart.x_labels
    assert 2 < len(labels) < 30
    assert labels[-1].text == "30 Nov"
    gaps = [b.x - a.x for a, b in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= len("30 Nov") * 6


def test_every_label_shown_when_there_is_room():
    assert thinned_label_indexes(5, slot_width=100, longest=6) == [0, 1, 2, 3, 4]
    assert thinned_label_indexes(5, slot_width=30, longest=6) == [0, 2, 4]
    assert thinned_label_indexes(0, slot_width=30, longest=6) == []


def test_description_names_the_span_total_and_busiest_day():
    chart = bar_chart([("1 Nov", 3), ("2 Nov", 1200)], title="Views per day")
    assert chart.description == (
        "Views per day, 1 Nov to 2 Nov: 1,203 in total, most on 2 Nov (1,200)."
    )


def test_daily_chart_labels_days_like_27_nov():
    chart = daily_chart([DayViews(datetime.date(2026, 11, 27), 5)])
    assert chart.bars[0].label == "27 Nov"
    assert chart.bars[0].value == 5
