"""TLS, SCRAM users and ACLs on real Kafka 4.4 (the prod shape: three dedicated controllers, three brokers).

The stack's own rendered files, with the certificates and passwords generated as `pulumi up` generates
them (security/provider.py). One cluster for the module; each test says what it proves."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import time
from collections import Counter

import pytest
from cryptography import x509

from components.security import pki
from components.security.provider import tls_outputs
from tests.helpers import wait_for
from tests.realkafka.harness import TOOL_JVM_OPTS
from tests.realkafka.stack_runner import EVENT, IDEMPOTENT, produced, shared, verifiable_producer

pytestmark = pytest.mark.realkafka

SECURE = ["security.tls=true", "security.scram=true"]
CA = "/etc/kafka-client/ca.crt"  # in every client pod: the user's (or admin's) Secret is mounted there
PROBE = "/etc/probe"  # the probing client's own settings, mounted from the test's directory


@pytest.fixture(scope="module")
def secure_cluster(tmp_path_factory):
    with shared("prod", SECURE, tmp_path_factory.mktemp("secure")) as platform:  # the clients before the users Job
        yield platform


def secret_text(platform, name: str, key: str) -> str:
    return platform.cluster.manifest("Secret", name)["stringData"][key]


def probe(platform, tmp_path, settings: str, command: list[str], pod: str = "prober", timeout: float = 120) -> str:
    """Run a Kafka tool in a client pod (the consumer's, with its Secret mounted) with `settings` as
    /etc/probe/client.properties; returns what it printed."""
    directory = tmp_path / "probe"
    directory.mkdir(exist_ok=True)
    (directory / "client.properties").write_text(settings)
    cluster = platform.cluster
    if pod not in cluster.pods:
        cluster.add_client(pod, "Deployment", "consumer")
    argv = command if command[0] == "bash" else ["/opt/kafka/bin/" + command[0], *command[1:]]
    started = cluster.start(pod, argv, extra_mounts={PROBE: directory}, jvm_opts=TOOL_JVM_OPTS)
    try:
        started.process.wait(timeout=timeout)
    except Exception:
        cluster.stop(pod, signal.SIGKILL)
    return cluster.output(pod)


def produce_one(platform, tmp_path, settings: str, topic: str | None = None) -> str:
    """One record sent with `settings` (bounded waits: a refused client fails within seconds)."""
    producer = " ".join(
        [
            "/opt/kafka/bin/kafka-console-producer.sh",
            "--bootstrap-server",
            platform.bootstrap,
            "--topic",
            topic or platform.topic,
            "--producer.config",
            f"{PROBE}/client.properties",
            "--producer-property",
            "max.block.ms=15000",
            "--producer-property",
            "delivery.timeout.ms=20000",
            "--producer-property",
            "request.timeout.ms=10000",
        ]
    )
    return probe(platform, tmp_path, settings, ["bash", "-c", f"echo probe-record | {producer}"], timeout=90)


def consume(platform, tmp_path, settings: str, group: str) -> str:
    return probe(
        platform,
        tmp_path,
        settings,
        [
            "kafka-console-consumer.sh",
            "--bootstrap-server",
            platform.bootstrap,
            "--topic",
            platform.topic,
            "--group",
            group,
            "--from-beginning",
            "--timeout-ms",
            "15000",
            "--max-messages",
            "1",
            "--consumer.config",
            f"{PROBE}/client.properties",
        ],
        timeout=90,
    )


def test_demo_flows_with_the_clients_own_users(secure_cluster):
    """The producer (user producer) writes, the consumer (user consumer, in its group) reads, over SCRAM + TLS."""
    platform = secure_cluster
    platform.start_clients()
    records = platform.events_consumed(at_least=10, timeout=180)
    sent = produced(platform.cluster.output("producer"))
    assert all(EVENT.match(r.value) for r in records)
    assert {r.value for r in records} <= set(sent)
    for client in ("producer", "consumer"):
        log = platform.cluster.output(client)
        assert "AuthorizationException" not in log and "AuthenticationException" not in log, log[-2000:]
    props = platform.cluster.config_map("kafka-config")["server.properties"]
    assert "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL" in props
    platform.cluster.stop("producer")
    platform.cluster.stop("consumer")


def test_clients_without_valid_credentials_are_refused(secure_cluster, tmp_path):
    """No user (TLS only), a wrong password, and PLAINTEXT: none gets a record in; the wrong password is
    told so, the others only time out (the SASL_SSL port speaks nothing else)."""
    platform = secure_cluster
    producer_settings = secret_text(platform, "kafka-user-producer", "client.properties")
    wrong = producer_settings.replace(secret_text(platform, "kafka-user-producer", "password"), "not-the-password")
    assert wrong != producer_settings
    output = produce_one(platform, tmp_path, wrong)
    assert "failed authentication" in output and "invalid credentials" in output, output[-2000:]
    tls_only = f"security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location={CA}\n"
    output = produce_one(platform, tmp_path, tls_only)
    assert "TimeoutException" in output or "not present in metadata" in output, output[-2000:]
    output = produce_one(platform, tmp_path, "security.protocol=PLAINTEXT\n")
    assert "TimeoutException" in output or "not present in metadata" in output, output[-2000:]
    # And nothing of them reached the topic.
    assert "probe-record" not in {r.value for r in platform.read_all()}


def test_each_user_may_do_only_what_its_acls_allow(secure_cluster, tmp_path):
    """The producer's user cannot read; the consumer's user cannot write, nor read in another group; the
    producer's user cannot write another topic."""
    platform = secure_cluster
    producer_settings = secret_text(platform, "kafka-user-producer", "client.properties")
    consumer_settings = secret_text(platform, "kafka-user-consumer", "client.properties")
    group = platform.settings.consumer.group_id

    output = consume(platform, tmp_path, producer_settings, group)
    assert "AuthorizationException" in output, output[-2000:]
    output = produce_one(platform, tmp_path, consumer_settings)
    assert "AuthorizationException" in output, output[-2000:]
    output = consume(platform, tmp_path, consumer_settings, group + "-other")
    assert "GroupAuthorizationException" in output, output[-2000:]
    output = produce_one(platform, tmp_path, producer_settings, topic="not-events")
    assert "AuthorizationException" in output or "not present in metadata" in output, output[-2000:]
    assert "probe-record" not in {r.value for r in platform.read_all()}
    # What they may do, they can: the producer's user writes the topic, the consumer's user reads that
    # record in its own group (which has read everything before: a new record is what it gets).
    output = produce_one(platform, tmp_path, producer_settings)
    assert "Exception" not in output, output[-2000:]
    output = consume(platform, tmp_path, consumer_settings, group)
    assert "Processed a total of 1 messages" in output, output[-2000:]


def producer_properties(platform) -> str:
    return IDEMPOTENT + secret_text(platform, "kafka-user-producer", "client.properties")


def acknowledged(platform, pod) -> tuple[list[str], list[dict]]:
    lines = [json.loads(line) for line in platform.cluster.output(pod).splitlines() if line.startswith("{")]
    return (
        [e["value"] for e in lines if e.get("name") == "producer_send_success"],
        [e for e in lines if e.get("name") == "producer_send_error"],
    )


def test_broker_loss_with_security_loses_and_duplicates_nothing(secure_cluster, tmp_path):
    platform = secure_cluster
    total = 10000
    pod = verifiable_producer(platform, total, 1500, tmp_path, producer_properties(platform), value_prefix=7)
    wait_for(lambda: platform.cluster.output(pod).count("producer_send_success") > 2000, "events in flight", 180, 0.2)
    platform.cluster.stop("kafka-1", signal.SIGKILL)
    assert pod.process.wait(timeout=300) == 0
    acked, errors = acknowledged(platform, pod)
    values = Counter(r.value for r in platform.read_all() if r.value.startswith("7."))
    lost = [v for v in acked if v not in values]
    duplicated = [v for v, n in values.items() if n > 1]
    print(
        f"\n[realkafka] secure broker loss: {len(acked)} acknowledged, {len(errors)} send errors, "
        f"{len(lost)} lost, {len(duplicated)} duplicated"
    )
    assert len(acked) > 2000 and lost == [] and duplicated == []
    platform.cluster.start("kafka-1")
    platform.cluster.wait_port("kafka-1", 9092, timeout=180)


def served_serial(platform, broker: str) -> str:
    """The serial (hex) of the certificate `broker` serves on its client port, from a TLS handshake made
    here (the test bridge reaches every pod's address)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only looking at what is served
    with (
        socket.create_connection((platform.cluster.pods[broker].ip, 9092), timeout=10) as raw,
        context.wrap_socket(raw) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    return format(x509.load_der_x509_certificate(der).serial_number, "x")


def test_certificate_rotation_rolls_the_brokers_without_send_errors(secure_cluster, tmp_path):
    """New node and admin certificates from the same CA (what a renewal `pulumi up` issues), then the
    brokers rolled one at a time through their preStop hook, with acks=all writes running: no send error,
    and every broker serves the new certificate afterwards."""
    platform = secure_cluster
    cluster = platform.cluster
    old = platform.generated["kafka-tls-certificates"]
    renewed = tls_outputs(
        {key: old[key] for key in ("dns_names", "validity_days", "renew_before_days")}, pki.Issued(old["ca_key"], old["ca_cert"])
    )
    assert renewed["serial"] != old["serial"] and renewed["ca_cert"] == old["ca_cert"]
    cluster.manifest("Secret", "kafka-tls")["stringData"]["node.pem"] = renewed["node_pem"]
    cluster.manifest("Secret", "kafka-admin")["stringData"]["admin.pem"] = renewed["admin_pem"]

    pod = verifiable_producer(platform, 6000, 100, tmp_path, producer_properties(platform), value_prefix=8)
    wait_for(lambda: cluster.output(pod).count("producer_send_success") > 200, "events in flight", 180, 0.2)
    started = time.monotonic()
    for broker in reversed(platform.brokers):
        hook = cluster.pre_stop(broker)
        hook.wait(timeout=240)
        cluster.stop(broker, signal.SIGTERM, timeout=120)
        cluster.start(broker)  # mounts the Secret again: the renewed certificate
        cluster.wait_port(broker, 9092, timeout=180)
    rolled = time.monotonic() - started
    assert pod.process.wait(timeout=600) == 0
    acked, errors = acknowledged(platform, pod)
    print(
        f"\n[realkafka] certificate rotation: 3 brokers rolled in {rolled:.1f}s; {len(acked)} acknowledged, "
        f"{len(errors)} send errors"
    )
    assert errors == [] and len(acked) == 6000
    assert {broker: served_serial(platform, broker) for broker in platform.brokers} == {
        broker: renewed["serial"] for broker in platform.brokers
    }
