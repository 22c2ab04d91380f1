"""Stack configuration: the raw Pulumi config values checked and turned into typed settings.

`load_settings` is pure: it takes the raw values (as Pulumi's config or a stack file holds them)
and returns `Settings`, or raises `ConfigError` listing every problem at once, each naming the
config key, the value given and what is allowed. Nothing is created before this succeeds.
Each role's own rules live with the role (kafka/spec.py, zookeeper/spec.py, clients/spec.py), so
a component used on its own checks its args the same way; the rules between objects live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..clients.spec import ConsumerSpec, ProducerSpec, TopicSpec, consumer_spec, producer_spec, topic_spec
from ..external.spec import ExternalSpec, external_spec
from ..kafka.spec import BrokerSpec, broker_spec, derive_cluster_id
from ..naming import KAFKA, ZOOKEEPER, Place, admin_secret, client_tls_secret, user_secret
from ..security.spec import CONSUMER_USER, PRODUCER_USER, SecuritySpec, TlsSpec, UsersSpec, security_spec
from ..zookeeper.spec import EnsembleSpec, ensemble_spec
from .keys import TOP_LEVEL
from .objects import CONFIG_KEYS, OBJECTS
from .resources import jvm_resources
from .schema import PROJECT, ConfigError, Labels, check_values, show, stack_labels


@dataclass(frozen=True)
class Settings:
    stack: str
    namespace: str
    mode: str  # "kraft" or "zookeeper"
    cluster_domain: str
    kube_context: str | None
    pvc_retention: str  # "Retain" or "Delete"
    kafka: BrokerSpec
    zookeeper: EnsembleSpec | None  # None in KRaft mode
    topic: TopicSpec
    producer: ProducerSpec
    consumer: ConsumerSpec
    security: SecuritySpec
    tls: TlsSpec | None  # None: TLS off
    users: UsersSpec | None  # None: SCRAM off
    external: ExternalSpec | None  # None: no access from outside the cluster
    producer_enabled: bool
    consumer_enabled: bool

    @property
    def kraft(self) -> bool:
        return self.mode == "kraft"


def _object_values(name: str, raw: Any, problems: list[str]) -> dict[str, Any]:
    keys = OBJECTS[name].keys
    if raw is not None and not isinstance(raw, Mapping):
        problems.append(f"{PROJECT}:{name} = {show(raw)}: must be an object with keys {', '.join(k.name for k in keys)}")
        raw = None
    return check_values(keys, raw or {}, stack_labels(name), problems)


def load_settings(raw: Mapping[str, Any], stack: str) -> Settings:
    """Validate raw stack config (keys without the project prefix) and build `Settings`."""
    problems: list[str] = []
    for key in raw:
        if key not in CONFIG_KEYS:
            problems.append(f"{PROJECT}:{key} is not a known config key; allowed keys: {', '.join(CONFIG_KEYS)}")
    top_keys = {k.name for k in TOP_LEVEL}
    top = check_values(TOP_LEVEL, {k: v for k, v in raw.items() if k in top_keys}, Labels(f"{PROJECT}:", "", PROJECT), problems)
    values = {name: _object_values(name, raw.get(name), problems) for name in OBJECTS}
    if problems:  # the rules below read these values; stop before they trip over bad ones
        raise ConfigError(problems)

    place = Place(top["namespace"], top["clusterDomain"])
    kraft = top["mode"] == "kraft"
    origin = f"stack {stack}"
    zookeeper = None
    if kraft:  # no ensemble, but its resource keys are still checked
        jvm_resources(values["zookeeper"], stack_labels("zookeeper"), problems)
    else:
        zookeeper = ensemble_spec(
            values["zookeeper"],
            stack_labels("zookeeper"),
            problems,
            name=ZOOKEEPER,
            kafka_cluster=KAFKA,
            place=place,
            origin=origin,
        )
    consumer_group = None if values["consumer"]["fromBeginning"] else values["consumer"]["groupId"]
    security = security_spec(
        values["security"],
        stack_labels("security").full,
        problems,
        kraft=kraft,
        topic=values["topic"]["name"],
        consumer_group=consumer_group,
    )
    if security.scram and consumer_group is None:
        problems.append(
            f"{PROJECT}:consumer.fromBeginning = true: with security.scram the consumer reads in its group "
            f"(consumer.groupId), the only group its ACLs allow; set fromBeginning: false"
        )
    external = external_spec(
        values["external"],
        stack_labels("external").full,
        problems,
        namespace=place.namespace,
        kafka_cluster=KAFKA,
        tls=security.tls,
        scram=security.scram,
        brokers=values["kafka"]["replicas"],
        security_label=stack_labels("security").full,
    )
    kafka = broker_spec(
        values["kafka"],
        stack_labels("kafka"),
        problems,
        name=KAFKA,  # the stack's KafkaBroker (engine/program.py) is named so, and its objects after it
        place=place,
        zookeeper_connect=zookeeper.connect_string if zookeeper else None,
        default_cluster_id=derive_cluster_id(PROJECT, stack, KAFKA),
        origin=origin,
        controller_values=values["controller"],
        controller_labels=stack_labels("controller"),
        tls=security.tls,
        scram=security.scram,
        external=external is not None,
    )
    brokers = kafka.replicas

    # The topic follows the brokers' defaults, and can only be placed on the brokers there are.
    topic_values = dict(values["topic"])
    topic_values["replicationFactor"] = topic_values["replicationFactor"] or min(kafka.default_replication_factor, brokers)
    if topic_values["replicationFactor"] > brokers:
        problems.append(
            f"{PROJECT}:topic.replicationFactor = {topic_values['replicationFactor']}: must be at most kafka.replicas "
            f"({brokers}); Kafka cannot place more replicas than there are brokers"
        )
    topic_values["minInsyncReplicas"] = topic_values["minInsyncReplicas"] or min(
        kafka.min_insync_replicas, topic_values["replicationFactor"]
    )
    clients = {"namespace": place.namespace, "bootstrapServers": kafka.bootstrap_servers, "image": kafka.image}
    secrets = client_secrets(security, kafka.name)
    producer = producer_spec(
        {**values["producer"], **clients, "topic": topic_values["name"], "clientSecret": secrets["producer"]},
        stack_labels("producer"),
        problems,
    )
    topic = topic_spec(
        {
            **topic_values,
            **clients,
            "clusterIdentity": topic_cluster_identity(kafka),
            "bootstrapServers": kafka.admin_bootstrap_servers,
            "clientSecret": secrets["topic"],
        },
        stack_labels("topic"),
        problems,
        resources=producer.resources,  # the topic job runs with the producer's resources
    )
    consumer = consumer_spec(
        {**values["consumer"], **clients, "topic": topic.name, "clientSecret": secrets["consumer"]},
        stack_labels("consumer"),
        problems,
    )
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    # KafkaTls and KafkaUsers serve the brokers: their objects are named after the brokers' cluster name.
    tls = None
    if security.tls:
        tls = TlsSpec(place, kafka.name, security.certificate_validity_days, security.renew_before_days)
    users = None
    if security.scram:
        users = UsersSpec(
            place.namespace, kafka.name, kafka.admin_bootstrap_servers, kafka.image, security.users, topic.cluster_identity
        )
    return Settings(
        stack=stack,
        namespace=place.namespace,
        mode=top["mode"],
        cluster_domain=place.cluster_domain,
        kube_context=top["kubeContext"],
        pvc_retention=top["pvcRetention"],
        kafka=kafka,
        zookeeper=zookeeper,
        topic=topic,
        producer=producer,
        consumer=consumer,
        security=security,
        tls=tls,
        users=users,
        external=external,
        producer_enabled=values["producer"]["enabled"],
        consumer_enabled=values["consumer"]["enabled"],
    )


def client_secrets(security: SecuritySpec, cluster: str) -> dict[str, str | None]:
    """The Secret of Kafka cluster `cluster` each client mounts (None: PLAINTEXT): the topic Job is the
    admin, producer and consumer are their own SCRAM users (or share the CA-only client settings with TLS alone)."""
    if not security.tls:
        return {"topic": None, "producer": None, "consumer": None}
    admin = admin_secret(cluster)
    if not security.scram:
        return {"topic": admin, "producer": client_tls_secret(cluster), "consumer": client_tls_secret(cluster)}
    return {"topic": admin, "producer": user_secret(cluster, PRODUCER_USER), "consumer": user_secret(cluster, CONSUMER_USER)}


def topic_cluster_identity(kafka: BrokerSpec) -> str:
    """What names the cluster the topic lives in: a mode or topology switch starts a new, empty cluster
    (new volumes) behind the same broker names, and the topic Job must run again there."""
    if not kafka.kraft:
        return kafka.mode
    return kafka.cluster_id if kafka.topology == "combined" else f"{kafka.cluster_id}-{kafka.topology}"
