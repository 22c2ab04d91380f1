"""What a Kafka cluster is made of, checked: `BrokerSpec` and the rules between its values."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from ..config.resources import JvmResources, jvm_resources
from ..config.schema import Labels
from ..naming import CONTROLLER_NODE_ID_OFFSET, CONTROLLER_PORT, INTERNAL_PORT, Place, controllers
from ..security.spec import listener_problems
from .image import default_kafka_version, kafka_image

# ZooKeeper mode was removed in Kafka 4.0; combined KRaft nodes are production-ready since 3.3.
LAST_ZOOKEEPER_KAFKA = (3, 9)
FIRST_KRAFT_KAFKA = (3, 3)
# A dynamic quorum (KIP-853) whose new controllers join by themselves: controller.quorum.auto.join.enable
# arrived in 4.2. Older KRaft releases get the static voter list they always had.
FIRST_DYNAMIC_QUORUM_KAFKA = (4, 2)


# What a node is: a broker (either mode), a combined KRaft node (broker and controller), or a dedicated
# controller; NODE_ROLE in its params.env (kafka/manifests.py), so start-kafka.sh need not read the config.
NodeRole = Literal["broker", "combined", "controller"]


@dataclass(frozen=True)
class NodePool:
    """One StatefulSet of Kafka nodes that share a role (as Strimzi's KafkaNodePool): the brokers (combined
    KRaft nodes included), or the dedicated controllers. The manifests and start parameters of a pool are
    written from this, whatever its role; `BrokerSpec.pools` lists a cluster's pools."""

    role: NodeRole
    name: str  # the StatefulSet, its headless Service, its ConfigMap's prefix and its pods' name prefix
    replicas: int
    storage_size: str
    storage_class: str | None
    resources: JvmResources
    first_node_id: int  # the node id of the pod with ordinal 0 (pod ordinal + this: the node.id)
    # What the pool's volumes hold: start-kafka.sh refuses a volume written for another, and the claim
    # template is named after it, so a mode or topology switch gets new disks, never another role's.
    data_role: str

    @property
    def claim_name(self) -> str:
        return "data-zkmode" if self.data_role == "zookeeper" else f"data-{self.data_role}"

    @property
    def config_map_name(self) -> str:
        """`<name>-config`: each pool its own, so a change of one pool's configuration rolls only that pool."""
        return f"{self.name}-config"


