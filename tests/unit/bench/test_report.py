"""The benchmark report: ratios point the right way, incomplete figures are caught, the outputs parse."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

from bench.report import Figure, table, write


def test_ratio_is_how_many_times_better_ours_is_whichever_way_better_points():
    cpu = Figure("b", "CPU s", "ours", "ref", ours=[1.0, 3.0, 2.0], reference=[100.0, 300.0, 200.0], goal_ratio=50)
    assert cpu.ours_median == 2.0 and cpu.ratio == 100.0 and cpu.goal_met is True
    rate = Figure("b", "records/s", "ours", "ref", ours=[50.0], reference=[100.0], better="higher", goal_ratio=1.0)
    assert rate.ratio == 0.5 and rate.goal_met is False
    growth = Figure("b", "s", "9 brokers", "1 broker", ours=[3.0], reference=[2.0], better="growth")
    assert growth.ratio == 1.5 and growth.goal_met is None


def test_a_figure_without_both_sides_is_incomplete_unless_it_says_why():
    assert not Figure("b", "s", "ours", "ref", ours=[1.0]).complete()
    assert not Figure("b", "s", "ours", "ref", ours=[1.0, 2.0], reference=[1.0]).complete()
    assert Figure("b", "s", "ours", "ref", cannot_run="needs a disk").complete()


def test_table_json_and_plot(tmp_path):
    figures = [
        Figure(
            "producer-cost", "CPU s per 1,000 events", "ours", "seed", ours=[2.0], reference=[400.0], goal="≥ 50x", goal_ratio=50
        ),
        Figure(
            "throughput", "records/s", "ours", "stock", ours=[90.0], reference=[100.0], better="higher", goal="≥ 1x", goal_ratio=1
        ),
        Figure("recovery", "s", "ours", "stock", cannot_run="no second disk"),
    ]
    text = table(figures)
    assert "200x" in text and "met" in text and "NOT met" in text and "cannot run here: no second disk" in text
    paths = write(figures, tmp_path, {"summary": "test machine"})
    data = json.loads(paths[0].read_text())
    assert data["machine"]["summary"] == "test machine"
    assert [f["ratio"] for f in data["figures"][:2]] == [200.0, 0.9] and "ratio" not in data["figures"][2]
    ElementTree.fromstring(paths[1].read_text())  # well-formed SVG
    assert "test machine" in paths[2].read_text()


def test_two_equal_sides_are_a_ratio_of_one_also_when_both_are_zero():
    errors = Figure("rolling", "send errors", "ours", "naive", ours=[0.0], reference=[0.0])
    assert errors.ratio == 1.0
    assert Figure("rolling", "send errors", "ours", "naive", ours=[0.0], reference=[4.0]).ratio == float("inf")
