"""Where a test run's time goes: seconds per tier and the slowest tests, printed at the end of every pytest
run (tests/conftest.py registers the hooks). With KAFKA_DEMO_TIMINGS set to a file, every test's phases
are also appended to it as JSON lines, so that scripts/test.sh can print one summary for the whole
command (the verify gate's unit tier and the other tiers are separate pytest runs):

    python -m tests.timings FILE     the summary of every run recorded in FILE

A test's time is its setup, call and teardown: a shared cluster's start shows in the setup of the first
test that uses it, its stop in the teardown of the last.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SLOWEST = 15
TIERS = ("unit", "realkafka", "kube", "cluster")


@dataclass
class TestTime:
    nodeid: str
    phases: dict[str, float] = field(default_factory=dict)
    outcome: str = "passed"

    @property
    def tier(self) -> str:
        parts = self.nodeid.split("/")
        return parts[1] if len(parts) > 2 and parts[0] == "tests" else "other"

    @property
    def seconds(self) -> float:
        return sum(self.phases.values())


class Recorder:
    """The pytest hooks' state: every test's phases, in the order they ran."""

    def __init__(self) -> None:
        self.tests: dict[str, TestTime] = {}

    def record(self, nodeid: str, when: str, duration: float, outcome: str) -> None:
        test = self.tests.setdefault(nodeid, TestTime(nodeid))
        test.phases[when] = duration
        if outcome == "failed" or (outcome == "skipped" and test.outcome == "passed"):
            test.outcome = outcome

    def write(self, path: Path) -> None:
        with path.open("a") as out:
            for test in self.tests.values():
                out.write(json.dumps({"nodeid": test.nodeid, "phases": test.phases, "outcome": test.outcome}) + "\n")


def read(path: Path) -> list[TestTime]:
    """Every test recorded in `path` (a test recorded twice counts twice: it ran twice)."""
    tests = []
    for line in path.read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            tests.append(TestTime(entry["nodeid"], entry["phases"], entry["outcome"]))
    return tests


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def summary(tests: list[TestTime]) -> str:
    """The per-tier table and the slowest tests, as text."""
    by_tier: dict[str, list[TestTime]] = defaultdict(list)
    for test in tests:
        by_tier[test.tier].append(test)
    order = [tier for tier in TIERS if tier in by_tier] + sorted(set(by_tier) - set(TIERS))
    lines = [f"{'tier':<10} {'tests':>5} {'passed':>6} {'failed':>6} {'skipped':>7} {'time':>9}"]
    for tier in order:
        items = by_tier[tier]
        count = {outcome: sum(1 for t in items if t.outcome == outcome) for outcome in ("passed", "failed", "skipped")}
        lines.append(
            f"{tier:<10} {len(items):>5} {count['passed']:>6} {count['failed']:>6} {count['skipped']:>7} "
            f"{minutes(sum(t.seconds for t in items)):>9}"
        )
    lines.append(f"{'all':<10} {len(tests):>5} {'':>6} {'':>6} {'':>7} {minutes(sum(t.seconds for t in tests)):>9}")
    slowest = sorted(tests, key=lambda t: t.seconds, reverse=True)[:SLOWEST]
    lines += ["", f"slowest {len(slowest)} tests (setup + call + teardown; a shared cluster starts in a setup):"]
    lines += [
        f"{minutes(t.seconds):>9}  (setup {t.phases.get('setup', 0):.0f}s, call {t.phases.get('call', 0):.0f}s, "
        f"teardown {t.phases.get('teardown', 0):.0f}s)  {t.nodeid}"
        for t in slowest
    ]
    return "\n".join(lines)


RECORDER = Recorder()


def pytest_runtest_logreport(report) -> None:
    RECORDER.record(report.nodeid, report.when, report.duration, report.outcome)


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
