"""The time summary every test run prints (tests/timings.py): tiers add up, the slowest come first."""

from tests.timings import Recorder, read, summary


def test_the_summary_adds_each_tier_and_lists_the_slowest_first(tmp_path):
    recorder = Recorder()
    for nodeid, phases, outcome in (
        ("tests/unit/test_a.py::test_one", {"setup": 0.5, "call": 1.0, "teardown": 0.1}, "passed"),
        ("tests/realkafka/test_b.py::test_two", {"setup": 120.0, "call": 30.0, "teardown": 5.0}, "passed"),
        ("tests/realkafka/test_b.py::test_three", {"setup": 0.0, "call": 61.5}, "failed"),
    ):
        for when, seconds in phases.items():
            recorder.record(nodeid, when, seconds, outcome if when == "call" else "passed")
    path = tmp_path / "timings.jsonl"
    recorder.write(path)
    text = summary(read(path))
    lines = text.splitlines()
    assert lines[1].split() == ["unit", "1", "1", "0", "0", "0:01.6"]
    assert lines[2].split() == ["realkafka", "2", "1", "1", "0", "3:36.5"]
    assert lines[3].split() == ["all", "3", "3:38.1"]
    slowest = [line.split()[-1] for line in lines[lines.index("") + 2 :]]
    assert slowest == [
        "tests/realkafka/test_b.py::test_two",
        "tests/realkafka/test_b.py::test_three",
        "tests/unit/test_a.py::test_one",
    ]
