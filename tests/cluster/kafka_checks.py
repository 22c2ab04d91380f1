"""What the tests read off the running platform, with kubectl as a user would."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.realkafka.harness import TOOL_JVM_OPTS, jars

# The seed's line, e.g. "[producer] Sent: event-7: order-placed at 2026-11-25 10:00:35".
SENT = re.compile(r"\[producer\] Sent: event-(\d+): order-placed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
EVENT = re.compile(r"event-(\d+): order-placed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
# kubectl exec runs tools next to a broker: a small heap keeps the pod under its memory limit, and a
# short-lived tool's JVM flags (lib.sh's, see tests/realkafka/harness.py) spare the CPU the broker needs.
TOOL_ENV = ["env", "KAFKA_HEAP_OPTS=-Xmx128m", f"KAFKA_JVM_PERFORMANCE_OPTS={TOOL_JVM_OPTS}"]
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
        "exec",
        pod,
        "-n",
        namespace,
        "--",
        *TOOL_ENV,
        "/opt/kafka/bin/kafka-get-offsets.sh",
        "--bootstrap-server",
        bootstrap,
        "--topic",
        topic,
        *options,
        timeout=180,
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
        for partition, count in sorted(end_offsets(cluster, namespace, topic, pod, secure).items())
        if count
    ]
    if not reads:
        return []
    result = cluster.kubectl("exec", pod, "-n", namespace, "--", *TOOL_ENV, "bash", "-ec", " && ".join(reads), timeout=300)
    return [line for line in result.stdout.splitlines() if EVENT.search(line)]


def describe_topic(cluster, namespace: str, topic: str, secure: bool = False) -> str:
    bootstrap, options = broker_access(secure)
    return cluster.kubectl(
        "exec",
        "kafka-0",
        "-n",
        namespace,
        "--",
        *TOOL_ENV,
        "/opt/kafka/bin/kafka-topics.sh",
        "--bootstrap-server",
        bootstrap,
        "--describe",
        "--topic",
        topic,
        *options,
        timeout=180,
    ).stdout


class LogStream:
    """`kubectl logs -f pod/NAME` into a file for the pod's whole life: nothing it prints is missed,
    even what it prints between the last look and its shutdown."""

    def __init__(self, cluster, namespace: str, pod: str, path: Path):
        self.path = path
        self.file = path.open("w")
        self.process = subprocess.Popen(
            [str(cluster.kubectl_bin), f"--kubeconfig={cluster.kubeconfig}", "logs", "-f", f"pod/{pod}", "-n", namespace],
            stdout=self.file,
            stderr=subprocess.STDOUT,
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


# Kafka's console tools run on this machine, outside the cluster, from the jars the test command fetched.
CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer"
CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"


def node_address(cluster) -> str:
    """The node's InternalIP: where a client outside the cluster reaches its node ports."""
    return cluster.kubectl(
        "get", "nodes", "-o", 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'
    ).stdout.strip()


def outside_client_config(directory: Path, user: str, password: str, ca_pem: str) -> Path:
    """client.properties of a client outside the cluster: SCRAM over TLS, trusting the stack's CA (the
    the copyable config in docs/external-access.md)."""
    (directory / "ca.crt").write_text(ca_pem)
    config = directory / "client.properties"
    config.write_text(
        "security.protocol=SASL_SSL\n"
        "sasl.mechanism=SCRAM-SHA-512\n"
        f'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="{password}";\n'
        "ssl.truststore.type=PEM\n"
        f"ssl.truststore.location={directory / 'ca.crt'}\n"
    )
    return config


def host_tool(main_class: str, args: list[str], timeout: float, input: str | None = None) -> subprocess.CompletedProcess:
    """A Kafka tool as a JVM on this machine (the Kafka 4.x jars of KAFKA_DEMO_JARS_4). A tool still running
    after `timeout` seconds (a consumer never idles while the demo's producer writes) is killed: its output
    so far is returned, with returncode None."""
    with subprocess.Popen(
        ["java", "-Xmx256m", *TOOL_JVM_OPTS.split(), "-cp", f"{jars('KAFKA_DEMO_JARS_4')}/*", main_class, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as tool:
        try:
            stdout, stderr = tool.communicate(input, timeout=timeout)
            code = tool.returncode
        except subprocess.TimeoutExpired:
            tool.kill()
            stdout, stderr = tool.communicate()
            code = None
    return subprocess.CompletedProcess(tool.args, code, stdout, stderr)
