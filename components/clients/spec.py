"""What the clients are made of, checked: the topic, the producer and the consumer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import checks as c
from ..config.keys import COMPONENT_NAMESPACE
from ..config.resources import JvmResources, jvm_resources
from ..config.schema import Key, Labels
from ..kafka.image import DEFAULT_KAFKA_VERSION, kafka_image

# Keys a client component takes besides its own object's keys: where it runs and what it talks to.
BOOTSTRAP_SERVERS = Key(
    "bootstrapServers",
    None,
    c.host_ports,
    "host:port,...",
    "The brokers to connect to (KafkaBroker's bootstrap_servers output).",
    required=True,
)
CLIENT_IMAGE = Key(
    "image",
    kafka_image(DEFAULT_KAFKA_VERSION),
    c.matching(c.IMAGE, "a container image reference such as docker.io/apache/kafka:3.9.1"),
    "image reference",
    "Image with Kafka's bin/ tools (the brokers' image).",
)
TOPIC_NAME = Key(
    "topic", None, c.topic_name, "Kafka topic name", "The topic to write or read (KafkaTopic's topic_name output).", required=True
)
CLUSTER_IDENTITY = Key(
    "clusterIdentity",
    "",
    c.matching(r"[A-Za-z0-9._-]{0,64}", "up to 64 of A-Z a-z 0-9 . _ -"),
    "text",
    "Identity of the cluster behind bootstrapServers (KRaft: its cluster id); a new one re-runs the topic Job.",
)
CLIENT_SECRET = Key(
    "clientSecret",
    None,
    c.optional(c.matching(c.DNS_SUBDOMAIN, "a Secret name")),
    "Secret name",
    "A Secret with `client.properties` (and the files it names), mounted at /etc/kafka-client: the "
    "client's TLS/SASL settings (KafkaTls/KafkaUsers make them). Left out: PLAINTEXT.",
    "PLAINTEXT",
)
CLIENT_CONTEXT = (COMPONENT_NAMESPACE, BOOTSTRAP_SERVERS, CLIENT_IMAGE, CLIENT_SECRET)


@dataclass(frozen=True)
class TopicSpec:
    namespace: str
    bootstrap_servers: str
    image: str
    name: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int
    resources: JvmResources
    cluster_identity: str = ""
    client_secret: str | None = None


@dataclass(frozen=True)
class ProducerSpec:
    namespace: str
    bootstrap_servers: str
    image: str
    topic: str
    interval_seconds: float
    acks: str
    idempotence: bool
    key_count: int
    resources: JvmResources
    client_secret: str | None = None


@dataclass(frozen=True)
class ConsumerSpec:
    namespace: str
    bootstrap_servers: str
    image: str
    topic: str
    replicas: int
    group_id: str
    from_beginning: bool
    resources: JvmResources
    client_secret: str | None = None


def topic_spec(values: dict[str, Any], labels: Labels, problems: list[str], resources: JvmResources | None = None) -> TopicSpec:
    # Left out (a component used on its own): Kafka's production defaults, RF 3 with min ISR 2.
    replication = values["replicationFactor"] or 3
    min_isr = values["minInsyncReplicas"] or (2 if replication >= 3 else 1)
    if min_isr > replication:
        problems.append(
            f"{labels.full('minInsyncReplicas')} = {min_isr}: must be at most the topic's replication factor "
            f"({replication}); Kafka would silently cap it at the replication factor, so acks=all writes would be "
            f"acknowledged by fewer replicas than configured"
        )
    return TopicSpec(
        namespace=values["namespace"],
        bootstrap_servers=values["bootstrapServers"] or "",
        image=values["image"],
        name=values["name"],
        partitions=values["partitions"],
        replication_factor=replication,
        min_insync_replicas=min_isr,
        resources=resources or jvm_resources(values, labels, problems),
        cluster_identity=values["clusterIdentity"],
        client_secret=values["clientSecret"],
    )


def producer_spec(values: dict[str, Any], labels: Labels, problems: list[str]) -> ProducerSpec:
    if values["idempotence"] and values["acks"] != "all":
        problems.append(
            f'{labels.full("acks")} = "{values["acks"]}": an idempotent producer needs acks "all" '
            f"(Kafka refuses the combination); set {labels.short('idempotence')}: false to use acks {values['acks']}"
        )
    return ProducerSpec(
        namespace=values["namespace"],
        bootstrap_servers=values["bootstrapServers"] or "",
        image=values["image"],
        topic=values["topic"] or "",
        interval_seconds=values["intervalSeconds"],
        acks=values["acks"],
        idempotence=values["idempotence"],
        key_count=values["keyCount"],
        resources=jvm_resources(values, labels, problems),
        client_secret=values["clientSecret"],
    )


def consumer_spec(values: dict[str, Any], labels: Labels, problems: list[str]) -> ConsumerSpec:
    return ConsumerSpec(
        namespace=values["namespace"],
        bootstrap_servers=values["bootstrapServers"] or "",
        image=values["image"],
        topic=values["topic"] or "",
        replicas=values["replicas"],
        group_id=values["groupId"],
        from_beginning=values["fromBeginning"],
        resources=jvm_resources(values, labels, problems),
        client_secret=values["clientSecret"],
    )
