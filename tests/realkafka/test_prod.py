"""The prod topology (3 dedicated controllers, 3 brokers, Kafka 4.4.0, RF 3, min ISR 2) on real Kafka: it
forms and events flow; a broker killed mid-stream loses and duplicates nothing and every node restarted on
its own disk keeps its data and the cluster id; losing the active controller elects another and loses
nothing; controllers and brokers scale 3 -> 5 -> 3 the way `pulumi up` applies it (the rendered Jobs before
and after the StatefulSet, in the order the component's dependencies give them) under an idempotent acks=all
producer; a broker's preStop hook waits while its stop would leave a partition under min ISR; and the
disruption benchmarks' measurements (bench/throughput.py, rolling.py, recovery.py) run once on it.

One cluster for the module (prod's shape with the seed's PLAINTEXT listeners: SECURITY_OFF; TLS and SCRAM
are test_security.py's), shared by the tests in the order they are written: each leaves it with its three
controllers and three brokers running. Durations and send errors are printed."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bench import recovery, rolling, throughput
from components.config.stack_files import stack_config
from components.engine.mock import render
from components.kafka.properties import log_dir
from tests.helpers import wait_for
from tests.realkafka.harness import TOOL_JVM_OPTS
from tests.realkafka.stack_runner import (
    EVENT,
    SECURITY_OFF,
    TEST_SIZING,
    check_forms_and_flows,
    consumed,
    shared,
    verifiable_producer,
)

pytestmark = pytest.mark.realkafka


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    with shared("prod", [], tmp_path_factory.mktemp("prod")) as platform:
        yield platform


def test_cluster_forms_topic_exists_and_events_flow(prod):
    check_forms_and_flows(prod)
    # The scenarios below write with load generators of their own and count what is in the topic.
    prod.cluster.stop("producer")
    prod.cluster.stop("consumer")


def test_broker_loss_loses_and_duplicates_nothing(prod, tmp_path):
    """acks=all, RF 3, min ISR 2, idempotent producer: kill -9 a broker while events are in flight."""
    platform = prod
    total, rate = 20000, 2500
    started = time.monotonic()
    pod = verifiable_producer(platform, total, rate, tmp_path)
    wait_for(lambda: platform.cluster.output(pod).count("producer_send_success") > 3000, "events in flight", 120, 0.2)
    platform.cluster.stop("kafka-1", signal.SIGKILL)
    killed_at = platform.cluster.output(pod).count("producer_send_success")
    code = pod.process.wait(timeout=300)
    elapsed = time.monotonic() - started
    lines = [json.loads(line) for line in platform.cluster.output(pod).splitlines() if line.startswith("{")]
    acked = [e["value"] for e in lines if e.get("name") == "producer_send_success"]
    errors = [e for e in lines if e.get("name") == "producer_send_error"]
    assert code == 0, platform.cluster.output(pod)[-2000:]

    values = Counter(r.value for r in platform.read_all() if not EVENT.match(r.value))
    lost = [v for v in acked if v not in values]
    duplicated = [v for v, n in values.items() if n > 1]
    print(
        f"\n[realkafka] broker loss: {len(acked)} acknowledged of {total} ({len(errors)} send errors), "
        f"kafka-1 killed after {killed_at} acks, {len(values)} distinct in topic, "
        f"{len(lost)} lost, {len(duplicated)} duplicated, {elapsed:.1f}s"
    )
    assert len(acked) > killed_at
    assert lost == [] and duplicated == []

    # The cluster keeps accepting acks=all writes with one broker down (2 in-sync of 3 >= min ISR 2).
    pod = verifiable_producer(platform, 500, 500, tmp_path)
    assert pod.process.wait(timeout=180) == 0
    assert platform.cluster.output(pod).count("producer_send_success") == 500
    platform.cluster.start("kafka-1")
    platform.cluster.wait_port("kafka-1", 9092, timeout=180)


def cluster_id_on_disk(platform, broker: str) -> str:
    """The cluster.id line of the broker's meta.properties, on its PVC directory."""
    spec = platform.settings.kafka
    meta = platform.cluster.pods[broker].claim_dirs[spec.broker_pool.claim_name] / Path(log_dir(spec)).name / "meta.properties"
    return [line for line in meta.read_text().splitlines() if line.startswith("cluster.id=")][0]


