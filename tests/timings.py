"""Where a test run's time goes: seconds per tier and the slowest tests, printed at the end of every pytest
run (tests/conftest.py registers the hooks). With KAFKA_DEMO_TIMINGS set to a file, every test's phases
are also appended to it as JSON lines, so that scripts/test.sh can print one summary for the whole
command (the verify gate's unit tier and the other tiers are separate pytest runs):

    python -m tests.timings FILE     the summary of every run recorded in FILE

A test's time is its setup, call and teardown: a shared cluster's start shows in the setup of the first
test that uses it, its stop in the teardown of the last. Beside each time is the machine's CPU share during
it (every core's busy time from /proc/stat, the background builds included): near 100 % a test waits for
the CPU and only less work makes it faster; far below, it waits for something else (a timeout, a poll, a
sleep), and overlapping it with other work would pay.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SLOWEST = 15
TIERS = ("unit", "realkafka", "kube", "cluster")


@dataclass
class TestTime:
    nodeid: str
    phases: dict[str, float] = field(default_factory=dict)
    outcome: str = "passed"
    busy: float = 0.0  # core-seconds the whole machine was busy during the test
    cores: int = 1

    @property
    def tier(self) -> str:
        parts = self.nodeid.split("/")
        return parts[1] if len(parts) > 2 and parts[0] == "tests" else "other"

    @property
    def seconds(self) -> float:
        return sum(self.phases.values())

    @property
    def capacity(self) -> float:
        """Core-seconds the machine had during the test."""
        return self.seconds * self.cores


def busy_core_seconds() -> float:
    """Core-seconds this machine's CPUs have been busy since boot: /proc/stat's first line, all but idle
    and iowait."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def cpu_share(busy: float, capacity: float) -> str:
    return f"{100 * busy / capacity:.0f}%" if capacity > 0 else "-"


class Recorder:
    """The pytest hooks' state: every test's phases, in the order they ran."""

    def __init__(self) -> None:
        self.tests: dict[str, TestTime] = {}

    def record(self, nodeid: str, when: str, duration: float, outcome: str) -> None:
        test = self.tests.setdefault(nodeid, TestTime(nodeid))
        test.phases[when] = duration
        if outcome == "failed" or (outcome == "skipped" and test.outcome == "passed"):
            test.outcome = outcome

    def record_cpu(self, nodeid: str, busy: float, cores: int) -> None:
        test = self.tests.setdefault(nodeid, TestTime(nodeid))
        test.busy, test.cores = busy, cores

    def write(self, path: Path) -> None:
        with path.open("a") as out:
            for test in self.tests.values():
                out.write(
                    json.dumps(
                        {
                            "nodeid": test.nodeid,
                            "phases": test.phases,
                            "outcome": test.outcome,
                            "busy": test.busy,
                            "cores": test.cores,
                        }
                    )
                    + "\n"
                )


def read(path: Path) -> list[TestTime]:
    """Every test recorded in `path` (a test recorded twice counts twice: it ran twice)."""
    tests = []
    for line in path.read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            tests.append(
                TestTime(entry["nodeid"], entry["phases"], entry["outcome"], entry.get("busy", 0.0), entry.get("cores", 1))
            )
    return tests


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def share(tests: list[TestTime]) -> str:
    return cpu_share(sum(t.busy for t in tests), sum(t.capacity for t in tests))


def summary(tests: list[TestTime]) -> str:
    """The per-tier table and the slowest tests, as text."""
    by_tier: dict[str, list[TestTime]] = defaultdict(list)
    for test in tests:
        by_tier[test.tier].append(test)
    order = [tier for tier in TIERS if tier in by_tier] + sorted(set(by_tier) - set(TIERS))
    lines = [f"{'tier':<10} {'tests':>5} {'passed':>6} {'failed':>6} {'skipped':>7} {'time':>9} {'cpu':>5}"]
    for tier in order:
        items = by_tier[tier]
        count = {outcome: sum(1 for t in items if t.outcome == outcome) for outcome in ("passed", "failed", "skipped")}
        lines.append(
            f"{tier:<10} {len(items):>5} {count['passed']:>6} {count['failed']:>6} {count['skipped']:>7} "
            f"{minutes(sum(t.seconds for t in items)):>9} {share(items):>5}"
        )
    lines.append(
        f"{'all':<10} {len(tests):>5} {'':>6} {'':>6} {'':>7} {minutes(sum(t.seconds for t in tests)):>9} {share(tests):>5}"
    )
    slowest = sorted(tests, key=lambda t: t.seconds, reverse=True)[:SLOWEST]
    lines += [
        "",
        f"slowest {len(slowest)} tests (setup + call + teardown; a shared cluster starts in a setup; cpu: the "
        "machine's busy share during the test):",
    ]
    lines += [
        f"{minutes(t.seconds):>9} {cpu_share(t.busy, t.capacity):>5}  (setup {t.phases.get('setup', 0):.0f}s, call {t.phases.get('call', 0):.0f}s, "
        f"teardown {t.phases.get('teardown', 0):.0f}s)  {t.nodeid}"
        for t in slowest
    ]
    return "\n".join(lines)


RECORDER = Recorder()


BUSY_AT_SETUP = pytest.StashKey[float]()
BUSY = "busy_core_seconds"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    item.stash[BUSY_AT_SETUP] = busy_core_seconds()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # A user property travels with the teardown's report, also from a pytest-xdist worker to its controller.
    if BUSY_AT_SETUP in item.stash:
        item.user_properties.append((BUSY, busy_core_seconds() - item.stash[BUSY_AT_SETUP]))


def pytest_runtest_logreport(report) -> None:
    RECORDER.record(report.nodeid, report.when, report.duration, report.outcome)
    for name, value in report.user_properties:
        if name == BUSY and report.when == "teardown":
            RECORDER.record_cpu(report.nodeid, value, os.cpu_count() or 1)


def pytest_terminal_summary(terminalreporter) -> None:
    if not RECORDER.tests or hasattr(terminalreporter.config, "workerinput"):  # a pytest-xdist worker: its
        return  # controller gets every report and prints and records them
    terminalreporter.section("time by tier")
    terminalreporter.write_line(summary(list(RECORDER.tests.values())))
    target = os.environ.get("KAFKA_DEMO_TIMINGS")
    if target:
        RECORDER.write(Path(target))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.timings FILE")
    recorded = Path(sys.argv[1])
    print(summary(read(recorded)) if recorded.exists() and recorded.stat().st_size else "no test was recorded")
