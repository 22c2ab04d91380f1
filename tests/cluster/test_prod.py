"""The prod stack shape (KRaft on Kafka 4.4.0, 3 dedicated controllers, 3 brokers, RF 3, min ISR 2,
pvcRetention: Retain) through the real engine, with TLS and SCRAM on: certificates and passwords generated
by the engine's Python dynamic provider, Secrets through the API server, clients with their own users, and
external access through per-broker NodePort Services on the node's address (kube-proxy forwards them), used
by a Kafka client on this machine with a user of its own.

Sized for a 2-core node (smaller requests, memory and volumes); everything else is prod's own config.
"""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest
import yaml

from bench import engine_cost
from components.config.stack_files import stack_config
from tests.cluster.kafka_checks import (
    CONSOLE_CONSUMER,
    CONSOLE_PRODUCER,
    EVENT,
    describe_topic,
    host_tool,
    node_address,
    outside_client_config,
    pods,
    ready,
    sent_numbers,
    topic_values,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.cluster

STACK = "prod"
NAMESPACE = "kafka-prod"
SMALL = [
    "kafka.cpuRequest=100m",
    "kafka.memory=768Mi",
    "kafka.storageSize=1Gi",
    "controller.cpuRequest=100m",
    "controller.memory=512Mi",
    "controller.storageSize=1Gi",
    "producer.cpuRequest=50m",
    "producer.intervalSeconds=1",
    "consumer.cpuRequest=50m",
    "consumer.replicas=2",
    "security.tls=true",
    "security.scram=true",
]
OUTSIDE_USER, OUTSIDE_GROUP = "outside", "outside-readers"
OUTSIDE = [
    "external.type=NodePort",
    f'security.users={{"{OUTSIDE_USER}": {{"produce": ["events"], "consume": ["events"], "groups": ["{OUTSIDE_GROUP}"]}}}}',
]


@pytest.fixture(scope="module")
def prod(engine, cluster):
    # The node's address is where clients outside reach the node ports (external.host).
    config = stack_config(STACK, SMALL + OUTSIDE + [f"external.host={node_address(cluster)}"])
    engine.write_stack(STACK, config)
    engine.init_stack(STACK)
    try:
        yield config
    finally:
        engine.pulumi("destroy", "--yes", "--skip-preview", stack=STACK, check=False)
        # Retain keeps the namespace and its claims by design; the test removes them itself.
        cluster.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=300s", check=False)


def numbers(values: list[str]) -> set[int]:
    return {int(EVENT.search(v).group(1)) for v in values}


def test_prod_comes_up_with_every_broker_ready(engine, cluster, prod):
    engine.up(STACK)
    brokers = pods(cluster, NAMESPACE, "kafka")
    assert sorted(p["metadata"]["name"] for p in brokers) == ["kafka-0", "kafka-1", "kafka-2"]
    assert all(ready(p) for p in brokers)
    controllers = pods(cluster, NAMESPACE, "kafka-controller")
    assert sorted(p["metadata"]["name"] for p in controllers) == [
        "kafka-controller-0",
        "kafka-controller-1",
        "kafka-controller-2",
    ]
    assert all(ready(p) for p in controllers)
    # Every Kafka server's JVM (the container's PID 1) runs with the image's class data sharing archive.
    for pod in [p["metadata"]["name"] for p in brokers + controllers]:
        maps = cluster.kubectl("exec", pod, "-n", NAMESPACE, "--", "cat", "/proc/1/maps").stdout
        assert "/opt/kafka/kafka.jsa" in maps, f"{pod}: the JVM maps no /opt/kafka/kafka.jsa"
    # `pulumi up` waited for the quorum Job: it saw exactly the three controllers as voters.
    jobs = yaml.safe_load(cluster.kubectl("get", "jobs", "-n", NAMESPACE, "-l", "app=kafka-quorum", "-o", "yaml").stdout)["items"]
    assert len(jobs) == 1 and jobs[0]["status"].get("succeeded") == 1
    outputs = engine.outputs(STACK)
    assert outputs["controllerDnsNames"] == [
        f"kafka-controller-{i}.kafka-controller.{NAMESPACE}.svc.cluster.local" for i in range(3)
    ]
    # Security: the CA is an output (public); where each user's credentials are, never the credentials.
    assert outputs["caCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert outputs["userSecrets"] == {
        "producer": "kafka-user-producer",
        "consumer": "kafka-user-consumer",
        OUTSIDE_USER: f"kafka-user-{OUTSIDE_USER}",
    }
    users = yaml.safe_load(cluster.kubectl("get", "jobs", "-n", NAMESPACE, "-l", "app=kafka-users", "-o", "yaml").stdout)["items"]
    assert len(users) == 1 and users[0]["status"].get("succeeded") == 1


def test_a_client_outside_the_cluster_reaches_every_broker_through_its_node_port(engine, cluster, prod, tmp_path):
    """A Kafka client on this machine, configured as docs/external-access.md says (externalBootstrapServers, the user's
    password from its Secret, caCertificate): each broker's node port bootstraps it, and its records reach
    the leaders on all three brokers (each advertises its own node port) and come back in its group."""
    outputs = engine.outputs(STACK)
    host = node_address(cluster)
    addresses = [f"{host}:{31090 + i}" for i in range(3)]
    assert outputs["externalBootstrapServers"] == ",".join(addresses)
    described = describe_topic(cluster, NAMESPACE, "events", secure=True)
    leaders = {line.split("Leader:")[1].split()[0] for line in described.splitlines() if "Leader:" in line}
    assert leaders == {"0", "1", "2"}, leaders  # so producing to every partition needs every broker
    password = base64.b64decode(
        cluster.kubectl("get", "secret", f"kafka-user-{OUTSIDE_USER}", "-n", NAMESPACE, "-o", "jsonpath={.data.password}").stdout
    ).decode()
    config = outside_client_config(tmp_path, OUTSIDE_USER, password, outputs["caCertificate"])
    sent = []
    for i, address in enumerate(addresses):  # one producer per broker's node port as its only bootstrap address
        lines = [f"key-{n}:outside-{i}-{n}" for n in range(24)]
        result = host_tool(
            CONSOLE_PRODUCER,
            [
                "--bootstrap-server",
                address,
                "--topic",
                "events",
                "--producer.config",
                str(config),
                "--producer-property",
                "acks=all",
                "--property",
                "parse.key=true",
                "--property",
                "key.separator=:",
            ],
            input="\n".join(lines) + "\n",
            timeout=120,
        )
        assert result.returncode == 0, f"producer via {address} failed:\n{result.stderr[-3000:]}"
        sent += [line.split(":", 1)[1] for line in lines]
    # The demo's producer keeps writing, so the consumer never idles: it reads for a minute, then is stopped.
    consumed = host_tool(
        CONSOLE_CONSUMER,
        [
            "--bootstrap-server",
            addresses[0],
            "--topic",
            "events",
            "--group",
            OUTSIDE_GROUP,
            "--from-beginning",
            "--consumer.config",
            str(config),
        ],
        timeout=60,
    ).stdout
    missing = set(sent) - set(consumed.splitlines())
    assert not missing, f"{len(missing)} of {len(sent)} records not read back outside the cluster, e.g. {sorted(missing)[:5]}"
    # A wrong password is refused on the external listener too.
    (tmp_path / "wrong").mkdir()
    wrong = outside_client_config(tmp_path / "wrong", OUTSIDE_USER, "not-the-password", outputs["caCertificate"])
    refused = host_tool(
        CONSOLE_PRODUCER,
        ["--bootstrap-server", addresses[1], "--topic", "events", "--producer.config", str(wrong)],
        input="k:v\n",
        timeout=120,
    )
    assert "Authentication failed" in refused.stdout + refused.stderr, refused.stderr[-3000:]


def plain_text_paths(node, markers: tuple[str, ...], path: str = "") -> list[str]:
    """Where in a `pulumi stack export` document a string holds one of `markers` (a key, a client's password)."""
    if isinstance(node, str):
        return [f"{path}: ...{node[max(0, node.find(m) - 80) : node.find(m) + 40]}..." for m in markers if m in node][:1]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    return [leak for key, value in items for leak in plain_text_paths(value, markers, f"{path}/{key}")]


def test_keys_and_passwords_are_only_in_secrets_and_encrypted_state(engine, cluster, prod):
    """The generated keys and passwords are in Kubernetes Secrets and in the state as Pulumi secrets
    (encrypted): not in plain text anywhere in the state, nor in the outputs; the same on a second up."""
    before = engine.pulumi("stack", "export", stack=STACK).stdout
    leaks = plain_text_paths(json.loads(before), ("PRIVATE KEY", 'username="'))  # keys; a user's client settings
    assert not leaks, f"generated secrets in plain text in the state at: {leaks}"
    node_pem = cluster.kubectl("get", "secret", "kafka-tls", "-n", NAMESPACE, "-o", "jsonpath={.data.node\\.pem}").stdout
    assert node_pem, "the nodes' key and certificate are in Secret kafka-tls"
    password = cluster.kubectl("get", "secret", "kafka-user-producer", "-n", NAMESPACE, "-o", "jsonpath={.data.password}").stdout
    # Nothing changed: nothing is generated again, and the up changes nothing at all (the engine-cost
    # benchmark's no-op up, measured here on this stack).
    seconds = engine_cost.no_op_up(engine, STACK)
    print(f"[cluster] no-op up of prod: {seconds:.1f}s")
    assert cluster.kubectl("get", "secret", "kafka-tls", "-n", NAMESPACE, "-o", "jsonpath={.data.node\\.pem}").stdout == node_pem
    assert (
        cluster.kubectl("get", "secret", "kafka-user-producer", "-n", NAMESPACE, "-o", "jsonpath={.data.password}").stdout
        == password
    )


def test_a_deleted_broker_comes_back_and_no_event_is_lost(cluster, prod):
    wait_for(lambda: len(sent_numbers(cluster, NAMESPACE)) >= 10, "ten events sent", timeout=120)
    [old] = [p for p in pods(cluster, NAMESPACE, "kafka") if p["metadata"]["name"] == "kafka-1"]
    cluster.kubectl("delete", "pod", "kafka-1", "-n", NAMESPACE, "--wait=false")
    wait_for(
        lambda: [
            p
            for p in pods(cluster, NAMESPACE, "kafka")
            if p["metadata"]["name"] == "kafka-1" and p["metadata"]["uid"] != old["metadata"]["uid"] and ready(p)
        ],
        "kafka-1 back and Ready",
        timeout=300,
    )
    time.sleep(10)  # let events sent during the restart be delivered
    sent = max(sent_numbers(cluster, NAMESPACE))
    stored = numbers(topic_values(cluster, NAMESPACE, "events", secure=True))
    # The console producer hands a line over and logs "Sent" before Kafka acknowledges it: the last few
    # may still be in flight; everything before them must be in the topic (acks=all, idempotent).
    missing = set(range(1, sent - 5)) - stored
    print(
        f"[cluster] kafka-1 deleted and back; {sent} events sent, {len(stored)} distinct in the topic, missing: {sorted(missing)}"
    )
    assert not missing


def test_a_config_change_rolls_the_brokers_one_at_a_time(engine, cluster, prod):
    before = {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods(cluster, NAMESPACE, "kafka")}
    worst: list[int] = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                running = pods(cluster, NAMESPACE, "kafka")
            except AssertionError:
                continue
            unavailable = 3 - sum(1 for p in running if ready(p))
            worst[0] = max(worst[0], unavailable)
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        prod["kafka"] = {**prod["kafka"], "config": {"log.retention.hours": 72}}
        engine.write_stack(STACK, prod)
        engine.up(STACK)
        # pulumi-kubernetes 4.25 reports a StatefulSet update done before the roll has begun (its await
        # sees the old generation's status; pulumi/pulumi-kubernetes#3329): wait for the roll as kubectl does.
        rolled = time.monotonic()
        cluster.kubectl("rollout", "status", "statefulset/kafka", "-n", NAMESPACE, "--timeout=600s", timeout=660)
        print(f"[cluster] config change: the brokers' roll finished {time.monotonic() - rolled:.1f}s after pulumi up returned")
    finally:
        done.set()
        watcher.join()
    after = {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods(cluster, NAMESPACE, "kafka")}
    assert set(after) == set(before) and all(after[n] != before[n] for n in before), "every broker was restarted"
    assert worst[0] == 1, f"at most one broker unavailable at a time (seen {worst[0]})"
    config = cluster.kubectl("get", "configmap", "kafka-config", "-n", NAMESPACE, "-o", "yaml").stdout
    assert "log.retention.hours=72" in yaml.safe_load(config)["data"]["server.properties"]


def test_destroy_with_retain_keeps_the_claims_and_a_new_up_gets_the_old_events_back(engine, cluster, prod):
    events = topic_values(cluster, NAMESPACE, "events", secure=True)
    assert len(events) > 10
    claim_uids = {
        c["metadata"]["name"]: c["metadata"]["uid"]
        for c in yaml.safe_load(cluster.kubectl("get", "pvc", "-n", NAMESPACE, "-o", "yaml").stdout)["items"]
    }
    assert set(claim_uids) == {f"data-kraft-broker-kafka-{i}" for i in range(3)} | {
        f"data-kraft-controller-kafka-controller-{i}" for i in range(3)
    }

    engine.pulumi("destroy", "--yes", "--skip-preview", stack=STACK)
    assert cluster.kubectl("get", "namespace", NAMESPACE).returncode == 0, "Retain keeps the namespace"
    left = yaml.safe_load(cluster.kubectl("get", "pvc", "-n", NAMESPACE, "-o", "yaml").stdout)["items"]
    assert {c["metadata"]["name"]: c["metadata"]["uid"] for c in left} == claim_uids, "and every claim in it"
    assert not cluster.kubectl("get", "statefulsets,deployments,jobs,pods", "-n", NAMESPACE, "-o", "name").stdout.strip()

    engine.up(STACK)
    again = topic_values(cluster, NAMESPACE, "events", secure=True)
    assert set(events) <= set(again), "every event from before the destroy is back"
    print(f"[cluster] destroy (Retain) and up: {len(events)} events from before are back")
