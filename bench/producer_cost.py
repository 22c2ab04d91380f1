"""Benchmark 2, producer cost: CPU seconds per 1,000 events of our long-lived producer (the rendered
producer script: one console producer JVM fed line by line) against the seed's pattern (a new
kafka-console-producer JVM for every event), on the same single KRaft broker, the same topic and the
same seed-format events, round after round.

Both run as harness pods (tests/realkafka): a pod's CPU is every process of its session, read before it
is stopped (bench/processes.py). Our producer runs at a 0.01 s interval so that a round takes seconds;
its JVM start, its wait for the topic and its per-event `date`/`sleep` are counted. The seed's pattern
is measured over a few events and scaled to 1,000: its cost is one whole JVM per event, so it is linear.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.processes import session_cpu_seconds
from bench.report import Figure
from tests.helpers import MATRIX, wait_for
from tests.realkafka.stack_runner import TEST_SIZING, produced, running

# One combined KRaft node (the matrix's kraft-1), producer at 0.01 s.
STACK, OVERRIDES = MATRIX["kraft-1"]
SIZING = [s for s in TEST_SIZING if not s.startswith("producer.intervalSeconds=")] + ["producer.intervalSeconds=0.01"]


def sent_count(output: str) -> int:
    return len(produced(output))


def ours(platform, events: int) -> tuple[float, int]:
    """(CPU seconds, events sent) of the rendered producer pod, from its start until `events` are sent."""
    cluster = platform.cluster
    if "producer" not in cluster.pods:
        cluster.add_client("producer", "Deployment")
    pod = cluster.start("producer")
    wait_for(lambda: sent_count(cluster.output(pod)) >= events, f"{events} events from our producer", 300, 0.05)
    cpu = session_cpu_seconds(pod.process.pid)
    sent = sent_count(cluster.output(pod))
    cluster.stop(pod)
    return cpu, sent


def seed(platform, events: int) -> tuple[float, int]:
    """(CPU seconds, events sent) of the seed's loop: echo one event into a new console producer, each time."""
    cluster = platform.cluster
    if "seed-producer" not in cluster.pods:
        cluster.add_client("seed-producer", "Deployment", "producer")
    loop = (
        f"for i in $(seq {events}); do "
        "message=\"event-$i: order-placed at $(date '+%Y-%m-%d %H:%M:%S')\"; "
        f'echo "$message" | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server {platform.bootstrap} --topic {platform.topic}; '
        'echo "[producer] Sent: $message"; done; echo seed-loop-done; exec sleep 3600'
    )
    pod = cluster.start("seed-producer", ["bash", "-c", loop])
    wait_for(lambda: "seed-loop-done" in cluster.output(pod), f"{events} events from the seed's loop", 60 * events, 0.2)
    cpu = session_cpu_seconds(pod.process.pid)
    sent = sent_count(cluster.output(pod))
    cluster.stop(pod)
    return cpu, sent


def end_offsets(platform) -> int:
    code, output = platform.tool("kafka-get-offsets.sh", "--bootstrap-server", platform.bootstrap, "--topic", platform.topic)
    assert code == 0, output
    return sum(int(line.rsplit(":", 1)[1]) for line in output.split() if line.startswith(f"{platform.topic}:"))


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds, our_events, seed_events = (1, 200, 3) if quick else (3, 1000, 10)
    figure = Figure(
        "producer-cost",
        "CPU s per 1,000 events",
        "long-lived producer, 0.01 s interval",
        "seed: a JVM per event",
        goal="≥ 50x",
        goal_ratio=50,
        note=f"{our_events} events per round for ours, {seed_events} for the seed's loop (scaled to 1,000)",
    )
    with running(STACK, OVERRIDES, workdir, SIZING) as platform:
        platform.start_brokers()
        platform.create_topic()
        stored_before = end_offsets(platform)
        total_sent = 0
        for _ in range(rounds):
            for side, measure, events in ((figure.ours, ours, our_events), (figure.reference, seed, seed_events)):
                started = time.monotonic()
                cpu, sent = measure(platform, events)
                side.append(cpu / sent * 1000)
                total_sent += sent
                print(
                    f"[bench] producer-cost {measure.__name__}: {sent} events, {cpu:.2f} CPU s in {time.monotonic() - started:.1f}s",
                    flush=True,
                )
        # The events really are in the topic (ours logs "Sent" as it hands a line over: allow the last few).
        stored = end_offsets(platform) - stored_before
        assert stored >= total_sent - 5 * rounds, f"{total_sent} events sent, only {stored} in the topic"
    return [figure]
