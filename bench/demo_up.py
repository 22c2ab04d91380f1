"""Benchmark 1, demo up: seconds from the start of `pulumi up` of the dev stack (the seed's demo: one
ZooKeeper, one broker, the producer and the consumer) to the first event the consumer prints, with the
real engine on the local single-node cluster, images present. A fresh stack each round (destroyed with
its claims afterwards: dev's pvcRetention is Delete).

The reference is the seed's own floor, not a measurement: its pods start together and its consumer
sleeps 40 s (its producer 30 s) before it even starts, so it cannot print an event sooner than 40 s after
`kubectl apply`, however fast the cluster is. The seed's manifests themselves are not run: their image
(bitnami/kafka) is not available here.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.local import engine_on_cluster, remove_stack
from bench.report import Figure
from components.config.stack_files import stack_config

STACK = "dev"
NAMESPACE = "kafka-bench-dev"
SEED_FLOOR = 40.0  # the seed consumer's start-up sleep; its producer's 30 s runs meanwhile


def first_event_seconds(engine, cluster) -> float:
    """Start `pulumi up`; seconds until the consumer's log shows an event. The up must succeed."""
    command = ["pulumi", "up", "--yes", "--skip-preview", "--stack", STACK, "--non-interactive"]
    log = (engine.workdir / "up.log").open("a")
    started = time.monotonic()
    up = subprocess.Popen(command, cwd=engine.project, env=engine.env, stdout=log, stderr=subprocess.STDOUT)
    first = None
    try:
        while first is None and time.monotonic() - started < 900:
            logs = cluster.kubectl("logs", "deploy/consumer", "-n", NAMESPACE, check=False, timeout=30)
            if logs.returncode == 0 and "order-placed at" in logs.stdout:
                first = time.monotonic() - started
                break
            if up.poll() not in (None, 0):
                break
            time.sleep(0.5)
        code = up.wait(timeout=900)
    finally:
        if up.poll() is None:
            up.kill()
        log.close()
    assert code == 0, (
        f"pulumi up failed ({code}): see {engine.workdir / 'up.log'}:\n{(engine.workdir / 'up.log').read_text()[-3000:]}"
    )
    assert first is not None, "the consumer printed no event within 900 s"
    return first


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds = 1 if quick else 3
    ours: list[float] = []
    with engine_on_cluster(workdir) as (engine, cluster):
        engine.write_stack(STACK, stack_config(STACK, [f"namespace={NAMESPACE}"]))
        engine.init_stack(STACK)
        for _ in range(rounds):
            try:
                ours.append(first_event_seconds(engine, cluster))
                print(f"[bench] demo-up: first event after {ours[-1]:.1f}s", flush=True)
            finally:
                remove_stack(engine, cluster, STACK, NAMESPACE)
    return [
        Figure(
            "demo-up",
            "s from pulumi up to the first consumed event",
            "dev stack, real engine",
            "seed's 40 s sleep (floor)",
            ours=ours,
            reference=[SEED_FLOOR] * len(ours),
            goal="≥ 3x (a third of the seed's)",
            goal_ratio=3.0,
            note="the reference is the seed's fixed sleep, a floor under its real time; local single-node cluster, 2 cores",
        )
    ]
