"""The dev stack (the seed's demo: ZooKeeper mode, one ZooKeeper node, one broker, Kafka 3.9.1) on real
Kafka and ZooKeeper: it forms and the events flow, the consumer and producer are decoupled, a min ISR above
the replication factor is refused before Kafka would accept it, and a mode switch never starts a node on
the other mode's data.

One cluster for the module (tests/realkafka/stack_runner.py: `shared`); the tests run in order on it,
each leaving it usable for the next, and the mode switch, which stops it, comes last.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from components.config.schema import ConfigError
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from components.kafka.properties import log_dir
from tests.helpers import render_stack, wait_for
from tests.realkafka.stack_runner import (
    SINGLE_BROKER,
    TEST_SIZING,
    check_forms_and_flows,
    consumed,
    produced,
    running,
    shared,
    verifiable_producer,
)

pytestmark = pytest.mark.realkafka


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    with shared("dev", [], tmp_path_factory.mktemp("dev")) as platform:
        yield platform


def renamed(manifest, name):
    return {**manifest, "metadata": {**manifest["metadata"], "name": name}}


def test_cluster_forms_topic_exists_and_events_flow(dev):
    check_forms_and_flows(dev)


def test_decoupling_consumer_stops_producer_carries_on_consumer_resumes(dev):
    platform = dev
    platform.start_clients()  # those the previous test started keep running
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
    seen_before = {r.value for r in before_restart}
    due = set(sent[: len(sent) - 5])  # the last few may still be in the producer's hands
    after = wait_for(
        lambda: (r := consumed(platform.cluster.output("consumer"))) and due <= seen_before | {x.value for x in r} and r,
        "the consumer to catch up with every event sent before it came back",
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
    seed = render_stack("dev", ["consumer.fromBeginning=true", *TEST_SIZING]).manifests
    script = next(m for m in seed if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "consumer-script")
    deployment = next(m for m in seed if m["kind"] == "Deployment" and m["metadata"]["name"] == "consumer")
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
    platform.cluster.stop("consumer-seed")


def test_min_isr_above_replication_is_refused_before_kafka_sees_it(dev, tmp_path):
    """Measured on Kafka 3.9.1: a topic min.insync.replicas above its replication factor passes every
    check Kafka has, and acks=all writes then succeed with fewer in-sync replicas than configured
    (the broker caps min ISR at the replica count). The promise is silently broken, so the program
    refuses the config up front. (It alters the shared topic: the tests after it only read the disks.)"""
    with pytest.raises(ConfigError, match=r"topic\.minInsyncReplicas = 2"):
        load_settings(stack_config("dev", ["topic.minInsyncReplicas=2"]), "dev")
    platform = dev
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


def test_mode_switch_never_starts_a_node_on_the_other_modes_data(dev, tmp_path):
    """Last: it stops the module's cluster (a switched stack's pods replace the old mode's)."""
    zk_disk = dev.cluster.pods["kafka-0"].claim_dirs[dev.settings.kafka.broker_pool.claim_name]
    assert (zk_disk / ".kafka-demo-mode").read_text().strip() == "zookeeper"
    dev.cluster.teardown()

    with running("dev", ["mode=kraft", *SINGLE_BROKER], tmp_path) as kraft_mode:
        # The switched stack claims other volumes: kafka-0 starts on a new, empty disk.
        kraft_mode.start_brokers()
        kraft_disk = kraft_mode.cluster.pods["kafka-0"].claim_dirs[kraft_mode.settings.kafka.broker_pool.claim_name]
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
