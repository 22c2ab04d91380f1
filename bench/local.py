"""The real Pulumi engine on the local single-node cluster, for the benchmarks that run `pulumi` (demo-up,
engine-cost). With KAFKA_DEMO_BENCH_KUBECONFIG set (the cluster tier passes its session's cluster) that
cluster is used and left running; otherwise `scripts/local-cluster.sh up` starts one, and `down` stops it
at the end, also after a failure. The engine and the Kubernetes binaries come from the builds
scripts/bench.sh (or scripts/test.sh) ran: KAFKA_DEMO_PULUMI_ENGINE, KAFKA_DEMO_KUBE_BIN.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.cluster.engine import Engine
from tests.cluster.kubectl import Cluster, local_cluster


@contextmanager
def engine_on_cluster(workdir: Path) -> Iterator[tuple[Engine, Cluster]]:
    given = os.environ.get("KAFKA_DEMO_BENCH_KUBECONFIG")
    if given:
        yield Engine(workdir / "engine", Path(given)), Cluster(Path(given))
        return
    up = local_cluster("up", timeout=3600)
    try:
        assert up.returncode == 0, f"scripts/local-cluster.sh up failed ({up.returncode}):\n{up.stderr[-4000:]}"
        match = re.search(r"^export KUBECONFIG=(\S+)$", up.stdout.strip().splitlines()[-1])
        assert match, f"scripts/local-cluster.sh up did not end with an export KUBECONFIG line:\n{up.stdout[-2000:]}"
        kubeconfig = Path(match.group(1))
        yield Engine(workdir / "engine", kubeconfig), Cluster(kubeconfig)
    finally:
        down = local_cluster("down", timeout=900)
        assert down.returncode == 0, f"scripts/local-cluster.sh down failed:\n{down.stderr[-4000:]}"


def remove_stack(engine: Engine, cluster: Cluster, stack: str, namespace: str) -> None:
    """Destroy a benchmark's stack and its namespace with the claims in it (the benchmark's own data:
    Retain keeps claims on destroy by design, so they are deleted here explicitly)."""
    engine.pulumi("destroy", "--yes", "--skip-preview", stack=stack, check=False, timeout=900)
    cluster.kubectl(
        "delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=300s", check=False, timeout=400
    )
