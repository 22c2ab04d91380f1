"""The dev stack (the seed's demo) through the real engine on the local cluster, as a user runs it.

The tests run in order on one stack: the run command deploys it, the seed's walkthrough runs verbatim,
then changes go through `pulumi up` and are checked against what docs/operations.md promises, and `pulumi
destroy` (pvcRetention: Delete) leaves nothing of the stack behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from components.clients.manifests import topic_job_name
from components.config.settings import load_settings
from components.config.stack_files import stack_config
from tests.cluster.kafka_checks import (
    LogStream,
    describe_topic,
    pods,
    ready,
    sent_numbers,
    topic_values,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.cluster

STACK = "dev"
NAMESPACE = "kafka-demo"


@pytest.fixture(scope="module")
def dev(engine, cluster):
    """The dev stack in the engine's project copy; destroyed at the end whatever happened."""
    config = stack_config(STACK)
    try:
        yield config
    finally:
        engine.pulumi("destroy", "--yes", "--skip-preview", stack=STACK, check=False)
        cluster.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=300s", check=False)


def run_command_env(engine) -> dict[str, str]:
    """What a fresh machine has: no Pulumi CLI on PATH, no kubeconfig, an empty home."""
    home = engine.workdir / "home"
    home.mkdir(exist_ok=True)
    path = [d for d in os.environ["PATH"].split(os.pathsep) if d and not (Path(d) / "pulumi").exists()]
    env = {k: v for k, v in engine.env.items() if not k.startswith(("PULUMI_HOME", "KUBECONFIG", "PULUMI_DISABLE"))}
    return {
        **env,
        "PATH": os.pathsep.join(path),
        "HOME": str(home),
        "KAFKA_DEMO_CACHE": os.environ.get("KAFKA_DEMO_CACHE", str(Path.home() / ".cache" / "kafka-demo")),
    }


