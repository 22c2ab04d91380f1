"""Durability on a real 3-node KRaft cluster (the prod stack): a broker killed mid-stream loses and
duplicates nothing; every node restarted on its own disk keeps its data and the cluster id.

Its own module, so the shared cluster is torn down before other tiers' clusters start."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from components.kafka.manifests import claim_name
from components.kafka.properties import log_dir
from tests.helpers import wait_for
from tests.realkafka.stack_runner import EVENT, running, verifiable_producer

pytestmark = pytest.mark.realkafka


@pytest.fixture(scope="module")
def prod_cluster(tmp_path_factory):
    with running("prod", [], tmp_path_factory.mktemp("prod")) as platform:
        platform.start_brokers()
        platform.create_topic()
        yield platform


def test_broker_loss_loses_and_duplicates_nothing(prod_cluster, tmp_path):
    """acks=all, RF 3, min ISR 2, idempotent producer: kill -9 a broker while events are in flight."""
    platform = prod_cluster
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
    meta = platform.cluster.pods[broker].claim_dirs[claim_name(spec)] / Path(log_dir(spec)).name / "meta.properties"
    return [line for line in meta.read_text().splitlines() if line.startswith("cluster.id=")][0]


def test_restart_on_the_same_disks_keeps_data_and_cluster_id(prod_cluster):
    platform = prod_cluster
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