def test_restart_on_the_same_disks_keeps_data_and_cluster_id(prod):
    platform = prod
    before = platform.read_all()
    assert before, "the previous scenario left events in the topic"
    cluster_ids = {broker: cluster_id_on_disk(platform, broker) for broker in platform.brokers}
    assert len(set(cluster_ids.values())) == 1
    started = time.monotonic()
    # Restart every pod on its PVC, one at a time as a StatefulSet rolling restart does.
    for broker in reversed(platform.brokers):
        platform.cluster.stop(broker, signal.SIGTERM, timeout=120)
        platform.cluster.start(broker)
        platform.cluster.wait_port(broker, 9092, timeout=180)
    print(f"\n[realkafka] rolling restart of 3 KRaft nodes on their disks: {time.monotonic() - started:.1f}s")
    for broker in platform.brokers:
        log = platform.cluster.output(broker)
        assert "already formatted" in log, f"{broker}: formatting must be skipped on a formatted disk"
        assert cluster_id_on_disk(platform, broker) == cluster_ids[broker]
    after = wait_for(lambda: (r := platform.read_all()) and len(r) >= len(before) and r, "every event back")
    assert Counter(r.value for r in after) == Counter(r.value for r in before)


def quorum_status(platform, must_answer: bool = True) -> dict[str, str]:
    code, output = platform.tool("kafka-metadata-quorum.sh", "--bootstrap-server", platform.bootstrap, "describe", "--status")
    assert code == 0 or not must_answer, output
    return dict(re.findall(r"^(\w+):\s+(.*)$", output, re.M)) if code == 0 else {}


def voters(platform) -> list[int]:
    return sorted(int(node) for node in re.findall(r'"id":\s*(\d+)', quorum_status(platform)["CurrentVoters"]))


def start_load(platform, tmp_path, prefix: int, total: int = 200000, rate: int = 300):
    return verifiable_producer(platform, total, rate, tmp_path, value_prefix=prefix)


def start_group_consumer(platform) -> None:
    """The stack's own consumer (its consumer group, committed offsets), running unless it already is."""
    platform.start_clients(producer=False)


def finish_load(platform, pod, prefix: int) -> tuple[list[str], int]:
    """Stop the producer; every value it had acknowledged must be in the topic exactly once, and the
    stack's consumer group must catch up with all of them."""
    platform.cluster.stop(pod, signal.SIGTERM, timeout=60)
    lines = [json.loads(line) for line in platform.cluster.output(pod).splitlines() if line.startswith("{")]
    acked = [e["value"] for e in lines if e.get("name") == "producer_send_success"]
    errors = sum(1 for e in lines if e.get("name") == "producer_send_error")
    values = Counter(r.value for r in platform.read_all() if r.value.startswith(f"{prefix}."))
    lost = [v for v in acked if v not in values]
    duplicated = [v for v, n in values.items() if n > 1]
    assert acked, "the producer had events acknowledged"
    assert lost == [] and duplicated == [], f"{len(lost)} lost, {len(duplicated)} duplicated"
    wait_for(
        lambda: not set(acked) - {r.value for r in consumed(platform.cluster.output("consumer"))},
        "the consumer group to catch up with every acknowledged event",
        180,
        2,
    )
    return acked, errors


class OfflineWatch:
    """While a block runs: every INTERVAL seconds, from a pod of its own, the partitions that have no live
    leader (`kafka-topics.sh --describe --unavailable-partitions`). A sample, not a stream: an outage
    shorter than one round can slip between two samples. Each sample is a JVM: sampled more often, it
    starves the cluster it watches on 2 cores."""

    POD = "offline-watch"
    INTERVAL = 10

    def __init__(self, platform):
        self.platform = platform
        self.samples = 0
        self.offline: list[str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        if self.POD not in platform.cluster.pods:
            platform.cluster.add_client(self.POD, "Deployment", "consumer")

    def _watch(self) -> None:
        command = [
            "/opt/kafka/bin/kafka-topics.sh",
            "--bootstrap-server",
            self.platform.bootstrap,
            "--describe",
            "--unavailable-partitions",
        ]
        while not self._done.is_set():
            code, output = self.platform.cluster.run(self.POD, command, timeout=120, jvm_opts=TOOL_JVM_OPTS)
            if code == 0:
                self.samples += 1
                self.offline += [line.strip() for line in output.splitlines() if "Partition:" in line]
            self._done.wait(self.INTERVAL)

    def __enter__(self) -> OfflineWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=180)


