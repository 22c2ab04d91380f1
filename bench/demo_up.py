"""Benchmark 1, demo up: seconds from the start of `pulumi up` to the first event the consumer prints, with
the real engine on the local single-node cluster, images present, a fresh stack each round (destroyed
with its claims afterwards). The dev stack (the seed's demo: one ZooKeeper, one broker, the producer and
the consumer), and in a full run also prod's shape (3 controllers, 3 brokers, TLS and SCRAM; sized for
the 2-core node as the cluster tier sizes it). Each round also prints its phases, read back from the
cluster afterwards: when the namespace was created, each StatefulSet's last pod became Ready, each Job
completed, the producer printed its first "Sent" and the consumer its first event (seconds after the up
started; the API server's timestamps have whole seconds).

The reference is the seed's own floor, not a measurement: its pods start together and its consumer
sleeps 40 s (its producer 30 s) before it even starts, so it cannot print an event sooner than 40 s after
`kubectl apply`, however fast the cluster is. The seed's manifests themselves are not run: their image
(bitnami/kafka) is not available here.
"""

from __future__ import annotations

import datetime
import json
import re
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.local import engine_on_cluster, remove_stack
from bench.report import Figure
from components.config.stack_files import stack_config

SEED_FLOOR = 40.0  # the seed consumer's start-up sleep; its producer's 30 s runs meanwhile
EVENT = re.compile(r"order-placed at \d{4}-\d\d-\d\d")
# (stack, namespace, overrides): prod's shape sized for a 2-core node, as the cluster tier's prod tests size it.
DEV: tuple[str, str, list[str]] = ("dev", "kafka-bench-dev", [])
PROD: tuple[str, str, list[str]] = (
    "prod",
    "kafka-bench-prod-up",
    [
        "kafka.cpuRequest=100m",
        "kafka.memory=768Mi",
        "kafka.storageSize=1Gi",
        "controller.cpuRequest=100m",
        "controller.memory=512Mi",
        "controller.storageSize=1Gi",
        "producer.cpuRequest=50m",
        "consumer.cpuRequest=50m",
        "consumer.replicas=1",
        "pvcRetention=Delete",
    ],
)
# The phases, in the order a stack goes through them (those a stack does not have are left out).
PHASES = (
    "namespace",
    "ZooKeeper ready",
    "controllers ready",
    "brokers ready",
    "users Job done",
    "topic Job done",
    "first produced",
    "first consumed",
)


def _seconds(stamp: str) -> float:
    """Epoch seconds of an RFC 3339 timestamp from the API server or `kubectl logs --timestamps`."""
    stamp = stamp.rstrip("Z")
    if "." in stamp:  # nanoseconds: Python reads microseconds
        whole, fraction = stamp.split(".", 1)
        stamp = f"{whole}.{fraction[:6]}"
    return datetime.datetime.fromisoformat(stamp).replace(tzinfo=datetime.UTC).timestamp()


def _first_line_at(log: str, pattern: re.Pattern[str]) -> float | None:
    """Epoch seconds of the first timestamped log line (`kubectl logs --timestamps`) matching `pattern`."""
    stamps = [_seconds(line.split(" ", 1)[0]) for line in log.splitlines() if pattern.search(line)]
    return min(stamps) if stamps else None


def phases(objects: dict[str, Any], logs: dict[str, str], started: float) -> dict[str, float]:
    """Seconds after `started` (epoch) at which the stack passed each of PHASES, from the namespace, its
    pods and Jobs as the API server lists them (`objects`: kind -> list output) and the clients' logs."""
    at: dict[str, float] = {"namespace": _seconds(objects["namespace"]["metadata"]["creationTimestamp"])}
    ready: dict[str, list[float]] = {}
    for pod in objects["pods"]["items"]:
        app = pod["metadata"].get("labels", {}).get("app", "")
        for condition in pod.get("status", {}).get("conditions", []):
            if condition["type"] == "Ready" and condition["status"] == "True":
                ready.setdefault(app, []).append(_seconds(condition["lastTransitionTime"]))
    for app, phase in (("zookeeper", "ZooKeeper ready"), ("kafka-controller", "controllers ready"), ("kafka", "brokers ready")):
        if app in ready:
            at[phase] = max(ready[app])
    for job in objects["jobs"]["items"]:
        app = job["metadata"].get("labels", {}).get("app", "")
        done = job.get("status", {}).get("completionTime")
        if done and app in ("topic", "kafka-users"):
            at["topic Job done" if app == "topic" else "users Job done"] = _seconds(done)
    for phase, client, pattern in (
        ("first produced", "producer", re.compile(r"\[producer\] Sent: ")),
        ("first consumed", "consumer", EVENT),
    ):
        first = _first_line_at(logs.get(client, ""), pattern)
        if first is not None:
            at[phase] = first
    return {phase: round(at[phase] - started, 1) for phase in PHASES if phase in at}


