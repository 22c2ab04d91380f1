"""The benchmarks (scripts/bench.sh) run once in --quick mode, so that they cannot rot: every benchmark
must produce complete figures. Nothing is asserted on the figures themselves (timings are not tests).
Here the ones on the real-Kafka harness and the mock engine; tests/cluster/test_bench.py runs the ones on
the local cluster."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.__main__ import BENCHMARKS, ON_LOCAL_CLUSTER
from components.config.stack_files import ROOT

pytestmark = pytest.mark.realkafka


def test_every_benchmark_produces_its_figures_in_quick_mode(tmp_path):
    names = [name for name in BENCHMARKS if name not in ON_LOCAL_CLUSTER]
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path), *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    print(result.stdout[-6000:])
    assert result.returncode == 0, (
        f"bench --quick failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    )
    figures = json.loads((tmp_path / "latest.json").read_text())["figures"]
    assert {f["benchmark"] for f in figures} == set(names)
    for figure in figures:
        assert figure["cannot_run"] or (figure["ours"] and len(figure["ours"]) == len(figure["reference"])), figure
