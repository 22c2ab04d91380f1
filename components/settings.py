"""Stack configuration: the raw Pulumi config values checked and turned into typed settings.

`load_settings` is pure: it takes the raw values (as Pulumi's config or a stack file holds them)
and returns `Settings`, or raises `ConfigError` listing every problem at once, each naming the
config key, the value given and what is allowed. Nothing is created before this succeeds.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .quantity import BYTES_ALLOWED, CPU_ALLOWED, parse_bytes, parse_millicores

PROJECT = "kafka-demo"

DEFAULT_KAFKA_VERSION = "3.9.1"
KAFKA_IMAGE_REPOSITORY = "docker.io/apache/kafka"
DEFAULT_ZOOKEEPER_IMAGE = "docker.io/library/zookeeper:3.9.4"

# ZooKeeper mode was removed in Kafka 4.0; combined KRaft nodes are production-ready since 3.3.
LAST_ZOOKEEPER_KAFKA = (3, 9)
FIRST_KRAFT_KAFKA = (3, 3)
MAX_QUORUM = 7  # a larger voter set slows every write and rarely buys anything (docs: 3 or 5)

# server.properties keys the program derives itself; `kafka.config` may not override them.
MANAGED_KAFKA_PROPERTIES = frozenset(
    {
        "broker.id", "node.id", "process.roles", "listeners", "advertised.listeners",
        "listener.security.protocol.map", "inter.broker.listener.name", "controller.listener.names",
        "controller.quorum.voters", "zookeeper.connect", "log.dirs", "log.dir",
        "default.replication.factor", "min.insync.replicas", "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
        "auto.create.topics.enable",
    }
)


class ConfigError(Exception):
    """Invalid stack configuration; `problems` holds one line per bad key."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "Invalid stack configuration (nothing was created):\n" + "\n".join(f"  - {p}" for p in problems)
        )


class _Invalid(Exception):
    """Raised by a check: its text says what is allowed."""


# --- checks: each takes the raw value and returns the normalised one or raises _Invalid ----------


def _integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        allowed = "an integer" + (
            f" from {minimum} to {maximum}" if minimum is not None and maximum is not None
            else f" >= {minimum}" if minimum is not None else ""
        )
        # Stack files may hold numbers as strings ("3"); booleans are not numbers here.
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(allowed)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise _Invalid(allowed)
        return value

    return check


