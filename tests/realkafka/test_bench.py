"""The benchmarks (scripts/bench.sh) cannot rot: here the command itself, `python -m bench --quick`, runs
the two cheapest of them end to end (producer-cost on one real KRaft node of its own, program-cost on the
mock engine) and writes its table, JSON and plot; every benchmark must produce complete figures. The
other benchmarks' live measurements run once on the clusters the scenarios share (test_prod.py for
throughput, rolling and recovery; tests/cluster for demo-up and engine-cost), and what every benchmark
makes of its measurements is checked on recorded ones (tests/unit/bench). Nothing is asserted on the
figures themselves (timings are not tests)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from components.config.stack_files import ROOT

pytestmark = pytest.mark.realkafka

LIVE = ("producer-cost", "program-cost")


def test_the_benchmark_command_runs_and_writes_complete_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path), *LIVE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    print(result.stdout[-6000:])
    assert result.returncode == 0, (
        f"bench --quick failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    )
    figures = json.loads((tmp_path / "latest.json").read_text())["figures"]
    assert {f["benchmark"] for f in figures} == set(LIVE)
    for figure in figures:
        assert figure["ours"] and len(figure["ours"]) == len(figure["reference"]), figure
    assert {path.name for path in tmp_path.iterdir()} >= {"latest.json", "latest.md", "latest.svg"}
