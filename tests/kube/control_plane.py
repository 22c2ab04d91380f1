"""A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager.

No kubelet and no scheduler: pods are created by the controllers and stay Pending, which is all
these tests need (the API server's validation and defaulting, and what the StatefulSet, Deployment,
Job, garbage-collector and PVC-protection controllers do with our objects).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = "kafka-demo-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def binaries() -> Path:
    location = os.environ.get("KAFKA_DEMO_KUBE_BIN")
    assert location, "KAFKA_DEMO_KUBE_BIN is not set: run the README's test command (scripts/test.sh), which builds Kubernetes"
    path = Path(location)
    for name in ("kube-apiserver", "kube-controller-manager", "kubectl"):
        assert (path / name).is_file(), f"{path / name} is missing: the Kubernetes build failed"
    assert shutil.which("etcd"), "etcd is not installed: scripts/test.sh installs Debian's etcd-server"
    return path


@dataclass
class ControlPlane:
    workdir: Path
    bin: Path = field(default_factory=binaries)
    processes: list[subprocess.Popen] = field(default_factory=list)
    kubeconfig: Path | None = None
    version: str = ""

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 (the process writes it after this returns)
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def log_tail(self, name: str, lines: int = 12) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        etcd_port, etcd_peer, api_port = free_port(), free_port(), free_port()
        self._spawn(
            "etcd",
            [
                "etcd",
                "--data-dir",
                str(self.workdir / "etcd"),
                "--name",
                "test",
                "--listen-client-urls",
                f"http://127.0.0.1:{etcd_port}",
                "--advertise-client-urls",
                f"http://127.0.0.1:{etcd_port}",
                "--listen-peer-urls",
                f"http://127.0.0.1:{etcd_peer}",
                "--initial-advertise-peer-urls",
                f"http://127.0.0.1:{etcd_peer}",
                "--initial-cluster",
                f"test=http://127.0.0.1:{etcd_peer}",
                "--unsafe-no-fsync",
            ],
        )
        sa_key = self.workdir / "sa.key"
        subprocess.run(["openssl", "genrsa", "-out", str(sa_key), "2048"], check=True, capture_output=True)
        subprocess.run(
            ["openssl", "rsa", "-in", str(sa_key), "-pubout", "-out", str(self.workdir / "sa.pub")],
            check=True,
            capture_output=True,
        )
        (self.workdir / "tokens.csv").write_text(f"{TOKEN},admin,admin,system:masters\n")
        self._spawn(
            "kube-apiserver",
            [
                str(self.bin / "kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                f"--cert-dir={self.workdir / 'certs'}",  # self-signed serving certificate, made at start
                f"--token-auth-file={self.workdir / 'tokens.csv'}",
                "--authorization-mode=RBAC",
                "--service-cluster-ip-range=10.96.0.0/16",
                f"--service-account-key-file={self.workdir / 'sa.pub'}",
                f"--service-account-signing-key-file={sa_key}",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--storage-backend=etcd3",
                # Loopback cannot be published as the kubernetes Service endpoint; nothing here needs it.
                "--endpoint-reconciler-type=none",
            ],
        )
        self.kubeconfig = self.workdir / "kubeconfig"
        self.kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "current-context": "test",
                    "clusters": [
                        {"name": "test", "cluster": {"server": f"https://127.0.0.1:{api_port}", "insecure-skip-tls-verify": True}}
                    ],
                    "users": [{"name": "admin", "user": {"token": TOKEN}}],
                    "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
                }
            )
        )
        self._wait_ready()
        self._spawn(
            "kube-controller-manager",
            [
                str(self.bin / "kube-controller-manager"),
                f"--kubeconfig={self.kubeconfig}",
                f"--authentication-kubeconfig={self.kubeconfig}",
                f"--authorization-kubeconfig={self.kubeconfig}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                f"--service-account-private-key-file={sa_key}",
                "--controllers=*",
                "--concurrent-gc-syncs=5",
            ],
        )
        self.version = json.loads(self.kubectl("version", "-o", "json").stdout)["serverVersion"]["gitVersion"]
        # The serviceaccount controller creates "default" in every namespace; pods need it.
        self._wait(
            lambda: self.kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0,
            "the controller-manager to create the default ServiceAccount",
            "kube-controller-manager",
        )

    def _wait(self, condition, what: str, log: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            for process in self.processes:
                assert process.poll() is None, f"{process.args[0]} exited:\n{self.log_tail(Path(process.args[0]).name)}"
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log_tail(log)}")

    def _wait_ready(self) -> None:
        self._wait(
            lambda: self.kubectl("get", "--raw", "/readyz", check=False).returncode == 0,
            "kube-apiserver /readyz",
            "kube-apiserver",
        )

    def kubectl(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        """The kubectl we built, by path, against this control plane."""
        result = subprocess.run(
            [str(self.bin / "kubectl"), f"--kubeconfig={self.kubeconfig}", *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
        return result

    def get_json(self, *args: str) -> dict:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        self.processes.clear()