def _positive_number(maximum: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        allowed = f"a number of seconds > 0 and <= {maximum:g}"
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise _Invalid(allowed) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= maximum:
            raise _Invalid(allowed)
        return float(value)

    return check


def _boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise _Invalid("one of " + ", ".join(repr(c) for c in choices))
        return value

    return check


def _matching(pattern: str, allowed: str) -> Callable[[Any], str]:
    regex = re.compile(pattern)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not regex.fullmatch(value):
            raise _Invalid(allowed)
        return value

    return check


def _bytes(value: Any) -> str:
    if not isinstance(value, str) or not parse_bytes(value):
        raise _Invalid(BYTES_ALLOWED + ", greater than zero")
    return value


def _cpu(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not parse_millicores(value):
        raise _Invalid(CPU_ALLOWED + ", greater than zero")
    return value


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def optional(value: Any) -> Any:
        return None if value is None or value == "" else check(value)

    return optional


def _properties(value: Any) -> dict[str, str]:
    allowed = "a map of server.properties keys to string, number or boolean values"
    if not isinstance(value, Mapping):
        raise _Invalid(allowed)
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", key):
            raise _Invalid(allowed + f" (bad key {key!r})")
        if key in MANAGED_KAFKA_PROPERTIES:
            raise _Invalid(f"{allowed}, without keys this program sets itself (got {key!r}; use the dedicated setting)")
        if isinstance(item, bool):
            item = "true" if item else "false"
        if not isinstance(item, (str, int, float)) or "\n" in str(item):
            raise _Invalid(allowed + f" (bad value for {key!r})")
        result[key] = str(item)
    return result


def _cluster_id(value: Any) -> str:
    allowed = "a Kafka cluster id: 22 characters of URL-safe base64 encoding 16 bytes (kafka-storage.sh random-uuid)"
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{22}", value):
        raise _Invalid(allowed)
    return value


DNS_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
DNS_SUBDOMAIN = rf"(?=.{{1,253}}$){DNS_LABEL}(\.{DNS_LABEL})*"
VERSION = r"\d+\.\d+\.\d+"
IMAGE = r"[a-z0-9][a-z0-9._/:@-]*[A-Za-z0-9_.-]"

# --- the schema: object name -> key -> (default, check) -----------------------------------------

_RESOURCES_JVM = {
    "cpuRequest": _cpu,
    "cpuLimit": _cpu,
    "memory": _bytes,
}

SCHEMA: dict[str, dict[str, tuple[Any, Callable[[Any], Any]]]] = {
    "kafka": {
        "replicas": (3, _integer(1, 9)),
        "storageSize": ("10Gi", _bytes),
        "storageClass": (None, _optional(_matching(DNS_SUBDOMAIN, "a StorageClass name (DNS subdomain), or empty for the cluster default"))),
        "version": (DEFAULT_KAFKA_VERSION, _matching(VERSION, "a Kafka release such as 3.9.1")),
        "image": (None, _optional(_matching(IMAGE, "a container image reference such as docker.io/apache/kafka:3.9.1"))),
        "cpuRequest": ("500m", _cpu),
        "cpuLimit": ("2", _cpu),
        "memory": ("2Gi", _bytes),
        "heapSize": (None, _optional(_bytes)),
        "defaultReplicationFactor": (None, _optional(_integer(1))),
        "minInsyncReplicas": (None, _optional(_integer(1))),
        "autoCreateTopics": (False, _boolean),
        "clusterId": (None, _optional(_cluster_id)),
        "config": ({}, _properties),
    },
    "zookeeper": {
        "replicas": (3, _integer(1, MAX_QUORUM)),
        "storageSize": ("5Gi", _bytes),
        "storageClass": (None, _optional(_matching(DNS_SUBDOMAIN, "a StorageClass name (DNS subdomain), or empty for the cluster default"))),
        "image": (DEFAULT_ZOOKEEPER_IMAGE, _matching(IMAGE, "a container image reference such as docker.io/library/zookeeper:3.9.4")),
        "cpuRequest": ("250m", _cpu),
        "cpuLimit": ("1", _cpu),
        "memory": ("1Gi", _bytes),
        "heapSize": (None, _optional(_bytes)),
    },
    "topic": {
        "name": ("events", _matching(r"(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}", "a Kafka topic name: 1-249 of A-Z a-z 0-9 . _ - (not '.' or '..')")),
        "partitions": (3, _integer(1, 10000)),
        "replicationFactor": (None, _optional(_integer(1))),
        "minInsyncReplicas": (None, _optional(_integer(1))),
    },
    "producer": {
        "enabled": (True, _boolean),
        "intervalSeconds": (5, _positive_number(3600)),
        "acks": ("all", _one_of("all", "1", "0")),
        "idempotence": (True, _boolean),
        "keyCount": (0, _integer(0, 100000)),
        "cpuRequest": ("100m", _cpu),
        "cpuLimit": ("500m", _cpu),
        "memory": ("384Mi", _bytes),
    },
    "consumer": {
        "enabled": (True, _boolean),
        "replicas": (1, _integer(1, 100)),
        "groupId": ("events-consumer", _matching(r"[A-Za-z0-9._-]{1,249}", "a consumer group id: 1-249 of A-Z a-z 0-9 . _ -")),
        "fromBeginning": (False, _boolean),
        "cpuRequest": ("100m", _cpu),
        "cpuLimit": ("500m", _cpu),
        "memory": ("384Mi", _bytes),
    },
}

TOP_LEVEL: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "namespace": ("kafka-demo", _matching(DNS_LABEL, "a namespace name: a DNS label of at most 63 lowercase letters, digits and '-'")),
    "mode": ("kraft", _one_of("kraft", "zookeeper")),
    "clusterDomain": ("cluster.local", _matching(DNS_SUBDOMAIN, "the cluster's DNS domain, such as cluster.local")),
    "kubeContext": (None, _optional(_matching(r"\S+", "a context name from your kubeconfig, or empty for the current context"))),
    "pvcRetention": ("Retain", _one_of("Retain", "Delete")),
}

CONFIG_KEYS = tuple(TOP_LEVEL) + tuple(SCHEMA)


# --- typed settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class JvmResources:
    cpu_request: str
    cpu_limit: str
    memory: str
    heap_mib: int  # -Xmx/-Xms, about a third of the memory limit unless set


@dataclass(frozen=True)
class KafkaSettings:
    replicas: int
    storage_size: str
    storage_class: str | None
    version: str
    image: str
    resources: JvmResources
    default_replication_factor: int
    min_insync_replicas: int
    offsets_topic_replication_factor: int
    transaction_state_log_min_isr: int
    auto_create_topics: bool
    cluster_id: str
    extra_config: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ZookeeperSettings:
    replicas: int
    storage_size: str
    storage_class: str | None
    image: str
    resources: JvmResources


@dataclass(frozen=True)
class TopicSettings:
    name: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int


@dataclass(frozen=True)
class ProducerSettings:
    enabled: bool
    interval_seconds: float
    acks: str
    idempotence: bool
    key_count: int
    resources: JvmResources


@dataclass(frozen=True)
class ConsumerSettings:
    enabled: bool
    replicas: int
    group_id: str
    from_beginning: bool
    resources: JvmResources


@dataclass(frozen=True)
class Settings:
    stack: str
    namespace: str
    mode: str  # "kraft" or "zookeeper"
    cluster_domain: str
    kube_context: str | None
    pvc_retention: str  # "Retain" or "Delete"
    kafka: KafkaSettings
    zookeeper: ZookeeperSettings | None  # None in KRaft mode
    topic: TopicSettings
    producer: ProducerSettings
    consumer: ConsumerSettings

    @property
    def kraft(self) -> bool:
        return self.mode == "kraft"


# --- loading ---------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f'"{value}"'


def _check_object(name: str, raw: Any, problems: list[str]) -> dict[str, Any]:
    schema = SCHEMA[name]
    values = {key: default for key, (default, _) in schema.items()}
    if raw is None:
        return values
    if not isinstance(raw, Mapping):
        problems.append(f"{PROJECT}:{name} = {_show(raw)}: must be an object with keys {', '.join(schema)}")
        return values
    for key, value in raw.items():
        if key not in schema:
            problems.append(f"{PROJECT}:{name}.{key} is not a known key; allowed keys of {name}: {', '.join(schema)}")
            continue
        try:
            values[key] = schema[key][1](value)
        except _Invalid as allowed:
            problems.append(f"{PROJECT}:{name}.{key} = {_show(value)}: must be {allowed}")
    return values


def _version_tuple(version: str) -> tuple[int, int]:
    major, minor, _ = (int(part) for part in version.split("."))
    return major, minor


MIN_JVM_MEMORY_MIB = 256


def _heap_mib(values: dict[str, Any], name: str, problems: list[str]) -> int:
    memory_mib = parse_bytes(values["memory"]) // 2**20
    if memory_mib < MIN_JVM_MEMORY_MIB:
        problems.append(
            f"{PROJECT}:{name}.memory = {_show(values['memory'])}: must be at least {MIN_JVM_MEMORY_MIB}Mi; "
            f"every pod here runs a JVM"
        )
    if values.get("heapSize"):  # only kafka and zookeeper have this key
        heap = parse_bytes(values["heapSize"]) // 2**20
        if not 0 < heap < memory_mib:
            problems.append(
                f"{PROJECT}:{name}.heapSize = {_show(values['heapSize'])}: must be at least 1Mi and below "
                f"{name}.memory ({values['memory']}); the rest of the memory is page cache and JVM overhead"
            )
        return heap
    # The seed's guidance: a third of the memory for the heap, the rest for the OS page cache.
    return memory_mib // 3


def _resources(values: dict[str, Any], name: str, problems: list[str]) -> JvmResources:
    if parse_millicores(values["cpuRequest"]) and parse_millicores(values["cpuLimit"]) and (
        parse_millicores(values["cpuRequest"]) > parse_millicores(values["cpuLimit"])
    ):
        problems.append(
            f"{PROJECT}:{name}.cpuRequest = {_show(values['cpuRequest'])}: must not exceed {name}.cpuLimit ({values['cpuLimit']})"
        )
    return JvmResources(values["cpuRequest"], values["cpuLimit"], values["memory"], _heap_mib(values, name, problems))


def derive_cluster_id(stack: str) -> str:
    """A KRaft cluster id fixed by the project and stack name.

    Deterministic, so it never changes on a later `pulumi up` and is the same after a destroy that kept
    the volumes: retained disks formatted with it are accepted again. Set `kafka.clusterId` to pin another.
    """
    raw = uuid.uuid5(uuid.NAMESPACE_URL, f"pulumi://{PROJECT}/{stack}/kafka").bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def load_settings(raw: Mapping[str, Any], stack: str) -> Settings:
    """Validate raw stack config (keys without the project prefix) and build `Settings`."""
    problems: list[str] = []
    for key in raw:
        if key not in CONFIG_KEYS:
            problems.append(f"{PROJECT}:{key} is not a known config key; allowed keys: {', '.join(CONFIG_KEYS)}")

    top: dict[str, Any] = {}
    for key, (default, check) in TOP_LEVEL.items():
        value = raw.get(key, default)
        try:
            top[key] = check(value) if value is not None else default
        except _Invalid as allowed:
            problems.append(f"{PROJECT}:{key} = {_show(value)}: must be {allowed}")
            top[key] = default
    objects = {name: _check_object(name, raw.get(name), problems) for name in SCHEMA}
    if problems:  # later rules read these values; stop before they trip over bad ones
        raise ConfigError(problems)

    kafka, zk, topic = objects["kafka"], objects["zookeeper"], objects["topic"]
    producer, consumer = objects["producer"], objects["consumer"]
    kraft = top["mode"] == "kraft"
    brokers = kafka["replicas"]
    version = _version_tuple(kafka["version"])

    if not kraft and version > LAST_ZOOKEEPER_KAFKA:
        problems.append(
            f"{PROJECT}:kafka.version = \"{kafka['version']}\": ZooKeeper mode needs Kafka 3.9 or older "
            f"(Kafka 4.0 removed it); use mode: kraft or a 3.x version"
        )
    if kraft and version < FIRST_KRAFT_KAFKA:
        problems.append(f"{PROJECT}:kafka.version = \"{kafka['version']}\": KRaft mode needs Kafka 3.3 or newer")
    if kraft and brokers % 2 == 0:
        problems.append(
            f"{PROJECT}:kafka.replicas = {brokers}: in KRaft mode every broker is also a controller voter, so the "
            f"count must be odd (1, 3, 5, 7, 9); an even quorum survives no more failures than one node fewer"
        )
    if not kraft and zk["replicas"] % 2 == 0:
        problems.append(
            f"{PROJECT}:zookeeper.replicas = {zk['replicas']}: must be odd (1, 3, 5 or 7); an even ensemble "
            f"survives no more failures than one node fewer and needs a larger majority"
        )

    default_rf = kafka["defaultReplicationFactor"] or min(3, brokers)
    if default_rf > brokers:
        problems.append(
            f"{PROJECT}:kafka.defaultReplicationFactor = {default_rf}: must be at most kafka.replicas ({brokers})"
        )
    default_min_isr = kafka["minInsyncReplicas"] or (2 if default_rf >= 3 else 1)
    if default_min_isr > default_rf:
        problems.append(
            f"{PROJECT}:kafka.minInsyncReplicas = {default_min_isr}: must be at most the replication factor ({default_rf}); "
            f"Kafka would silently cap it at the replication factor, so acks=all would not mean what it says"
        )

    topic_rf = topic["replicationFactor"] or min(default_rf, brokers)
    if topic_rf > brokers:
        problems.append(
            f"{PROJECT}:topic.replicationFactor = {topic_rf}: must be at most kafka.replicas ({brokers}); "
            f"Kafka cannot place more replicas than there are brokers"
        )
    topic_min_isr = topic["minInsyncReplicas"] or min(default_min_isr, topic_rf)
    if topic_min_isr > topic_rf:
        problems.append(
            f"{PROJECT}:topic.minInsyncReplicas = {topic_min_isr}: must be at most the topic's replication factor "
            f"({topic_rf}); Kafka would silently cap it at the replication factor, so acks=all writes would be "
            f"acknowledged by fewer replicas than configured"
        )
    if producer["idempotence"] and producer["acks"] != "all":
        problems.append(
            f"{PROJECT}:producer.acks = \"{producer['acks']}\": an idempotent producer needs acks \"all\" "
            f"(Kafka refuses the combination); set producer.idempotence: false to use acks {producer['acks']}"
        )

    resources = {
        "kafka": _resources(kafka, "kafka", problems),
        "zookeeper": _resources(zk, "zookeeper", problems),
        "producer": _resources(producer, "producer", problems),
        "consumer": _resources(consumer, "consumer", problems),
    }
    if problems:
        raise ConfigError(problems)

    return Settings(
        stack=stack,
        namespace=top["namespace"],
        mode=top["mode"],
        cluster_domain=top["clusterDomain"],
        kube_context=top["kubeContext"],
        pvc_retention=top["pvcRetention"],
        kafka=KafkaSettings(
            replicas=brokers,
            storage_size=kafka["storageSize"],
            storage_class=kafka["storageClass"],
            version=kafka["version"],
            image=kafka["image"] or f"{KAFKA_IMAGE_REPOSITORY}:{kafka['version']}",
            resources=resources["kafka"],
            default_replication_factor=default_rf,
            min_insync_replicas=default_min_isr,
            # Internal topics follow the broker count: 3 (min ISR 2) from three brokers, else 1.
            offsets_topic_replication_factor=min(3, brokers),
            transaction_state_log_min_isr=2 if brokers >= 3 else 1,
            auto_create_topics=kafka["autoCreateTopics"],
            cluster_id=kafka["clusterId"] or derive_cluster_id(stack),
            extra_config=kafka["config"],
        ),
        zookeeper=None
        if kraft
        else ZookeeperSettings(
            replicas=zk["replicas"],
            storage_size=zk["storageSize"],
            storage_class=zk["storageClass"],
            image=zk["image"],
            resources=resources["zookeeper"],
        ),
        topic=TopicSettings(topic["name"], topic["partitions"], topic_rf, topic_min_isr),
        producer=ProducerSettings(
            enabled=producer["enabled"],
            interval_seconds=producer["intervalSeconds"],
            acks=producer["acks"],
            idempotence=producer["idempotence"],
            key_count=producer["keyCount"],
            resources=resources["producer"],
        ),
        consumer=ConsumerSettings(
            enabled=consumer["enabled"],
            replicas=consumer["replicas"],
            group_id=consumer["groupId"],
            from_beginning=consumer["fromBeginning"],
            resources=resources["consumer"],
        ),
    )
