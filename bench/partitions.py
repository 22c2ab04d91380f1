"""What the disruption benchmarks (rolling change, recovery) read from a running real-Kafka platform: the
topic's partitions sampled while something happens to the brokers, and the producer's longest stall.

A sample is one `kafka-topics.sh --describe --topic` from a pod of its own: one JVM per sample, so the
resolution is the sampling interval plus the tool's own run time (a few seconds on 2 loaded cores). An
episode shorter than that can fall between two samples; the figures say "sampled".
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field

from tests.realkafka.stack_runner import Platform

PARTITION = re.compile(r"Partition:\s*(\d+)\s+Leader:\s*(\S+)\s+Replicas:\s*([\d,]+)\s+Isr:\s*([\d,]*)")


@dataclass(frozen=True)
class PartitionState:
    partition: int
    leader: str  # a node id, or "none" / "-1" when it has no live leader
    replicas: tuple[int, ...]
    isr: tuple[int, ...]

    @property
    def offline(self) -> bool:
        return self.leader in ("none", "-1")


def parse_describe(output: str) -> list[PartitionState]:
    ids = lambda text: tuple(int(n) for n in text.split(",") if n)  # noqa: E731  # a one-line parser named for the reads below, not worth a def
    return [PartitionState(int(m[1]), m[2], ids(m[3]), ids(m[4])) for m in PARTITION.finditer(output)]


def describe(platform, pod: str) -> list[PartitionState] | None:
    """The topic's partitions, or None when the tool did not answer (a broker down can make it time out)."""
    command = [
        "/opt/kafka/bin/kafka-topics.sh",
        "--bootstrap-server",
        platform.bootstrap,
        "--describe",
        "--topic",
        platform.topic,
    ]
    code, output = platform.cluster.run(pod, command, timeout=120)
    states = parse_describe(output) if code == 0 else []
    return states or None


@dataclass
class Sample:
    at: float  # monotonic seconds when the sample's answer came
    states: list[PartitionState]


@dataclass
class PartitionWatch:
    """Samples the topic every `interval` seconds while a `with` block runs."""

    platform: Platform
    min_isr: int
    interval: float = 5.0
    pod: str = "bench-watch"
    samples: list[Sample] = field(default_factory=list)
    unanswered: int = 0

    def __post_init__(self) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        if self.pod not in self.platform.cluster.pods:
            self.platform.cluster.add_client(self.pod, "Deployment", "consumer")

    def _watch(self) -> None:
        while not self._done.is_set():
            states = describe(self.platform, self.pod)
            if states is None:
                self.unanswered += 1
            else:
                self.samples.append(Sample(time.monotonic(), states))
            self._done.wait(self.interval)

    def __enter__(self) -> PartitionWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=180)

    def seconds_where(self, bad) -> float:
        """Sampled seconds during which some partition was `bad`: each bad sample counts until the next."""
        total = 0.0
        for sample, following in itertools.pairwise(self.samples):
            if any(bad(state) for state in sample.states):
                total += following.at - sample.at
        return total

    def under_min_isr_seconds(self) -> float:
        return self.seconds_where(lambda s: len(s.isr) < self.min_isr)

    def offline_seconds(self) -> float:
        return self.seconds_where(lambda s: s.offline)


def producer_events(output: str) -> list[dict]:
    """The JSON lines of Kafka's VerifiableProducer."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def send_errors(events: list[dict]) -> int:
    return sum(1 for e in events if e.get("name") == "producer_send_error")


def longest_stall(events: list[dict]) -> float:
    """The longest gap, in seconds, between two consecutive acknowledgements the producer printed."""
    acked = sorted(e["timestamp"] for e in events if e.get("name") == "producer_send_success")
    return max((b - a for a, b in itertools.pairwise(acked)), default=0) / 1000
