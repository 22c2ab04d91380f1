"""The local cluster as the tests (and the engine benchmarks) drive it: scripts/local-cluster.sh, and kubectl
with its kubeconfig."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from components.config.stack_files import ROOT


class Cluster:
    def __init__(self, kubeconfig: Path):
        self.kubeconfig = kubeconfig
        location = os.environ.get("KAFKA_DEMO_KUBE_BIN")
        assert location, "KAFKA_DEMO_KUBE_BIN is not set: run the README's test command (scripts/test.sh)"
        self.kubectl_bin = Path(location) / "kubectl"

    def kubectl(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(self.kubectl_bin), f"--kubeconfig={self.kubeconfig}", *args], capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
        return result


def local_cluster(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "local-cluster.sh"), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
