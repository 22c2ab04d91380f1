"""Benchmark 5, recovery: with an idempotent acks=all producer writing, kill -9 a broker of the prod
topology and start it again at once (what the kubelet does with a crashed container); seconds from the
kill until every partition is back in full ISR, and the producer's longest stall. Ours (the rendered
prod configuration) against the same nodes whose brokers run Kafka's stock broker.properties (as in the
throughput benchmark); a fresh platform for each, ours and stock in turn each round.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from bench.partitions import describe, longest_stall, producer_events, send_errors
from bench.report import Figure
from bench.throughput import stock_properties
from tests.helpers import wait_for
from tests.realkafka.stack_runner import Platform, running, verifiable_producer

RATE = 300  # events per second
VICTIM = "kafka-1"


def one_recovery(workdir: Path, stock: bool) -> dict[str, float]:
    with running("prod", [], workdir) as platform:
        if stock:
            config_map = next(
                m for m in platform.cluster.manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "kafka-config"
            )
            config_map["data"]["server.properties"] = stock_properties(config_map["data"]["server.properties"])
        platform.start_brokers()
        platform.create_topic()
        return recover(platform, workdir)


def recover(platform: Platform, workdir: Path) -> dict[str, float]:
    """On a running prod-shaped platform: kill -9 VICTIM under load, start it at once; the seconds until
    every partition is in full ISR, the producer's longest stall and its send errors."""
    workdir.mkdir(parents=True, exist_ok=True)
    if "toolbox-isr" not in platform.cluster.pods:
        platform.cluster.add_client("toolbox-isr", "Deployment", "consumer")
    load = verifiable_producer(platform, 10_000_000, RATE, workdir, jvm_opts=None)
    wait_for(lambda: platform.cluster.output(load).count("producer_send_success") > RATE * 5, "events in flight", 120, 0.5)
    killed = time.monotonic()
    platform.cluster.stop(VICTIM, signal.SIGKILL)
    platform.cluster.start(VICTIM)
    platform.cluster.wait_port(VICTIM, 9092, timeout=240)
    wait_for(
        lambda: (states := describe(platform, "toolbox-isr")) and all(set(s.isr) == set(s.replicas) for s in states),
        "every partition back in full ISR",
        600,
        1,
    )
    in_sync = time.monotonic() - killed
    time.sleep(5)  # a few more acknowledgements after the recovery, so a stall at its end is measured
    platform.cluster.stop(load, signal.SIGTERM, timeout=60)
    events = producer_events(platform.cluster.output(load))
    return {"in sync": in_sync, "stall": longest_stall(events), "send errors": send_errors(events)}


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds = 1 if quick else 3
    results: dict[str, list[dict[str, float]]] = {"ours": [], "stock": []}
    for round_number in range(rounds):
        for side in ("ours", "stock"):
            results[side].append(one_recovery(workdir / f"{side}-{round_number}", side == "stock"))
            print(f"[bench] recovery {side}: {results[side][-1]}", flush=True)
    note = (
        f"kill -9 {VICTIM} and start it at once, acks=all idempotent producer at {RATE}/s, RF 3, min ISR 2; "
        "ISR polled with one tool JVM per sample (a few seconds each)"
    )
    figure = lambda what, key, **extra: Figure(  # noqa: E731  # a local shorthand over Figure's fixed arguments
        "recovery",
        what,
        "rendered prod",
        "stock broker.properties",
        ours=[r[key] for r in results["ours"]],
        reference=[r[key] for r in results["stock"]],
        **extra,
    )
    return [
        figure("s from kill -9 to full ISR", "in sync", note=note),
        figure("longest producer stall s", "stall"),
        figure("send errors", "send errors"),
    ]