def controller_pod(node_id: int) -> str:
    return f"kafka-controller-{node_id - 100}"


def test_losing_the_active_controller_elects_another_and_loses_nothing(prod, tmp_path):
    start_group_consumer(prod)
    load = start_load(prod, tmp_path, prefix=1)
    wait_for(lambda: prod.cluster.output(load).count("producer_send_success") > 1000, "events in flight", 120, 0.2)
    leader = int(quorum_status(prod)["LeaderId"])
    assert voters(prod) == [100, 101, 102]
    killed = time.monotonic()
    prod.cluster.stop(controller_pod(leader), signal.SIGKILL)
    new_leader = wait_for(
        lambda: (n := int(quorum_status(prod, must_answer=False).get("LeaderId", leader))) not in (leader, -1) and n,
        "a new leader",
        120,
        0.5,
    )
    elected = time.monotonic() - killed
    # Metadata keeps changing under the new leader: a topic can be created.
    code, output = prod.tool(
        "kafka-topics.sh",
        "--bootstrap-server",
        prod.bootstrap,
        "--create",
        "--topic",
        "after-failover",
        "--partitions",
        "1",
        "--replication-factor",
        "3",
    )
    assert code == 0, output
    prod.cluster.start(controller_pod(leader))
    rejoined = wait_for(
        lambda: re.search(
            rf"^{leader}\s+.*Follower",
            prod.tool("kafka-metadata-quorum.sh", "--bootstrap-server", prod.bootstrap, "describe", "--replication")[1],
            re.M,
        ),
        f"controller {leader} back as a follower",
        180,
        2,
    )
    assert rejoined
    acked, errors = finish_load(prod, load, prefix=1)
    print(
        f"\n[realkafka] active controller {leader} killed: leader {new_leader} elected in {elected:.1f}s, "
        f"{leader} back as follower in {time.monotonic() - killed:.1f}s; {len(acked)} acknowledged, {errors} send errors"
    )
    assert voters(prod) == [100, 101, 102]


def test_controllers_scale_3_to_5_to_3_as_pulumi_up_applies_it(prod, tmp_path):
    start_group_consumer(prod)
    load = start_load(prod, tmp_path, prefix=2)
    wait_for(lambda: prod.cluster.output(load).count("producer_send_success") > 500, "events in flight", 120, 0.2)
    steps = {}
    with OfflineWatch(prod) as watch:
        for count in (5, 3):
            started = time.monotonic()
            rendered = render(stack_config("prod", SECURITY_OFF + TEST_SIZING + [f"controller.replicas={count}"]), "prod")
            # The StatefulSet first: new pods start (and join by themselves), or the removed ones stop.
            for pod in prod.cluster.scale_statefulset("kafka-controller", rendered.manifests):
                prod.cluster.start(pod)
            for ordinal in range(count, 5):
                prod.cluster.stop(f"kafka-controller-{ordinal}", signal.SIGTERM, timeout=60)
            # Then the quorum Job (it depends on the StatefulSets), which `pulumi up` waits for.
            [job] = [
                m["metadata"]["name"]
                for m in rendered.manifests
                if m["kind"] == "Job" and m["metadata"]["name"].startswith("kafka-quorum")
            ]
            # (3 again: the first up's Job name, so the same pod runs again)
            code, output = prod.cluster.run_job(job, timeout=600)
            assert code == 0, output[-3000:]
            assert voters(prod) == [100 + i for i in range(count)], output[-3000:]
            if count == 3:
                assert "removing voter 104" in output and "removing voter 103" in output
            steps[f"3->{count}" if count == 5 else "5->3"] = time.monotonic() - started
    acked, errors = finish_load(prod, load, prefix=2)
    print(
        "\n[realkafka] controllers "
        + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items())
        + f"; {len(acked)} acknowledged, {errors} send errors, none lost or duplicated, the consumer group caught up; "
        f"{watch.samples} samples of unavailable partitions, {len(watch.offline)} offline"
    )
    assert errors == 0
    assert watch.samples > 0 and watch.offline == [], watch.offline[:10]


