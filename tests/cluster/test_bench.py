"""The benchmarks that run the real Pulumi engine on the local cluster (demo-up, engine-cost), once in
--quick mode on this session's cluster, so that they cannot rot: each must produce complete figures.
Nothing is asserted on the figures themselves (timings are not tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.__main__ import ON_LOCAL_CLUSTER
from components.config.stack_files import ROOT

pytestmark = pytest.mark.cluster


def test_the_engine_benchmarks_produce_their_figures_in_quick_mode(cluster, tmp_path):
    env = {**os.environ, "KAFKA_DEMO_BENCH_KUBECONFIG": str(cluster.kubeconfig)}
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path), *ON_LOCAL_CLUSTER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    print(result.stdout[-6000:])
    assert result.returncode == 0, (
        f"bench --quick failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    )
    figures = json.loads((tmp_path / "latest.json").read_text())["figures"]
    assert {f["benchmark"] for f in figures} == set(ON_LOCAL_CLUSTER)
    for figure in figures:
        assert figure["ours"] and len(figure["ours"]) == len(figure["reference"]), figure
    # The benchmark's stacks leave nothing behind on the cluster the other tests use.
    namespaces = cluster.kubectl("get", "namespaces", "-o", "name").stdout
    assert "kafka-bench-" not in namespaces, namespaces