def up_to_first_event(engine, cluster, stack: str, namespace: str) -> tuple[float, dict[str, float]]:
    """Start `pulumi up`; seconds until a consumer's log shows an event, and the phases. The up must succeed."""
    command = ["pulumi", "up", "--yes", "--skip-preview", "--stack", stack, "--non-interactive"]
    log_path = engine.workdir / f"up-{stack}.log"
    first = None
    with log_path.open("a") as log:
        started_wall, started = time.time(), time.monotonic()
        up = subprocess.Popen(command, cwd=engine.project, env=engine.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while first is None and time.monotonic() - started < 900:
                logs = cluster.kubectl("logs", "-l", "app=consumer", "-n", namespace, "--tail=-1", check=False, timeout=30)
                if logs.returncode == 0 and EVENT.search(logs.stdout):
                    first = time.monotonic() - started
                    break
                if up.poll() not in (None, 0):
                    break
                time.sleep(0.5)
            code = up.wait(timeout=900)
        finally:
            if up.poll() is None:
                up.kill()
    assert code == 0, f"pulumi up failed ({code}): see {log_path}:\n{log_path.read_text()[-3000:]}"
    assert first is not None, "the consumer printed no event within 900 s"

    def listed(*args: str) -> Any:
        return json.loads(cluster.kubectl(*args, "-o", "json").stdout)

    objects = {
        "namespace": listed("get", "namespace", namespace),
        "pods": listed("get", "pods", "-n", namespace),
        "jobs": listed("get", "jobs", "-n", namespace),
    }
    logs = {
        client: cluster.kubectl("logs", "-l", f"app={client}", "-n", namespace, "--timestamps", "--tail=-1", check=False).stdout
        for client in ("producer", "consumer")
    }
    return first, phases(objects, logs, started_wall)


def _phase_note(rounds: list[dict[str, float]]) -> str:
    """The median of each phase over the rounds, in order: "namespace 0.4, brokers ready 21.0, ..."."""
    return ", ".join(
        f"{phase} {statistics.median(r[phase] for r in rounds if phase in r):.0f}"
        for phase in PHASES
        if any(phase in r for r in rounds)
    )


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds = 1 if quick else 3
    stacks = [DEV] if quick else [DEV, PROD]
    figures = []
    with engine_on_cluster(workdir) as (engine, cluster):
        for stack, namespace, overrides in stacks:
            engine.write_stack(stack, stack_config(stack, [*overrides, f"namespace={namespace}"]))
            engine.init_stack(stack)
            ours: list[float] = []
            timeline: list[dict[str, float]] = []
            for _ in range(rounds):
                try:
                    seconds, phase_times = up_to_first_event(engine, cluster, stack, namespace)
                    ours.append(seconds)
                    timeline.append(phase_times)
                    print(f"[bench] demo-up {stack}: first event after {seconds:.1f}s; phases (s): {phase_times}", flush=True)
                finally:
                    remove_stack(engine, cluster, stack, namespace)
            shape = "dev stack" if stack == "dev" else "prod (3 controllers, 3 brokers, TLS, SCRAM)"
            figures.append(
                Figure(
                    "demo-up",
                    f"s from pulumi up to the first consumed event, {stack}",
                    f"{shape}, real engine",
                    "seed's 40 s sleep (floor)",
                    ours=ours,
                    reference=[SEED_FLOOR] * len(ours),
                    goal="≤ 40 s (≥ 1x)" if stack == "dev" else "",
                    goal_ratio=1.0 if stack == "dev" else None,
                    note=f"phases, median s after the up started: {_phase_note(timeline)}; local single-node cluster, 2 cores",
                )
            )
    return figures