def run_job(platform, rendered, prefix: str, runs: int | None = None) -> tuple[int, str]:
    """Run the rendered Job whose name starts with `prefix` (kafka-drain-, kafka-spread-) to its end, with the
    Job controller's reruns after a failure (at most `runs`)."""
    [job] = [m["metadata"]["name"] for m in rendered.manifests if m["kind"] == "Job" and m["metadata"]["name"].startswith(prefix)]
    platform.cluster.manifests = rendered.manifests  # the new render is what `pulumi up` applies
    return platform.cluster.run_job(job, timeout=900, runs=runs)


def replicas_by_broker(platform) -> Counter:
    code, output = platform.tool("kafka-topics.sh", "--bootstrap-server", platform.bootstrap, "--describe")
    assert code == 0, output
    return Counter(int(b) for ids in re.findall(r"Replicas: ([\d,]+)", output) for b in ids.split(","))


def test_brokers_scale_3_to_5_to_3_and_partitions_follow(prod, tmp_path):
    start_group_consumer(prod)
    load = start_load(prod, tmp_path, prefix=3)
    wait_for(lambda: prod.cluster.output(load).count("producer_send_success") > 500, "events in flight", 120, 0.2)
    steps = {}
    with OfflineWatch(prod) as watch:
        for count in (5, 3):
            started = time.monotonic()
            rendered = render(stack_config("prod", SECURITY_OFF + TEST_SIZING + [f"kafka.replicas={count}"]), "prod")
            # Before the StatefulSet changes: a scale-down's brokers are emptied first.
            code, drained = run_job(prod, rendered, "kafka-drain-")
            assert code == 0, drained[-3000:]
            if count == 3:
                assert "moving" in drained and "reassignment complete" in drained, drained[-3000:]
                assert not {3, 4} & set(replicas_by_broker(prod)), "replicas left brokers 3 and 4 before they stop"
                for ordinal in (4, 3):
                    prod.cluster.stop(f"kafka-{ordinal}", signal.SIGTERM, timeout=120)
            for pod in prod.cluster.scale_statefulset("kafka", rendered.manifests):
                prod.cluster.start(pod)
                prod.cluster.wait_port(pod, 9092, timeout=180)
            # After it: new brokers get partitions.
            code, spread = run_job(prod, rendered, "kafka-spread-")
            assert code == 0, spread[-3000:]
            if count == 5:
                placed = replicas_by_broker(prod)
                assert placed[3] > 0 and placed[4] > 0, f"the new brokers hold no replica: {placed}"
            steps[f"brokers {'3->5' if count == 5 else '5->3'}"] = time.monotonic() - started
    acked, errors = finish_load(prod, load, prefix=3)
    print(
        "\n[realkafka] "
        + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items())
        + f"; {len(acked)} acknowledged, {errors} send errors, none lost or duplicated, the consumer group caught up; "
        f"{watch.samples} samples of unavailable partitions, {len(watch.offline)} offline"
    )
    assert errors == 0
    assert watch.samples > 0 and watch.offline == [], watch.offline[:10]

    # A scale-down the topics cannot follow (RF 3 onto 2 brokers) stops before any broker does.
    too_small = render(
        stack_config(
            "prod",
            SECURITY_OFF + TEST_SIZING + ["kafka.replicas=2", "kafka.defaultReplicationFactor=2", "topic.replicationFactor=2"],
        ),
        "prod",
    )
    before = replicas_by_broker(prod)
    # One run: the refusal is the same on each of the reruns the Job controller would make.
    code, refused = run_job(prod, too_small, "kafka-drain-", runs=1)
    assert code != 0 and "cannot place the replicas on brokers 0,1" in refused, refused[-3000:]
    assert "replication factor" in refused.lower(), refused[-3000:]
    assert replicas_by_broker(prod) == before
    assert all(prod.cluster.pods[f"kafka-{i}"].process.poll() is None for i in range(3)), "every broker still runs"


