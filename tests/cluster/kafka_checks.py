"""What the tests read off the running platform, with kubectl as a user would."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

# The seed's line, e.g. "[producer] Sent: event-7: order-placed at 2026-11-25 10:00:35".
SENT = re.compile(r"\[producer\] Sent: event-(\d+): order-placed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
EVENT = re.compile(r"event-(\d+): order-placed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
# kubectl exec runs tools next to a broker: a small heap keeps the pod under its memory limit.
TOOL_ENV = ["env", "KAFKA_HEAP_OPTS=-Xmx128m"]
NODE_CLIENT_CONFIG = "/etc/kafka-demo/node-client.properties"  # with TLS on: the node's own certificate


def broker_access(secure: bool, option: str = "--command-config") -> tuple[str, list[str]]:
    """(bootstrap, client options) for a tool run inside a broker pod: with TLS on, the INTERNAL listener
    as the node itself (User:kafka-node, a super user), as the broker's own preStop hook does."""
    if secure:
        return "localhost:9091", [option, NODE_CLIENT_CONFIG]
    return "localhost:9092", []


def pods(cluster, namespace: str, app: str) -> list[dict]:
    listing = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-l", f"app={app}", "-o", "json").stdout)
    return [p for p in listing["items"] if not p["metadata"].get("deletionTimestamp")]


def ready(pod: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions", []))


def sent_numbers(cluster, namespace: str) -> list[int]:
    """Event numbers the producer has printed as sent (the seed's `[producer] Sent:` lines)."""
    logs = cluster.kubectl("logs", "deploy/producer", "-n", namespace, "--tail=-1").stdout
    return [int(n) for n in SENT.findall(logs)]


def end_offsets(cluster, namespace: str, topic: str, pod: str = "kafka-0", secure: bool = False) -> dict[int, int]:
    """Partition -> end offset (the number of messages it holds, none being deleted yet)."""
    bootstrap, options = broker_access(secure)
    result = cluster.kubectl(
        "exec", pod, "-n", namespace, "--", *TOOL_ENV, "/opt/kafka/bin/kafka-get-offsets.sh",
        "--bootstrap-server", bootstrap, "--topic", topic, *options, timeout=180,
    )
    offsets = {}
    for line in result.stdout.split():
        if line.startswith(f"{topic}:"):
            _, partition, offset = line.rsplit(":", 2)
            offsets[int(partition)] = int(offset)
    return offsets


def topic_values(cluster, namespace: str, topic: str, pod: str = "kafka-0", secure: bool = False) -> list[str]:
    """Every message value the topic held when called, partition by partition from offset 0 up to the
    end offset taken first: the producer keeps writing, so each read is bounded by count, never by an
    idle timeout, and newer messages of one partition cannot stand in for older ones of another."""
    bootstrap, options = broker_access(secure, "--consumer.config")
    reads = [
        f"/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server {bootstrap} --topic {topic} "
        f"--partition {partition} --offset earliest --max-messages {count} --timeout-ms 60000 {' '.join(options)}"
        for partition, count in sorted(end_offsets(cluster, namespace, topic, pod, secure).items()) if count
    ]
    if not reads:
        return []
    result = cluster.kubectl("exec", pod, "-n", namespace, "--", *TOOL_ENV, "bash", "-ec", " && ".join(reads), timeout=300)
    return [line for line in result.stdout.splitlines() if EVENT.search(line)]


def describe_topic(cluster, namespace: str, topic: str) -> str:
    return cluster.kubectl(
        "exec", "kafka-0", "-n", namespace, "--", *TOOL_ENV, "/opt/kafka/bin/kafka-topics.sh",
        "--bootstrap-server", "localhost:9092", "--describe", "--topic", topic, timeout=180,
    ).stdout


class LogStream:
    """`kubectl logs -f pod/NAME` into a file for the pod's whole life: nothing it prints is missed,
    even what it prints between the last look and its shutdown."""

    def __init__(self, cluster, namespace: str, pod: str, path: Path):
        self.path = path
        self.file = path.open("w")
        self.process = subprocess.Popen(
            [str(cluster.kubectl_bin), f"--kubeconfig={cluster.kubeconfig}", "logs", "-f", f"pod/{pod}", "-n", namespace],
            stdout=self.file, stderr=subprocess.STDOUT,
        )

    def numbers(self) -> list[int]:
        return [int(n) for n in EVENT.findall(self.path.read_text())]

    def close(self, timeout: float = 60) -> None:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.file.close()