@dataclass(frozen=True)
class ControllerSpec:
    """Dedicated KRaft controllers: their own StatefulSet, volumes and resources."""

    replicas: int
    storage_size: str
    storage_class: str | None
    resources: JvmResources
    config: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BrokerSpec:
    name: str  # the cluster name: the brokers' StatefulSet and headless Service, and every name derived from it
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
    zookeeper_connect: str | None  # None: KRaft
    config: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # who rendered the files (stack or component), for their header comments
    controllers: ControllerSpec | None = None  # KRaft with dedicated controllers; None: combined nodes (or ZooKeeper)
    tls: bool = False  # TLS listeners (components/security/spec.py describes the listener model)
    scram: bool = False  # SCRAM on the client listener, and the authorizer
    external: bool = False  # an EXTERNAL listener for clients outside the cluster (components/external)

    @property
    def client_protocol(self) -> str:
        return "SASL_SSL" if self.scram else "SSL" if self.tls else "PLAINTEXT"

    @property
    def admin_bootstrap_servers(self) -> str:
        """Where the cluster's own jobs connect: the INTERNAL (mutual TLS) listener with TLS on, else the client one."""
        if not self.tls:
            return self.bootstrap_servers
        return self.place.bootstrap_servers(self.name, self.replicas, INTERNAL_PORT)

    @property
    def kraft(self) -> bool:
        return self.zookeeper_connect is None

    @property
    def mode(self) -> str:
        return "kraft" if self.kraft else "zookeeper"

    @property
    def topology(self) -> str:
        """zookeeper, combined (brokers are the controllers) or dedicated (a controller StatefulSet)."""
        if not self.kraft:
            return "zookeeper"
        return "dedicated" if self.controllers else "combined"

    @property
    def dynamic_quorum(self) -> bool:
        return self.kraft and _version(self.version) >= FIRST_DYNAMIC_QUORUM_KAFKA

    @property
    def controller_statefulset(self) -> str:
        """The StatefulSet whose pods are the controller quorum (KRaft only): the dedicated controllers' pool,
        else the combined nodes'."""
        return (self.controller_pool or self.broker_pool).name

    @property
    def controller_count(self) -> int:
        return self.controllers.replicas if self.controllers else self.replicas

    def controller_node_id(self, ordinal: int) -> int:
        return ordinal + (CONTROLLER_NODE_ID_OFFSET if self.controllers else 0)

    @property
    def controller_endpoints(self) -> list[tuple[int, str]]:
        """(node id, host:port) of every controller's CONTROLLER listener."""
        return [
            (self.controller_node_id(i), f"{self.place.pod_fqdn(self.controller_statefulset, i)}:{CONTROLLER_PORT}")
            for i in range(self.controller_count)
        ]

    @property
    def seed_endpoints(self) -> list[tuple[int, str]]:
        """The first three controllers (fewer if there are fewer): where nodes ask for the quorum, and the
        voters a new dynamic quorum starts with; the others join it. Fixed while the count moves between
        3 and 5, so scaling the quorum changes no node's configuration and rolls no pod."""
        return self.controller_endpoints[:3]

    @property
    def broker_addresses(self) -> list[str]:
        """The stable per-pod DNS name of every broker."""
        return self.place.broker_addresses(self.name, self.replicas)

    @property
    def bootstrap_servers(self) -> str:
        return self.place.bootstrap_servers(self.name, self.replicas)

    @property
    def major_version(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def broker_pool(self) -> NodePool:
        """The brokers' StatefulSet `<name>`: brokers, or combined KRaft nodes (brokers and controllers)."""
        data_role = {"zookeeper": "zookeeper", "combined": "kraft", "dedicated": "kraft-broker"}[self.topology]
        role: NodeRole = "combined" if self.topology == "combined" else "broker"
        return NodePool(role, self.name, self.replicas, self.storage_size, self.storage_class, self.resources, 0, data_role)

    @property
    def controller_pool(self) -> NodePool | None:
        """The dedicated controllers' StatefulSet `<name>-controller`; None with combined nodes or ZooKeeper."""
        if self.controllers is None:
            return None
        return NodePool(
            "controller",
            controllers(self.name),
            self.controllers.replicas,
            self.controllers.storage_size,
            self.controllers.storage_class,
            self.controllers.resources,
            self.controller_node_id(0),
            "kraft-controller",
        )

    @property
    def pools(self) -> tuple[NodePool, ...]:
        """Every StatefulSet of the cluster, the dedicated controllers' first (the brokers' waits for theirs)."""
        return (self.controller_pool, self.broker_pool) if self.controller_pool else (self.broker_pool,)


def derive_cluster_id(project: str, stack: str, name: str = "kafka") -> str:
    """A KRaft cluster id fixed by the project, stack and component name.

    Deterministic, so it never changes on a later `pulumi up` and is the same after a destroy that kept
    the volumes: retained disks formatted with it are accepted again. Set `clusterId` to pin another.
    """
    raw = uuid.uuid5(uuid.NAMESPACE_URL, f"pulumi://{project}/{stack}/{name}").bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def controller_directory_id(cluster_id: str, node_id: int) -> str:
    """The metadata log directory id of an initial controller, fixed by the cluster id and node id.

    A dynamic quorum is formatted with `--initial-controllers id@host:port:directory-id,...`; deriving the
    ids (instead of the random ones `--standalone` picks) lets every initial controller format itself,
    in parallel, with the same voter set. Kafka refuses reserved ids (all-zero high bits) and the storage
    tool would read a leading '-' as an option: such a hash is hashed again.
    """
    seed = f"kafka-demo://{cluster_id}/controller/{node_id}/metadata-dir"
    while True:
        raw = uuid.uuid5(uuid.NAMESPACE_URL, seed).bytes
        encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if int.from_bytes(raw[:8], "big") != 0 and not encoded.startswith("-"):
            return encoded
        seed = encoded


def _version(version: str) -> tuple[int, int]:
    major, minor, _ = (int(part) for part in version.split("."))
    return major, minor


def broker_spec(
    values: dict[str, Any],
    labels: Labels,
    problems: list[str],
    *,
    name: str,
    place: Place,
    zookeeper_connect: str | None,
    default_cluster_id: str,
    origin: str,
    controller_values: dict[str, Any] | None = None,
    controller_labels: Labels | None = None,
    tls: bool = False,
    scram: bool = False,
    security_labels: Labels | None = None,
    external: bool = False,
) -> BrokerSpec:
    """The spec from checked key values (by camelCase name); rule violations are appended to `problems`.

    `name` is the cluster name every object of the cluster is named after. `controller_values` are the `controller` object's values (`replicas` 0: combined nodes). With
    `security_labels` the rules between `tls`, `scram` and the mode are checked here (component args);
    the stack config checks them with the rest of its `security` object."""
    kraft = zookeeper_connect is None
    brokers = values["replicas"]
    version_text = values["version"] or default_kafka_version(kraft)
    version = _version(version_text)
    dedicated = bool(controller_values and controller_values["replicas"])
    if not kraft and version > LAST_ZOOKEEPER_KAFKA:
        problems.append(
            f'{labels.full("version")} = "{version_text}": ZooKeeper mode needs Kafka 3.9 or older '
            f"(Kafka 4.0 removed it); use mode: kraft or a 3.x version"
        )
    if kraft and version < FIRST_KRAFT_KAFKA:
        problems.append(f'{labels.full("version")} = "{version_text}": KRaft mode needs Kafka 3.3 or newer')
    controllers = None
    if dedicated:
        assert controller_values is not None and controller_labels is not None
        count = controller_values["replicas"]
        if not kraft:
            problems.append(
                f"{controller_labels.full('replicas')} = {count}: dedicated controllers are a KRaft topology; "
                f"ZooKeeper mode keeps its metadata in the ensemble (set it to 0, or use mode: kraft)"
            )
        elif version < FIRST_DYNAMIC_QUORUM_KAFKA:
            problems.append(
                f"{controller_labels.full('replicas')} = {count}: dedicated controllers need Kafka 4.2 or newer "
                f"(they join and leave a dynamic quorum by themselves); {labels.short('version')} is {version_text}"
            )
        controllers = ControllerSpec(
            replicas=count,
            storage_size=controller_values["storageSize"],
            storage_class=controller_values["storageClass"],
            resources=jvm_resources(controller_values, controller_labels, problems),
            config=dict(controller_values["config"]),
        )
    elif controller_values is not None and controller_labels is not None:
        jvm_resources(controller_values, controller_labels, problems)  # unused, still checked
    if kraft and not dedicated and brokers % 2 == 0:
        problems.append(
            f"{labels.full('replicas')} = {brokers}: with combined KRaft nodes every broker is also a controller voter, "
            f"so the count must be odd (1, 3, 5, 7, 9); an even quorum survives no more failures than one node fewer. "
            f"Dedicated controllers (controller.replicas: 3) allow any broker count"
        )
    if security_labels is not None:
        listener_problems(tls, scram, kraft, security_labels.full, problems)
        if external and not (tls and scram):
            problems.append(
                f"{security_labels.full('external')} = true needs {security_labels.full('tls')} and "
                f"{security_labels.full('scram')}: a listener outside the cluster must encrypt and tell clients apart"
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
        name=name,
        place=place,
        replicas=brokers,
        storage_size=values["storageSize"],
        storage_class=values["storageClass"],
        version=version_text,
        image=values["image"] or kafka_image(version_text),
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
        controllers=controllers,
        tls=tls,
        scram=scram,
        external=external,
    )
