"""The rendered configuration, start scripts and client scripts on real Kafka 3.9 and ZooKeeper 3.9.

Each test brings up one rendered stack with tests/realkafka/harness.py (a network, mount and UTS
namespace per pod, a directory per PVC) and checks what the seed promises. Durations are printed.
"""

from __future__ import annotations

import re
import signal
from collections import defaultdict
from pathlib import Path

import pytest

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.kafka.manifests import claim_name
from components.kafka.properties import log_dir
from tests.helpers import render_stack, wait_for
from tests.realkafka.stack_runner import EVENT, TEST_SIZING, consumed, produced, running, verifiable_producer

pytestmark = pytest.mark.realkafka


# prod (KRaft) cut down to one broker: every replication setting that follows the count, set to 1.
SINGLE_BROKER = [
    "kafka.replicas=1",
    "kafka.defaultReplicationFactor=1",
    "kafka.minInsyncReplicas=1",
    "topic.replicationFactor=1",
    "topic.minInsyncReplicas=1",
    "consumer.replicas=1",
]


def renamed(manifest, name):
    return {**manifest, "metadata": {**manifest["metadata"], "name": name}}


def assert_ordered_within_partitions(records):
    by_partition = defaultdict(list)
    for record in records:
        by_partition[record.partition].append(record)
    for partition, items in by_partition.items():
        offsets = [r.offset for r in items]
        numbers = [r.number for r in items]
        assert offsets == sorted(offsets), f"partition {partition}: offsets out of order"
        assert numbers == sorted(numbers), f"partition {partition}: events out of order {numbers[:20]}"


COMBINED = ["controller.replicas=0"]
FORMS = {
    "zookeeper-1x1 (dev) on Kafka 3.9.1": ("dev", []),
    "zookeeper-3x3 on Kafka 3.9.1": ("dev", ["zookeeper.replicas=3", "kafka.replicas=3", "topic.replicationFactor=3"]),
    "kraft-1 combined on Kafka 4.4.0": ("prod", SINGLE_BROKER + COMBINED),
    "kraft-3 combined on Kafka 4.4.0": ("prod", COMBINED),
    "kraft 3 controllers + 3 brokers (prod) on Kafka 4.4.0": ("prod", []),
    "kraft-3 combined, static quorum, on Kafka 3.9.1": ("prod", COMBINED + ["kafka.version=3.9.1"]),
}


@pytest.mark.parametrize("stack, overrides", FORMS.values(), ids=FORMS.keys())
def test_cluster_forms_topic_exists_and_events_flow(tmp_path, stack, overrides):
    with running(stack, overrides, tmp_path) as platform:
        platform.start_brokers()
        settings = platform.settings
        # Every broker and ZooKeeper node passes its rendered probes, as the kubelet would run them.
        servers = [pod for pod in platform.cluster.pods.values() if "readinessProbe" in pod.container]  # not the quorum Job
        assert len(servers) == len(platform.brokers) + len(platform.controllers) + (
            settings.zookeeper.replicas if settings.zookeeper else 0
        )
        for pod in servers:
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert wait_for(lambda pod=pod, kind=kind: platform.cluster.probe(pod, kind), f"{pod.name} {kind}", 60), pod.name
        platform.create_topic()
        assert platform.describe_topic() == (settings.topic.partitions, settings.topic.replication_factor)
        platform.start_clients()
        records = platform.events_consumed(15)
        for record in records:
            assert EVENT.match(record.value), record.value
        assert_ordered_within_partitions(records)
        sent = set(produced(platform.cluster.output("producer")))
        assert {r.value for r in records} <= sent, "the consumer reads exactly what the producer sent"
        # The rendered console-only logging config (log4j for 3.x, log4j2.yaml for 4.x) is the one in use.
        broker_log = platform.cluster.output("kafka-0")
        assert re.search(r"^\[\d{4}-\d\d-\d\d [\d:,]+\] INFO .+ \(kafka\.", broker_log, re.M), broker_log[-2000:]
        assert "StatusLogger" not in broker_log and "log4j:ERROR" not in broker_log
        # Running the idempotent topic job again on the live cluster changes nothing and succeeds.
        assert "ready:" in platform.create_topic()


