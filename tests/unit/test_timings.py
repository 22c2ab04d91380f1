"""The time summary every test run prints (tests/timings.py): tiers add up, the slowest come first."""

import time

from tests.timings import Recorder, busy_core_seconds, read, summary


def test_the_summary_adds_each_tier_and_lists_the_slowest_first(tmp_path):
    recorder = Recorder()
    for nodeid, phases, outcome in (
        ("tests/unit/test_a.py::test_one", {"setup": 0.5, "call": 1.0, "teardown": 0.1}, "passed"),
        ("tests/realkafka/test_b.py::test_two", {"setup": 120.0, "call": 30.0, "teardown": 5.0}, "passed"),
        ("tests/realkafka/test_b.py::test_three", {"setup": 0.0, "call": 61.5}, "failed"),
    ):
        for when, seconds in phases.items():
            recorder.record(nodeid, when, seconds, outcome if when == "call" else "passed")
    recorder.record_cpu("tests/unit/test_a.py::test_one", 3.2, 2)  # both cores busy all along
    recorder.record_cpu("tests/realkafka/test_b.py::test_two", 77.5, 2)  # a quarter of two cores
    recorder.record_cpu("tests/realkafka/test_b.py::test_three", 0.0, 2)
    path = tmp_path / "timings.jsonl"
    recorder.write(path)
    text = summary(read(path))
    lines = text.splitlines()
    assert lines[1].split() == ["unit", "1", "1", "0", "0", "0:01.6", "100%"]
    assert lines[2].split() == ["realkafka", "2", "1", "1", "0", "3:36.5", "18%"]  # 77.5 / (216.5 * 2)
    assert lines[3].split() == ["all", "3", "3:38.1", "19%"]
    slowest = [line.split()[-1] for line in lines[lines.index("") + 2 :]]
    assert [line.split()[1] for line in lines[lines.index("") + 2 :]] == ["25%", "0%", "100%"]
    assert slowest == [
        "tests/realkafka/test_b.py::test_two",
        "tests/realkafka/test_b.py::test_three",
        "tests/unit/test_a.py::test_one",
    ]


def test_the_machine_busy_time_grows_while_this_process_computes():
    before = busy_core_seconds()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert busy_core_seconds() - before >= 0.2  # at least this process's own 0.3 CPU-s, less a tick's rounding