def test_preview_then_the_run_command_deploys_the_seed_demo(engine, cluster, dev):
    engine.init_stack(STACK)
    preview = engine.pulumi("preview", stack=STACK)
    assert re.search(r"\+ +\d+ to create", preview.stdout), preview.stdout[-2000:]

    started = time.monotonic()
    result = subprocess.run(
        ["bash", "scripts/up.sh", STACK, "--yes", "--skip-preview"],
        cwd=engine.project,
        env=run_command_env(engine),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    took = time.monotonic() - started
    (engine.workdir / "up.sh.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"scripts/up.sh failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    print(f"[cluster] scripts/up.sh dev (run command, no CLI on PATH, no kubeconfig): {took:.1f}s")
    assert "no kubeconfig: using the local single-node cluster" in result.stderr
    assert "no Pulumi CLI on PATH: using the one built from the Go module proxy" in result.stderr
    assert re.search(r"stack dev is up; this run took \d+s", result.stderr)
    assert f"kubectl logs -f deploy/producer -n {NAMESPACE}" in result.stderr
    assert engine.outputs(STACK)["bootstrapServers"] == f"kafka-0.kafka.{NAMESPACE}.svc.cluster.local:9092"

    # The provider's awaits held: every pod Ready and the topic job Complete when up returned.
    for app in ("zookeeper", "kafka", "producer", "consumer"):
        assert pods(cluster, NAMESPACE, app) and all(ready(p) for p in pods(cluster, NAMESPACE, app)), app
    job = topic_job_name(load_settings(dev, STACK).topic)
    status = yaml.safe_load(cluster.kubectl("get", "job", job, "-n", NAMESPACE, "-o", "yaml").stdout)["status"]
    assert status.get("succeeded") == 1, status


def test_seed_walkthrough_verbatim(cluster, dev, tmp_path):
    listing = cluster.kubectl(*["get", "pods", "-n", "kafka-demo"]).stdout
    for prefix in ("zookeeper-0", "kafka-0", "producer-", "consumer-"):
        assert re.search(rf"^{prefix}\S*\s+1/1\s+Running", listing, re.M), f"{prefix} not running:\n{listing}"
    assert re.search(r"^topic-events-\S+\s+0/1\s+Completed", listing, re.M), f"the topic job's pod:\n{listing}"

    wait_for(lambda: len(sent_numbers(cluster, NAMESPACE)) >= 3, "three [producer] Sent: lines", timeout=60)
    producer_log = cluster.kubectl(*["logs", "deploy/producer", "-n", "kafka-demo"]).stdout
    assert re.search(r"^\[producer\] Sent: event-1: order-placed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", producer_log, re.M)

    def consumer_log() -> str:
        return cluster.kubectl(*["logs", "deploy/consumer", "-n", "kafka-demo"]).stdout

    wait_for(lambda: "event-3: order-placed at" in consumer_log(), "the consumer to print event-3", timeout=60)

    # Decoupling, as the seed runs it: stop the consumer, the producer carries on, the consumer catches up.
    [old] = pods(cluster, NAMESPACE, "consumer")
    before = LogStream(cluster, NAMESPACE, old["metadata"]["name"], tmp_path / "consumer-before.log")
    cluster.kubectl(*["scale", "deployment", "consumer", "--replicas=0", "-n", "kafka-demo"])
    wait_for(lambda: not pods(cluster, NAMESPACE, "consumer"), "the consumer to stop", timeout=120)
    before.close()
    stopped_at = max(sent_numbers(cluster, NAMESPACE))
    time.sleep(20)  # the seed says 30 s; 20 s is four events at the dev stack's 5 s interval
    sent_meanwhile = max(sent_numbers(cluster, NAMESPACE))
    assert sent_meanwhile >= stopped_at + 3, "the producer carries on while the consumer is stopped"
    cluster.kubectl(*["scale", "deployment", "consumer", "--replicas=1", "-n", "kafka-demo"])
    [new] = wait_for(lambda: [p for p in pods(cluster, NAMESPACE, "consumer") if ready(p)], "the consumer back", timeout=120)
    after = LogStream(cluster, NAMESPACE, new["metadata"]["name"], tmp_path / "consumer-after.log")
    try:
        wait_for(
            lambda: set(range(1, sent_meanwhile + 1)) <= set(before.numbers()) | set(after.numbers()),
            f"every event up to event-{sent_meanwhile} to have been consumed",
            timeout=120,
        )
    finally:
        after.process.terminate()
        after.close()
    print(
        f"[cluster] decoupling: consumer stopped after event-{stopped_at}, producer reached event-{sent_meanwhile}, "
        f"restarted consumer read {len(after.numbers())} events, none missing"
    )
    resumed = after.numbers()
    assert min(resumed) > 1, "the restarted consumer resumed from its group's committed offsets, not from the beginning"


def test_a_second_up_and_refresh_find_nothing_to_change(engine, dev):
    engine.pulumi("up", "--yes", "--expect-no-changes", stack=STACK)
    engine.pulumi("refresh", "--yes", "--expect-no-changes", stack=STACK)


def test_topic_partitions_grow_through_the_engine(engine, cluster, dev):
    dev["topic"] = {**dev["topic"], "partitions": 4}
    engine.write_stack(STACK, dev)
    engine.up(STACK)
    assert "PartitionCount: 4" in describe_topic(cluster, NAMESPACE, "events")


def claims(cluster) -> dict[str, dict]:
    listing = yaml.safe_load(cluster.kubectl("get", "pvc", "-n", NAMESPACE, "-o", "yaml").stdout)["items"]
    return {c["metadata"]["name"]: c for c in listing}


def test_storage_change_keeps_the_claims_and_their_data(engine, cluster, dev):
    """docs/operations.md: the StatefulSet is replaced, existing claims keep their size and are reattached."""
    events_before = topic_values(cluster, NAMESPACE, "events")
    before = claims(cluster)
    assert events_before and "data-zkmode-kafka-0" in before
    dev["kafka"] = {**dev["kafka"], "storageSize": "3Gi"}
    engine.write_stack(STACK, dev)
    engine.up(STACK)
    after = claims(cluster)
    kafka_claim = after["data-zkmode-kafka-0"]
    assert kafka_claim["metadata"]["uid"] == before["data-zkmode-kafka-0"]["metadata"]["uid"], "the same claim"
    assert kafka_claim["spec"]["resources"]["requests"]["storage"] == "2Gi", "existing claims keep their size"
    sts = yaml.safe_load(cluster.kubectl("get", "statefulset", "kafka", "-n", NAMESPACE, "-o", "yaml").stdout)
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "3Gi"
    events_after = topic_values(cluster, NAMESPACE, "events")
    assert set(events_before) <= set(events_after), "every event written before the change is still in the topic"


def test_mode_switch_starts_a_new_cluster_on_new_disks_and_keeps_the_old_ones(engine, cluster, dev):
    """docs/operations.md: a mode switch is a new cluster; the old mode's claims stay until destroy."""
    before = claims(cluster)
    dev["mode"] = "kraft"
    engine.write_stack(STACK, dev)
    engine.up(STACK)
    after = claims(cluster)
    assert "data-kraft-kafka-0" in after
    for name in ("data-zkmode-kafka-0", "data-zookeeper-0"):
        assert after[name]["metadata"]["uid"] == before[name]["metadata"]["uid"], f"{name} kept"
    assert not pods(cluster, NAMESPACE, "zookeeper")
    # The new cluster got its topic (a new topic job), and events flow again.
    assert "PartitionCount: 4" in describe_topic(cluster, NAMESPACE, "events")
    wait_for(lambda: topic_values(cluster, NAMESPACE, "events"), "events in the new cluster's topic", timeout=120)


def test_destroy_with_delete_leaves_nothing_behind(engine, cluster, dev):
    engine.pulumi("destroy", "--yes", "--skip-preview", stack=STACK)
    gone = cluster.kubectl("get", "namespace", NAMESPACE, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr, "the namespace and everything in it are gone"
    wait_for(
        lambda: (
            not [
                pv
                for pv in yaml.safe_load(cluster.kubectl("get", "pv", "-o", "yaml").stdout)["items"]
                if pv["spec"].get("claimRef", {}).get("namespace") == NAMESPACE
            ]
        ),
        "the stack's persistent volumes to be deleted",
        timeout=120,
    )
