"""Benchmark 4, a rolling change: the prod topology's brokers restarted one at a time with an idempotent
acks=all producer writing, the way the StatefulSet controller rolls them for a config change (preStop
hook, SIGTERM, start, wait until Ready) against a naive roll of the same pods (SIGTERM, start, the next
as soon as the port is open: no hook). Both rolls run on one platform, in turn each round.

Per roll: seconds per pod (until every partition is back in full ISR after the last pod, so the catch-up
the naive roll skips is counted too), the producer's send errors and longest stall, and the sampled
seconds during which a partition was under min ISR or offline. The controllers are not rolled: for them
our roll adds no check over a naive one (the StatefulSet waits for Ready, as the naive roll waits for
the port), so there is nothing to compare.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from bench.partitions import PartitionWatch, describe, longest_stall, producer_events, send_errors
from bench.report import Figure
from tests.helpers import wait_for
from tests.realkafka.stack_runner import Platform, running, verifiable_producer

MIN_ISR = 2
RATE = 300  # events per second


def roll(platform: Platform, pods: list[str], safe: bool) -> float:
    """Restart `pods` one at a time; seconds from the first stop until every partition is back in full ISR."""
    started = time.monotonic()
    for pod in pods:
        if safe:
            hook = platform.cluster.pre_stop(pod)
            output, _ = hook.communicate(timeout=900)
            assert hook.returncode == 0, f"{pod}'s preStop hook failed:\n{output[-3000:]}"
        platform.cluster.stop(pod, signal.SIGTERM, timeout=120)
        platform.cluster.start(pod)
        platform.cluster.wait_port(pod, 9092, timeout=240)
    wait_for(
        lambda: (states := describe(platform, "toolbox-isr")) and all(s.isr and set(s.isr) == set(s.replicas) for s in states),
        "every partition back in full ISR",
        600,
        2,
    )
    return time.monotonic() - started


def one_roll(platform: Platform, pods: list[str], safe: bool, workdir: Path, prefix: int) -> dict[str, float]:
    """On a running prod-shaped platform: roll `pods` (`safe`: through their preStop hook) under load."""
    workdir.mkdir(parents=True, exist_ok=True)
    if "toolbox-isr" not in platform.cluster.pods:
        platform.cluster.add_client("toolbox-isr", "Deployment", "consumer")
    load = verifiable_producer(platform, 10_000_000, RATE, workdir, value_prefix=prefix, jvm_opts=None)
    wait_for(lambda: platform.cluster.output(load).count("producer_send_success") > RATE * 3, "events in flight", 120, 0.5)
    with PartitionWatch(platform, MIN_ISR) as watch:
        seconds = roll(platform, pods, safe)
    platform.cluster.stop(load, signal.SIGTERM, timeout=60)
    events = producer_events(platform.cluster.output(load))
    return {
        "seconds per pod": seconds / len(pods),
        "send errors": send_errors(events),
        "stall": longest_stall(events),
        "under min ISR s": watch.under_min_isr_seconds(),
        "offline s": watch.offline_seconds(),
        "samples": len(watch.samples),
    }


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds = 1 if quick else 3
    results: dict[str, list[dict[str, float]]] = {"ours": [], "naive": []}
    with running("prod", [], workdir / "platform") as platform:
        platform.start_brokers()
        platform.create_topic()
        pods = platform.brokers[:1] if quick else platform.brokers
        for round_number in range(rounds):
            for side in ("ours", "naive"):
                prefix = round_number * 2 + (side == "naive")
                results[side].append(one_roll(platform, pods, side == "ours", workdir / f"{side}-{round_number}", prefix))
                print(f"[bench] rolling {side}: {results[side][-1]}", flush=True)
    label, reference = "preStop check + Ready", "naive restart"
    note = (
        f"{len(pods)} of the prod topology's brokers, acks=all idempotent producer at {RATE}/s, RF 3, min ISR 2; "
        "partition states sampled every 5 s plus the tool's run time"
    )
    figure = lambda what, key, better="lower", **extra: Figure(  # noqa: E731  # a local shorthand over Figure's fixed arguments
        "rolling",
        what,
        label,
        reference,
        ours=[r[key] for r in results["ours"]],
        reference=[r[key] for r in results["naive"]],
        better=better,
        **extra,
    )
    return [
        figure("s per pod (until full ISR)", "seconds per pod", goal="close to naive (≥ 0.5x)", goal_ratio=0.5, note=note),
        figure("send errors", "send errors", note="0 on both sides gives no ratio: read the medians"),
        figure("longest producer stall s", "stall"),
        figure("s under min ISR (sampled)", "under min ISR s", note="goal: 0 for ours"),
        figure("s offline (sampled)", "offline s", note="goal: 0 for ours"),
    ]
