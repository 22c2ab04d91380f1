"""Bring a rendered stack up on real Kafka/ZooKeeper the way `pulumi up` orders it, and read what
the producer and consumer did."""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from components.engine.mock import render
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from tests.helpers import wait_for
from tests.realkafka.harness import Cluster, jars

# Small JVMs and a fast producer: the same rendered files, sized for a 2-core test machine.
TEST_SIZING = ["kafka.memory=768Mi", "controller.memory=512Mi", "zookeeper.memory=384Mi", "producer.memory=256Mi",
               "consumer.memory=256Mi", "producer.intervalSeconds=0.2"]

EVENT = re.compile(r"^event-(\d+): order-placed at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
CONSUMED = re.compile(r"^Partition:(\d+)\tOffset:(\d+)\t(\S+)\t(.*)$")


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    key: str
    value: str

    @property
    def number(self) -> int:
        match = EVENT.match(self.value)
        assert match, f"not in the seed's format: {self.value!r}"
        return int(match.group(1))


def consumed(output: str) -> list[Record]:
    return [Record(int(m[1]), int(m[2]), m[3], m[4]) for m in map(CONSUMED.match, output.splitlines()) if m]


def produced(output: str) -> list[str]:
    return [line.split("Sent: ", 1)[1].split(" (key", 1)[0] for line in output.splitlines() if "[producer] Sent: " in line]


def require_root() -> None:
    assert os.geteuid() == 0, "the real-Kafka tier needs root (network and mount namespaces); CI runs as root"


class Platform:
    """One rendered stack running as local processes."""

    def __init__(self, stack: str, overrides: list[str], root: Path, sizing: list[str] = TEST_SIZING):
        config = stack_config(stack, overrides + sizing)
        self.settings = load_settings(config, stack)
        self.rendered = render(config, stack)
        # Kafka 4.x stacks run on the 4.x jars, everything else on the default 3.9 ones.
        variable = "KAFKA_DEMO_JARS_4" if self.settings.kafka.version.startswith("4.") else "KAFKA_DEMO_JARS"
        self.cluster = Cluster(self.rendered.manifests, root, jar_dir=jars(variable))
        self.kraft = self.settings.kraft
        self.brokers = [f"kafka-{i}" for i in range(self.settings.kafka.replicas)]
        controllers = self.settings.kafka.controllers
        self.controllers = [f"kafka-controller-{i}" for i in range(controllers.replicas)] if controllers else []
        self.timings: dict[str, float] = {}

    @property
    def bootstrap(self) -> str:
        return self.rendered.outputs["bootstrapServers"]

    @property
    def topic(self) -> str:
        return self.rendered.outputs["topic"]

    def start_brokers(self) -> None:
        """ZooKeeper first (if any), then Kafka, all pods of a StatefulSet at once (Parallel)."""
        started = time.monotonic()
        if not self.kraft:
            for pod in self.cluster.add_statefulset("zookeeper"):
                self.cluster.start(pod)
        if self.controllers:  # created in parallel with the brokers, as the two StatefulSets are
            for pod in self.cluster.add_statefulset("kafka-controller"):
                self.cluster.start(pod)
        for pod in self.cluster.add_statefulset("kafka"):
            self.cluster.start(pod)
        # A broker of a new KRaft cluster can give up registering while the first controller election
        # settles (seen on a loaded 2-core machine: it kept asking the leader of an abandoned epoch) and
        # exit; in Kubernetes its container restarts, and so it does here, once, saying so.
        for broker in self.brokers:
            self.cluster.wait_port(broker, 9092, timeout=240, restarts=1)
        self.timings["brokers ready"] = time.monotonic() - started
        # The quorum Job runs after the StatefulSets, as `pulumi up` orders it (dynamic quorums only).
        quorum_jobs = [m["metadata"]["name"] for m in self.rendered.manifests
                       if m["kind"] == "Job" and m["metadata"]["labels"]["app"] == "kafka-quorum"]
        for job in quorum_jobs:
            started = time.monotonic()
            code, output = self.cluster.run_job(job, timeout=300)
            assert code == 0 and "- done" in output, f"quorum job failed ({code}):\n{output[-3000:]}"
            self.timings["quorum job"] = time.monotonic() - started

    def create_topic(self) -> str:
        [job] = [m["metadata"]["name"] for m in self.rendered.manifests
                 if m["kind"] == "Job" and m["metadata"]["labels"]["app"] == "topic"]
        started = time.monotonic()
        code, output = self.cluster.run_job("topic", job, timeout=300)
        self.timings["topic job"] = time.monotonic() - started
        assert code == 0, f"topic job failed ({code}) on every run its backoffLimit allows:\n{output[-3000:]}"
        return output

    def tool(self, *command: str, timeout: float = 180) -> tuple[int, str]:
        """Run a Kafka CLI tool from a client pod (the image's bin/ scripts)."""
        if "toolbox" not in self.cluster.pods:
            self.cluster.add_client("toolbox", "Deployment", "consumer")
        return self.cluster.run("toolbox", ["/opt/kafka/bin/" + command[0], *command[1:]], timeout=timeout)

    def describe_topic(self) -> tuple[int, int]:
        code, output = self.tool("kafka-topics.sh", "--bootstrap-server", self.bootstrap, "--describe", "--topic", self.topic)
        assert code == 0, output
        partitions = int(re.search(r"PartitionCount: *(\d+)", output).group(1))
        replication = int(re.search(r"ReplicationFactor: *(\d+)", output).group(1))
        return partitions, replication

    def start_clients(self, producer: bool = True, consumer: bool = True) -> None:
        for name, wanted in (("producer", producer), ("consumer", consumer)):
            if wanted:
                if name not in self.cluster.pods:
                    self.cluster.add_client(name, "Deployment")
                self.cluster.start(name)

    def events_consumed(self, at_least: int, timeout: float = 120) -> list[Record]:
        return wait_for(
            lambda: (records := consumed(self.cluster.output("consumer"))) and len(records) >= at_least and records,
            f"{at_least} events at the consumer", timeout,
        )

    def read_all(self, timeout_ms: int = 15000) -> list[Record]:
        """Every record of the topic from offset 0, read by a fresh console consumer."""
        code, output = self.tool(
            "kafka-console-consumer.sh", "--bootstrap-server", self.bootstrap, "--topic", self.topic,
            "--from-beginning", "--timeout-ms", str(timeout_ms),
            "--property", "print.partition=true", "--property", "print.offset=true", "--property", "print.key=true",
        )
        return consumed(output)


IDEMPOTENT = "acks=all\nenable.idempotence=true\nretries=2147483647\ndelivery.timeout.ms=120000\n"


def verifiable_producer(platform: Platform, count: int, throughput: int, tmp_path, properties: str = IDEMPOTENT,
                        value_prefix: int | None = None):
    """Kafka's VerifiableProducer in a client pod: one JSON line per acknowledged (or failed) send."""
    config = tmp_path / "producer-config"
    config.mkdir(exist_ok=True)
    (config / "producer.properties").write_text(properties)
    cluster = platform.cluster
    if "loadgen" not in cluster.pods:
        cluster.add_client("loadgen", "Deployment", "producer")
    pod = cluster.start("loadgen", [
        "/opt/kafka/bin/kafka-verifiable-producer.sh", "--bootstrap-server", platform.bootstrap,
        "--topic", platform.topic, "--max-messages", str(count), "--throughput", str(throughput),
        "--acks", "-1", "--producer.config", "/etc/loadgen/producer.properties",
        *(["--value-prefix", str(value_prefix)] if value_prefix is not None else []),
    ], extra_mounts={"/etc/loadgen": config})
    return pod


@contextmanager
def running(stack: str, overrides: list[str], root: Path, sizing: list[str] = TEST_SIZING) -> Iterator[Platform]:
    require_root()
    platform = Platform(stack, overrides, root, sizing)
    started = time.monotonic()
    try:
        yield platform
    finally:
        platform.cluster.teardown()
        summary = ", ".join(f"{k} {v:.1f}s" for k, v in platform.timings.items())
        print(f"\n[realkafka] {stack} {' '.join(overrides)}: {time.monotonic() - started:.1f}s ({summary})")
