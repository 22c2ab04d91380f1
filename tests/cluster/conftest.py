"""The whole-path tier: the real Pulumi engine deploying onto the local single-node cluster.

One cluster for the whole session (scripts/local-cluster.sh up, and down at the end, also after a
failure); each test module brings up its own stack and destroys it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.cluster.engine import Engine
from tests.cluster.kubectl import Cluster, local_cluster
from tests.helpers import await_build

pytestmark = pytest.mark.cluster


def phase(name: str, started: float) -> None:
    print(f"[cluster] phase {name}: {time.monotonic() - started:.1f}s", flush=True)


@pytest.fixture(scope="session")
def cluster():
    # The Kubernetes binaries, the Pulumi engine and the local cluster's images, which scripts/test.sh
    # may still be building in the background.
    await_build("kube")
    await_build("cluster")
    started = time.monotonic()
    up = local_cluster("up", timeout=3600)
    print(up.stderr[-3000:])
    assert up.returncode == 0, f"scripts/local-cluster.sh up failed ({up.returncode}):\n{up.stdout[-3000:]}\n{up.stderr[-6000:]}"
    match = re.search(r"^export KUBECONFIG=(\S+)$", up.stdout.strip().splitlines()[-1])
    assert match, f"scripts/local-cluster.sh up did not end with an export KUBECONFIG line:\n{up.stdout}"
    phase("cluster up", started)
    try:
        yield Cluster(Path(match.group(1)))
    finally:
        started = time.monotonic()
        down = local_cluster("down", timeout=900)
        print(down.stderr[-3000:])
        phase("cluster down", started)
        assert down.returncode == 0, f"scripts/local-cluster.sh down failed:\n{down.stderr[-4000:]}"


@pytest.fixture(scope="session")
def engine(cluster, tmp_path_factory):
    return Engine(tmp_path_factory.mktemp("engine"), cluster.kubeconfig)