def test_decoupling_consumer_stops_producer_carries_on_consumer_resumes(tmp_path):
    with running("dev", [], tmp_path) as platform:
        platform.start_brokers()
        platform.create_topic()
        platform.start_clients()
        first = platform.events_consumed(10)
        # kubectl scale deployment consumer --replicas=0: SIGTERM, the console consumer commits and leaves.
        platform.cluster.stop("consumer", signal.SIGTERM)
        sent_when_stopped = len(produced(platform.cluster.output("producer")))
        wait_for(
            lambda: len(produced(platform.cluster.output("producer"))) >= sent_when_stopped + 15,
            "the producer to carry on while the consumer is down",
        )
        assert platform.cluster.pods["producer"].process.poll() is None, "the producer did not notice"
        before_restart = consumed(platform.cluster.output("consumer"))
        # ... and back to 1: the same group resumes after its committed offsets.
        platform.cluster.start("consumer")
        sent = produced(platform.cluster.output("producer"))
        after = wait_for(
            lambda: (r := consumed(platform.cluster.output("consumer"))) and len(r) >= len(sent) - 5 and r,
            "the consumer to catch up",
        )
        resumed_at = {}
        for record in after:
            resumed_at.setdefault(record.partition, record.offset)
        last_before = {}
        for record in before_restart:
            last_before[record.partition] = record.offset
        for partition, offset in resumed_at.items():
            # At-least-once: never a gap; at most the uncommitted tail is read again.
            assert offset <= last_before.get(partition, -1) + 1, f"partition {partition}: gap after restart"
            assert offset > 0 or partition not in last_before, "resumed from its offsets, not from the beginning"
        seen = {r.value for r in before_restart} | {r.value for r in after}
        all_sent = set(produced(platform.cluster.output("producer")))
        missing = [v for v in sent[: len(sent) - 5] if v not in seen]
        assert not missing, f"events lost across the consumer restart: {missing[:5]}"
        assert len(first) >= 10 and seen <= all_sent

        # The seed's --from-beginning option: a consumer without a group re-reads everything.
        seed = render_stack("dev", ["consumer.fromBeginning=true"] + TEST_SIZING).manifests
        script = [m for m in seed if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "consumer-script"][0]
        deployment = [m for m in seed if m["kind"] == "Deployment" and m["metadata"]["name"] == "consumer"][0]
        deployment["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] = "consumer-seed-script"
        platform.cluster.manifests += [renamed(script, "consumer-seed-script"), renamed(deployment, "consumer-seed")]
        platform.cluster.add_client("consumer-seed", "Deployment")
        platform.cluster.start("consumer-seed")
        everything = wait_for(
            lambda: (r := consumed(platform.cluster.output("consumer-seed"))) and len(r) >= len(all_sent) and r,
            "the from-beginning consumer to re-read the topic",
        )
        assert {r.value for r in everything} >= all_sent
        assert min(r.offset for r in everything) == 0


def test_keyed_events_share_a_partition_in_order(tmp_path):
    overrides = SINGLE_BROKER + ["topic.partitions=3", "producer.keyCount=6"]
    with running("prod", overrides, tmp_path) as platform:
        platform.start_brokers()
        platform.create_topic()
        platform.start_clients()
        records = platform.events_consumed(40)
        partitions_of_key = defaultdict(set)
        numbers_of_key = defaultdict(list)
        for record in records:
            assert record.key.startswith("order-"), record.key
            partitions_of_key[record.key].add(record.partition)
            numbers_of_key[record.key].append(record.number)
        assert len(partitions_of_key) == 6
        for key, partitions in partitions_of_key.items():
            assert len(partitions) == 1, f"{key} spread over partitions {partitions}"
            assert numbers_of_key[key] == sorted(numbers_of_key[key]), f"{key} out of order"
        assert len({p for ps in partitions_of_key.values() for p in ps}) > 1, "6 keys over 3 partitions use more than one"
        for record in records:  # key order-k carries events k, k+6, k+12, ...
            assert (record.number - 1) % 6 + 1 == int(record.key.split("-")[1])


def test_mode_switch_never_starts_a_node_on_the_other_modes_data(tmp_path):
    with running("dev", [], tmp_path) as zk_mode:
        zk_mode.start_brokers()
        zk_mode.create_topic()
        zk_disk = zk_mode.cluster.pods["kafka-0"].claim_dirs[claim_name(zk_mode.settings.kafka)]
    assert (zk_disk / ".kafka-demo-mode").read_text().strip() == "zookeeper"

    with running("dev", ["mode=kraft"] + SINGLE_BROKER, tmp_path) as kraft_mode:
        # The switched stack claims other volumes: kafka-0 starts on a new, empty disk.
        kraft_mode.start_brokers()
        kraft_disk = kraft_mode.cluster.pods["kafka-0"].claim_dirs[claim_name(kraft_mode.settings.kafka)]
        kraft_logs = Path(log_dir(kraft_mode.settings.kafka)).name
        assert kraft_disk != zk_disk and (kraft_disk / kraft_logs / "meta.properties").exists()
        assert not (zk_disk / kraft_logs).exists(), "the ZooKeeper-mode disk was not touched"
        kraft_mode.cluster.stop("kafka-0")
        # Forced onto the ZooKeeper-mode disk anyway, the KRaft start script refuses to run.
        pod = kraft_mode.cluster.start("kafka-0", extra_mounts={"/var/lib/kafka/data": zk_disk})
        assert pod.process.wait(timeout=60) == 1
        assert "refusing to start" in kraft_mode.cluster.output(pod)
        assert not (zk_disk / kraft_logs).exists()

    with running("dev", [], tmp_path) as back:
        back.cluster.add_statefulset("zookeeper")
        back.cluster.add_statefulset("kafka")
        pod = back.cluster.start("kafka-0", extra_mounts={"/var/lib/kafka/data": kraft_disk})
        assert pod.process.wait(timeout=60) == 1
        assert "holds kraft data" in back.cluster.output(pod)


def test_min_isr_above_replication_is_refused_before_kafka_sees_it(tmp_path):
    """Measured on Kafka 3.9.1: a topic min.insync.replicas above its replication factor passes every
    check Kafka has, and acks=all writes then succeed with fewer in-sync replicas than configured
    (the broker caps min ISR at the replica count). The promise is silently broken, so the program
    refuses the config up front."""
    with pytest.raises(ConfigError, match=r"topic\.minInsyncReplicas = 2"):
        load_settings(stack_config("dev", ["topic.minInsyncReplicas=2"]), "dev")
    with running("dev", [], tmp_path) as platform:
        platform.start_brokers()
        platform.create_topic()
        code, output = platform.tool(
            "kafka-configs.sh",
            "--bootstrap-server",
            platform.bootstrap,
            "--alter",
            "--entity-type",
            "topics",
            "--entity-name",
            platform.topic,
            "--add-config",
            "min.insync.replicas=2",
        )
        assert code == 0, f"Kafka accepts min.insync.replicas=2 on a replication-factor-1 topic: {output}"
        pod = verifiable_producer(platform, 5, 5, tmp_path, "acks=all\nenable.idempotence=false\nretries=0\n")
        pod.process.wait(timeout=180)
        output = platform.cluster.output(pod)
        assert output.count("producer_send_success") == 5 and "NotEnoughReplicas" not in output, (
            "acks=all writes go through with 1 in-sync replica although min ISR says 2"
        )
