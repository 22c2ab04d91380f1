"""What a Kafka cluster is made of, checked: `BrokerSpec` and the rules between its values."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..config.resources import JvmResources, jvm_resources
from ..config.keys import kafka_image
from ..config.schema import Labels
from ..naming import Place

# ZooKeeper mode was removed in Kafka 4.0; combined KRaft nodes are production-ready since 3.3.
LAST_ZOOKEEPER_KAFKA = (3, 9)
FIRST_KRAFT_KAFKA = (3, 3)


@dataclass(frozen=True)
class BrokerSpec:
    place: Place
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
    zookeeper_connect: str | None  # None: KRaft (combined broker+controller nodes)
    config: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # who rendered the files (stack or component), for their header comments

    @property
    def kraft(self) -> bool:
        return self.zookeeper_connect is None

    @property
    def mode(self) -> str:
        return "kraft" if self.kraft else "zookeeper"

    @property
    def bootstrap_servers(self) -> str:
        return self.place.bootstrap_servers(self.replicas)

    @property
    def major_version(self) -> int:
        return int(self.version.split(".")[0])


def derive_cluster_id(project: str, stack: str, name: str = "kafka") -> str:
    """A KRaft cluster id fixed by the project, stack and component name.

    Deterministic, so it never changes on a later `pulumi up` and is the same after a destroy that kept
    the volumes: retained disks formatted with it are accepted again. Set `clusterId` to pin another.
    """
    raw = uuid.uuid5(uuid.NAMESPACE_URL, f"pulumi://{project}/{stack}/{name}").bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _version(version: str) -> tuple[int, int]:
    major, minor, _ = (int(part) for part in version.split("."))
    return major, minor


def broker_spec(
    values: dict[str, Any], labels: Labels, problems: list[str], *, place: Place,
    zookeeper_connect: str | None, default_cluster_id: str, origin: str,
) -> BrokerSpec:
    """The spec from checked key values (by camelCase name); rule violations are appended to `problems`."""
    kraft = zookeeper_connect is None
    brokers = values["replicas"]
    version = _version(values["version"])
    if not kraft and version > LAST_ZOOKEEPER_KAFKA:
        problems.append(
            f"{labels.full('version')} = \"{values['version']}\": ZooKeeper mode needs Kafka 3.9 or older "
            f"(Kafka 4.0 removed it); use mode: kraft or a 3.x version"
        )
    if kraft and version < FIRST_KRAFT_KAFKA:
        problems.append(f"{labels.full('version')} = \"{values['version']}\": KRaft mode needs Kafka 3.3 or newer")
    if kraft and brokers % 2 == 0:
        problems.append(
            f"{labels.full('replicas')} = {brokers}: in KRaft mode every broker is also a controller voter, so the "
            f"count must be odd (1, 3, 5, 7, 9); an even quorum survives no more failures than one node fewer"
        )
    default_rf = values["defaultReplicationFactor"] or min(3, brokers)
    if default_rf > brokers:
        problems.append(
            f"{labels.full('defaultReplicationFactor')} = {default_rf}: must be at most {labels.short('replicas')} ({brokers})"
        )
    min_isr = values["minInsyncReplicas"] or (2 if default_rf >= 3 else 1)
    if min_isr > default_rf:
        problems.append(
            f"{labels.full('minInsyncReplicas')} = {min_isr}: must be at most the replication factor ({default_rf}); "
            f"Kafka would silently cap it at the replication factor, so acks=all would not mean what it says"
        )
    return BrokerSpec(
        place=place,
        replicas=brokers,
        storage_size=values["storageSize"],
        storage_class=values["storageClass"],
        version=values["version"],
        image=values["image"] or kafka_image(values["version"]),
        resources=jvm_resources(values, labels, problems),
        default_replication_factor=default_rf,
        min_insync_replicas=min_isr,
        # Internal topics follow the broker count: 3 (min ISR 2) from three brokers, else 1.
        offsets_topic_replication_factor=min(3, brokers),
        transaction_state_log_min_isr=2 if brokers >= 3 else 1,
        auto_create_topics=values["autoCreateTopics"],
        cluster_id=values["clusterId"] or default_cluster_id,
        zookeeper_connect=zookeeper_connect,
        config=dict(values["config"]),
        origin=origin,
    )

