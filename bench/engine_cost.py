"""Benchmark 6 through the real engine (program-cost measures render.py on the mock engine): `pulumi
preview` of a new prod-shaped stack with 1, 3 and 9 brokers (every resource a create; the provider asks
the local cluster's API server), sizes interleaved round by round, each larger size against 1 broker; and
a no-op `pulumi up` of the prod stack deployed on the local cluster, against the issue's bound of 10 s.

Peak memory is the largest single process of the run (wait4's ru_maxrss: the CLI, the Python language
host running the program, or the Kubernetes provider), not their sum.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.local import engine_on_cluster, remove_stack
from bench.processes import timed
from bench.program_cost import SIZES, overrides
from bench.report import Figure
from components.config.stack_files import stack_config

NAMESPACE = "kafka-bench-prod"
NO_OP_BOUND = 10.0  # seconds: the "a no-op up of prod well under 10 s"
# prod's own shape, sized for a 2-core node (as the cluster tier's prod tests size it).
SMALL = [
    "kafka.cpuRequest=100m",
    "kafka.memory=768Mi",
    "kafka.storageSize=1Gi",
    "controller.cpuRequest=100m",
    "controller.memory=512Mi",
    "controller.storageSize=1Gi",
    "producer.cpuRequest=50m",
    "consumer.cpuRequest=50m",
    "consumer.replicas=1",
]
# --quick (does the benchmark still produce its figures?) deploys prod as one combined node: the same
# resources and engine path, a third of the pods to start and stop (minutes less in the test command).
QUICK_SHAPE = ["controller.replicas=0", *overrides(1), "consumer.replicas=1"]


def pulumi(engine, *args: str, stack: str) -> tuple[float, float, str]:
    """(wall seconds, peak MiB, output) of one pulumi command; it must succeed."""
    command = ["pulumi", *args, "--stack", stack, "--non-interactive"]
    wall, peak, output = timed(command, cwd=engine.project, env=engine.env, timeout=900, output=True)
    return wall, peak, output


def previews(engine, rounds: int) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    """(seconds, peak MiB) of `pulumi preview` of a new prod-shaped stack with each of SIZES brokers,
    `rounds` times in turn, after one warm-up preview."""
    seconds: dict[int, list[float]] = {n: [] for n in SIZES}
    memory: dict[int, list[float]] = {n: [] for n in SIZES}
    for brokers in SIZES:
        stack = f"bench-preview-{brokers}"
        engine.write_stack(stack, stack_config("prod", overrides(brokers) + SMALL + [f"namespace={NAMESPACE}"]))
        engine.init_stack(stack)
    pulumi(engine, "preview", stack=f"bench-preview-{SIZES[0]}")  # warm-up: plugin start, bytecode, page cache
    for _ in range(rounds):
        for brokers in SIZES:
            wall, peak, output = pulumi(engine, "preview", stack=f"bench-preview-{brokers}")
            assert " to create" in output, output[-2000:]
            seconds[brokers].append(wall)
            memory[brokers].append(peak)
    return seconds, memory


def no_op_up(engine, stack: str) -> float:
    """Seconds of a `pulumi up` of a deployed `stack` that must change nothing."""
    wall, _, output = pulumi(engine, "up", "--yes", "--skip-preview", stack=stack)
    changed = [word for word in ("created", "updated", "replaced", "deleted") if f" {word}" in output.split("Resources:")[-1]]
    assert not changed, f"the no-op up changed something ({changed}):\n{output[-2000:]}"
    return wall


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds = 1 if quick else 3
    no_op: list[float] = []
    with engine_on_cluster(workdir) as (engine, cluster):
        seconds, memory = previews(engine, rounds)
        stack = "bench-prod"
        engine.write_stack(stack, stack_config("prod", SMALL + (QUICK_SHAPE if quick else []) + [f"namespace={NAMESPACE}"]))
        engine.init_stack(stack)
        try:
            started = time.monotonic()
            engine.up(stack)
            print(f"[bench] engine-cost: prod up in {time.monotonic() - started:.1f}s", flush=True)
            no_op = [no_op_up(engine, stack) for _ in range(rounds)]
        finally:
            remove_stack(engine, cluster, stack, NAMESPACE)
    figures = []
    for brokers in SIZES[1:]:
        per_broker = (statistics.median(seconds[brokers]) - statistics.median(seconds[1])) / (brokers - 1)
        figures.append(
            Figure(
                "engine-cost",
                f"pulumi preview s, prod, {brokers} brokers vs 1",
                f"{brokers} brokers",
                "1 broker",
                ours=seconds[brokers],
                reference=seconds[1],
                better="growth",
                note=f"{per_broker * 1000:+.0f} ms per broker; real engine, local cluster",
            )
        )
        per_broker_mib = (statistics.median(memory[brokers]) - statistics.median(memory[1])) / (brokers - 1)
        figures.append(
            Figure(
                "engine-cost",
                f"pulumi preview peak MiB, prod, {brokers} brokers vs 1",
                f"{brokers} brokers",
                "1 broker",
                ours=memory[brokers],
                reference=memory[1],
                better="growth",
                note=f"{per_broker_mib:+.1f} MiB per broker (largest single process)",
            )
        )
    figures.append(
        Figure(
            "engine-cost",
            "no-op pulumi up s, prod (3 controllers, 3 brokers)",
            "no-op up",
            "10 s (the issue's bound)",
            ours=no_op,
            reference=[NO_OP_BOUND] * len(no_op),
            goal="well under 10 s (≥ 1x)",
            goal_ratio=1.0,
            note="real engine, local cluster, file backend" + ("; quick: prod as one combined node" if quick else ""),
        )
    )
    return figures