def wait_for_partitions_at_min_isr(platform, timeout: float = 240) -> None:
    """Until `kafka-topics.sh --describe --at-min-isr-partitions` lists a partition. A frozen broker still
    accepts TCP connections (the kernel does), so a tool run whose client picks it waits out its request
    timeout: the bound is generous, and a failure shows what the tool last said."""
    last = {"output": ""}

    def listed() -> bool:
        code, output = platform.tool(
            "kafka-topics.sh", "--bootstrap-server", platform.bootstrap, "--describe", "--at-min-isr-partitions"
        )
        last["output"] = f"exit {code}:\n{output[-3000:]}"
        return "Partition:" in output

    try:
        wait_for(listed, "partitions at min ISR", timeout, 2)
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; the tool's last answer, {last['output']}") from None


def test_a_broker_waits_to_stop_while_its_stop_would_leave_a_partition_under_min_isr(prod):
    """The brokers' preStop hook. kafka-2 frozen (SIGSTOP: up, but behind) drops out of every ISR, so every
    partition sits at min ISR 2 with kafka-1 in it: kafka-1's hook waits, and lets the stop go on once
    kafka-2 is back in the ISR (a roll). With kafka-2 killed instead (a destroy, a crash), waiting cannot
    help and the hook does not wait."""
    group = prod.cluster.pods["kafka-2"].process.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        wait_for_partitions_at_min_isr(prod)
        started = time.monotonic()
        hook = prod.cluster.pre_stop("kafka-1")
        time.sleep(20)
        assert hook.poll() is None, (
            f"the hook let kafka-1 stop while kafka-2 catches up:\n{hook.stdout.read() if hook.stdout else ''}"
        )
    finally:
        os.killpg(group, signal.SIGCONT)
    output, _ = hook.communicate(timeout=240)
    waited = time.monotonic() - started
    assert hook.returncode == 0, output
    assert "waiting:" in output and "no partition waits on a catching-up replica that needs node 1; stopping" in output, output
    assert prod.cluster.pods["kafka-1"].process.poll() is None, "the hook only waits; the kubelet stops the broker"

    prod.cluster.stop("kafka-2", signal.SIGKILL)
    wait_for_partitions_at_min_isr(prod)
    started = time.monotonic()
    output, _ = prod.cluster.pre_stop("kafka-1").communicate(timeout=120)
    assert "no partition waits" in output and "waiting:" not in output, output
    print(
        f"\n[realkafka] kafka-1's preStop waited {waited:.1f}s for a frozen kafka-2 to catch up; "
        f"with kafka-2 dead it returned in {time.monotonic() - started:.1f}s"
    )
    prod.cluster.start("kafka-2")
    prod.cluster.wait_port("kafka-2", 9092, timeout=180)


def test_the_disruption_benchmarks_measure_on_a_running_cluster(prod, tmp_path):
    """The benchmarks' live half, once, small (scripts/bench.sh runs them in full on clusters of their own,
    against Kafka's stock configuration; tests/unit/bench checks what they make of such measurements):
    each measurement produces every figure it promises."""
    numbers = throughput.perf_run(prod, 2000, "perf")
    assert set(numbers) == {"records/s", "MB/s", "p50", "p99", "p99.9"} and numbers["records/s"] > 0, numbers
    rolled = rolling.one_roll(prod, ["kafka-0"], True, tmp_path / "rolling", prefix=90)
    assert set(rolled) >= {"seconds per pod", "send errors", "stall", "under min ISR s", "offline s"}, rolled
    assert rolled["samples"] > 0 and rolled["seconds per pod"] > 0, rolled
    recovered = recovery.recover(prod, tmp_path / "recovery")
    assert set(recovered) == {"in sync", "stall", "send errors"} and recovered["in sync"] > 0, recovered
    print(f"\n[realkafka] benchmarks' live round: throughput {numbers}, rolling {rolled}, recovery {recovered}")
