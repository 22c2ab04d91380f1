"""The engine benchmarks cannot rot: `python -m bench --quick demo-up` runs end to end on this session's
cluster (a fresh dev stack up to its first consumed event, with its phases, then removed), and
engine-cost's previews run once here with the session's engine; its no-op up is measured on the prod
stack test_prod.py deploys. What the benchmarks make of their measurements is checked on recorded ones
(tests/unit/bench). Nothing is asserted on the figures themselves (timings are not tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench import engine_cost
from components.config.stack_files import ROOT

pytestmark = pytest.mark.cluster


def test_the_benchmark_command_runs_demo_up_end_to_end(cluster, tmp_path):
    env = {**os.environ, "KAFKA_DEMO_BENCH_KUBECONFIG": str(cluster.kubeconfig)}
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path), "demo-up"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    print(result.stdout[-6000:])
    assert result.returncode == 0, (
        f"bench --quick failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    )
    [figure] = json.loads((tmp_path / "latest.json").read_text())["figures"]
    assert figure["benchmark"] == "demo-up" and figure["ours"] and len(figure["ours"]) == len(figure["reference"]), figure
    assert "first consumed" in figure["note"], figure["note"]
    # The benchmark's stack leaves nothing behind on the cluster the other tests use.
    namespaces = cluster.kubectl("get", "namespaces", "-o", "name").stdout
    assert "kafka-bench-" not in namespaces, namespaces


def test_the_engine_cost_previews_measure_every_size(engine):
    seconds, memory = engine_cost.previews(engine, rounds=1)
    assert set(seconds) == set(memory) == set(engine_cost.SIZES)
    assert all(len(values) == 1 and values[0] > 0 for values in [*seconds.values(), *memory.values()]), (seconds, memory)
    print(f"[cluster] engine-cost previews: seconds {seconds}, peak MiB {memory}")
