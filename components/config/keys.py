"""Every configuration key, stated once: name, default, check and documentation.

Pulumi.yaml's `config:` section and docs/configuration.md's reference are generated from these
(`.venv/bin/python -m components.config.reference`; tests/unit/config checks they are current), and the
components check their own args against the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..external.spec import NODE_PORT_RANGE, TYPES, check_host
from ..kafka.image import DEFAULT_KAFKA_VERSION, KAFKA_IMAGE_REPOSITORY, ZOOKEEPER_KAFKA_VERSION
from ..kafka.managed_keys import managed_reason
from ..naming import KAFKA as STACK_KAFKA
from ..security.spec import check_users
from . import checks as c
from .resources import resource_keys
from .schema import Key

DEFAULT_ZOOKEEPER_IMAGE = "docker.io/library/zookeeper:3.9.4"
MAX_BROKERS = 9
MAX_QUORUM = 7  # a larger voter set slows every write and rarely buys anything (docs: 3 or 5)

STORAGE_CLASS = c.optional(c.matching(c.DNS_SUBDOMAIN, "a StorageClass name (DNS subdomain), or empty for the cluster default"))


@dataclass(frozen=True)
class ConfigObject:
    name: str
    summary: str  # Pulumi.yaml description, before the list of keys
    keys: tuple[Key, ...]


NAMESPACE = Key(
    "namespace",
    "kafka-demo",
    c.matching(c.DNS_LABEL, "a namespace name: a DNS label of at most 63 lowercase letters, digits and '-'"),
    "DNS label",
    "Namespace of every object; created by the stack.",
)
# A component's namespace: required, the stack's default means nothing to a library user.
COMPONENT_NAMESPACE = replace(NAMESPACE, default=None, required=True, doc="Namespace of the component's objects (it must exist).")
CLUSTER_DOMAIN = Key(
    "clusterDomain",
    "cluster.local",
    c.matching(c.DNS_SUBDOMAIN, "the cluster's DNS domain, such as cluster.local"),
    "DNS name",
    "Cluster DNS domain used in advertised per-pod names.",
)
# Component args only: what a cluster's objects are named after, so several clusters can share a namespace.
CLUSTER_NAME = Key(
    "clusterName",
    None,
    c.optional(c.matching(c.CLUSTER_NAME, c.CLUSTER_NAME_ALLOWED)),
    "DNS label of at most 40 characters",
    "What the component's Kubernetes objects are named after (its StatefulSet and headless Service, and every "
    "name derived from them); give each cluster in a namespace its own.",
    "`kafka` (KafkaBroker) or `zookeeper` (ZookeeperCluster): the names they had before this key, so an "
    "existing program's objects and volumes keep theirs",
)
KAFKA_CLUSTER = Key(
    "kafkaCluster",
    STACK_KAFKA,
    c.matching(c.CLUSTER_NAME, c.CLUSTER_NAME_ALLOWED),
    "DNS label of at most 40 characters",
    "The cluster name of the KafkaBroker this component serves (its `cluster_name`, else `kafka`): "
    "the names of the brokers' pods, Services and Secrets follow from it.",
)

TOP_LEVEL: tuple[Key, ...] = (
    NAMESPACE,
    Key(
        "mode",
        "kraft",
        c.one_of("kraft", "zookeeper"),
        "`kraft`, `zookeeper`",
        "Metadata mode: kraft (a controller quorum, on the brokers or dedicated: see `controller`) or zookeeper "
        "(Kafka 3.x with a ZooKeeper ensemble). See trade-offs before switching.",
    ),
    CLUSTER_DOMAIN,
    Key(
        "kubeContext",
        None,
        c.optional(c.matching(r"\S+", "a context name from your kubeconfig, or empty for the current context")),
        "kubeconfig context",
        "Context for the stack's one Kubernetes provider; empty means the current context.",
        "current context",
    ),
    Key(
        "pvcRetention",
        "Retain",
        c.one_of("Retain", "Delete"),
        "`Retain`, `Delete`",
        "What `pulumi destroy` does to the data: `Retain` keeps the namespace with the data volumes (PVCs) in it, "
        "`Delete` deletes the namespace and everything in it. No other change ever deletes a PVC (see trade-offs).",
    ),
)

KAFKA = ConfigObject(
    "kafka",
    "Brokers",
    (
        Key(
            "replicas",
            3,
            c.integer(1, MAX_BROKERS),
            "1-9; odd for combined KRaft nodes",
            "Brokers. With combined KRaft nodes (`controller.replicas: 0`) every broker is a controller voter, so the "
            "count must be odd; with dedicated controllers any count. A change moves partition replicas off removed "
            "brokers before they stop, and onto new ones (see trade-offs).",
        ),
        Key("storageSize", "10Gi", c.byte_quantity, "quantity > 0", "PVC size per broker."),
        Key("storageClass", None, STORAGE_CLASS, "StorageClass name", "PVC storage class.", "cluster default"),
        Key(
            "version",
            None,
            c.optional(c.matching(c.VERSION, "a Kafka release such as 4.4.0")),
            "`X.Y.Z`; ≤ 3.9 in ZooKeeper mode, ≥ 3.3 in KRaft, ≥ 4.2 with dedicated controllers",
            "Kafka release; picks the default image, the logging format and the quorum kind (dynamic from 4.2, static before). "
            "Pin it in long-lived stacks: a new default is not an upgrade path (see trade-offs).",
            f"{DEFAULT_KAFKA_VERSION} (KRaft), {ZOOKEEPER_KAFKA_VERSION} (ZooKeeper)",
        ),
        Key(
            "image",
            None,
            c.optional(c.matching(c.IMAGE, "a container image reference such as docker.io/apache/kafka:4.4.0")),
            "image reference",
            "Image for brokers, controllers, topic job, producer and consumer.",
            f"`{KAFKA_IMAGE_REPOSITORY}:<version>`",
        ),
        *resource_keys("500m", "2", "2Gi", "Broker", heap=True),
        Key(
            "defaultReplicationFactor",
            None,
            c.optional(c.integer(1)),
            "1..replicas",
            "`default.replication.factor`.",
            "min(3, replicas)",
        ),
        Key(
            "minInsyncReplicas",
            None,
            c.optional(c.integer(1)),
            "1..RF",
            "`min.insync.replicas`. Internal topics follow the broker count (RF 3/min ISR 2 from three brokers).",
            "2 if RF ≥ 3, else 1",
        ),
        Key("autoCreateTopics", False, c.boolean, "boolean", "`auto.create.topics.enable`."),
        Key(
            "clusterId",
            None,
            c.optional(
                c.matching(
                    c.CLUSTER_ID,
                    "a Kafka cluster id: 22 characters of URL-safe base64 encoding 16 bytes (kafka-storage.sh random-uuid)",
                )
            ),
            "22-char base64url id",
            "KRaft cluster id, fixed for the stack's life (same after destroy/up, so retained disks are accepted).",
            "derived from project + stack",
        ),
        Key(
            "config",
            {},
            c.string_map(
                "a map of server.properties keys to string, number or boolean values", r"[a-z0-9][a-z0-9._-]*", managed_reason
            ),
            "map of property → value",
            "Extra `server.properties` entries; keys and prefixes the program manages (listeners, listener.name.*, "
            "controller.*, ids, log and metadata dirs, replication, process roles) are refused.",
        ),
    ),
)

# Dedicated controllers: 3 or 5 (a majority survives one or two failures). One dedicated controller is
# refused: it has no failover, and a later 3 -> 1 would stop two of three voters at once.
CONTROLLER_COUNTS = (0, 3, 5)
CONTROLLER = ConfigObject(
    "controller",
    "KRaft controllers (kraft mode only)",
    (
        Key(
            "replicas",
            0,
            c.integer_in(*CONTROLLER_COUNTS),
            "`0`, `3`, `5`",
            "0: combined nodes (every broker is also a controller; small and development clusters). 3 or 5: dedicated "
            "controllers in their own StatefulSet `kafka-controller`, brokers only in `kafka` (production). 3 <-> 5 "
            "scales the quorum with `pulumi up`; 0 <-> 3/5 is a new cluster on new volumes (see trade-offs).",
        ),
        Key("storageSize", "5Gi", c.byte_quantity, "quantity > 0", "PVC size per controller (the metadata log)."),
        Key("storageClass", None, STORAGE_CLASS, "StorageClass name", "PVC storage class.", "cluster default"),
        *resource_keys("250m", "1", "1Gi", "Controller", heap=True),
        Key(
            "config",
            {},
            c.string_map(
                "a map of controller properties keys to string, number or boolean values", r"[a-z0-9][a-z0-9._-]*", managed_reason
            ),
            "map of property → value",
            "Extra properties for dedicated controllers; the same managed keys as `kafka.config` are refused.",
        ),
    ),
)

ZOOKEEPER = ConfigObject(
    "zookeeper",
    "ZooKeeper ensemble (zookeeper mode only)",
    (
        Key(
            "replicas",
            3,
            c.integer(1, MAX_QUORUM),
            "odd: 1, 3, 5, 7",
            "Ensemble size (ZooKeeper mode). Even sizes tolerate no more failures than one fewer; >7 slows writes.",
        ),
        Key("storageSize", "5Gi", c.byte_quantity, "quantity > 0", "PVC size per ZooKeeper node."),
        Key("storageClass", None, STORAGE_CLASS, "StorageClass name", "PVC storage class.", "cluster default"),
        Key(
            "image",
            DEFAULT_ZOOKEEPER_IMAGE,
            c.matching(c.IMAGE, "a container image reference such as docker.io/library/zookeeper:3.9.4"),
            "image reference",
            "ZooKeeper image.",
        ),
        *resource_keys("250m", "1", "1Gi", "ZooKeeper", heap=True),
    ),
)

TOPIC = ConfigObject(
    "topic",
    "The topic the producer writes",
    (
        Key("name", "events", c.topic_name, "Kafka topic name", "The topic the producer writes and the consumer reads."),
        Key(
            "partitions",
            3,
            c.integer(1, 10000),
            "1-10000",
            "Partitions; can grow on a later `up`, never shrink (the job fails with a clear message).",
        ),
        Key(
            "replicationFactor",
            None,
            c.optional(c.integer(1)),
            "1..kafka.replicas",
            "Topic replication; changing it later needs a reassignment (the job refuses).",
            "kafka default RF",
        ),
        Key(
            "minInsyncReplicas",
            None,
            c.optional(c.integer(1)),
            "1..RF",
            "Topic `min.insync.replicas`.",
            "kafka min ISR, capped at RF",
        ),
    ),
)

PRODUCER = ConfigObject(
    "producer",
    "The producer Deployment",
    (
        Key("enabled", True, c.boolean, "boolean", "Deploy the producer."),
        Key("intervalSeconds", 5, c.positive_number(3600), "number > 0, ≤ 3600", "Seconds between events."),
        Key(
            "acks",
            "all",
            c.one_of("all", "1", "0"),
            "`all`, `1`, `0`",
            "Producer acks. Anything but `all` needs `idempotence: false`.",
        ),
        Key("idempotence", True, c.boolean, "boolean", "`enable.idempotence`."),
        Key(
            "keyCount",
            0,
            c.integer(0, 100000),
            "0-100000",
            "0: no keys (round-robin, as in the seed). N: keys `order-1..order-N`, so one order's events share a partition, in order.",
        ),
        *resource_keys("100m", "500m", "384Mi", "Producer (and topic job)"),
    ),
)

CONSUMER = ConfigObject(
    "consumer",
    "The consumer Deployment",
    (
        Key("enabled", True, c.boolean, "boolean", "Deploy the consumer."),
        Key("replicas", 1, c.integer(1, 100), "1-100", "Consumers in the group (useful up to the partition count)."),
        Key(
            "groupId",
            "events-consumer",
            c.matching(r"[A-Za-z0-9._-]{1,249}", "a consumer group id: 1-249 of A-Z a-z 0-9 . _ -"),
            "group id",
            "Consumer group; offsets are committed, a restart resumes after the last commit.",
        ),
        Key(
            "fromBeginning",
            False,
            c.boolean,
            "boolean",
            "`true` reproduces the seed: no group, re-read the whole topic on every start.",
        ),
        *resource_keys("100m", "500m", "384Mi", "Consumer"),
    ),
)

TLS = Key(
    "tls",
    False,
    c.boolean,
    "boolean",
    "TLS on every listener: clients (9092), broker to broker (9091, mutual TLS) and controllers (9093, mutual TLS), "
    "with certificates the program generates and keeps in state (see Security). KRaft mode only.",
)
SCRAM = Key(
    "scram",
    False,
    c.boolean,
    "boolean",
    "SASL/SCRAM-SHA-512 on the client listener and Kafka's StandardAuthorizer: every client needs a user, and "
    "may do only what its ACLs allow. The producer and consumer get users of their own. Needs `tls`.",
)
SECURITY = ConfigObject(
    "security",
    "TLS, SCRAM users and ACLs (kraft mode only)",
    (
        TLS,
        SCRAM,
        Key(
            "users",
            {},
            check_users,
            "map of user → {produce, consume, groups}",
            "Further SCRAM users (besides `producer` and `consumer`): `name: {produce: [topic], consume: [topic], groups: "
            "[group]}`; each gets a generated password in Secret `kafka-user-<name>` with a ready client config. Topics must be "
            "the stack's topic. Needs `scram`.",
        ),
        Key(
            "certificateValidityDays",
            365,
            c.integer(7, 825),
            "7-825",
            "Lifetime of the brokers', controllers' and admin certificates (the CA: 10 years).",
        ),
        Key(
            "renewBeforeDays",
            30,
            c.integer(1, 824),
            "1-824, < validity",
            "A `pulumi up` this close to expiry issues new certificates from the same CA and rolls the pods one at a time.",
        ),
    ),
)

EXTERNAL = ConfigObject(
    "external",
    "Access from outside the cluster (needs security.tls and security.scram)",
    (
        Key(
            "type",
            "none",
            c.one_of(*TYPES),
            "`none`, `NodePort`, `LoadBalancer`",
            "An EXTERNAL listener (port 9094, SASL_SSL with the SCRAM users) on every broker, each behind a Service of its "
            "own `kafka-<i>-external` of this type; `none`: reachable inside the cluster only.",
        ),
        Key(
            "host",
            None,
            c.optional(check_host),
            "IP address or DNS name",
            "NodePort: the address clients outside reach the nodes at (a node's IP, or a DNS name resolving to the nodes); "
            "broker i advertises `host:nodePortBase+i`, and the brokers' certificate names it. Required for NodePort.",
        ),
        Key(
            "nodePortBase",
            31090,
            c.integer(*NODE_PORT_RANGE),
            f"{NODE_PORT_RANGE[0]}-{NODE_PORT_RANGE[1]}",
            "NodePort: broker i's node port is nodePortBase + i (stable, so clients' configs stay valid).",
        ),
        Key(
            "annotations",
            {},
            c.string_map(
                "a map of annotation names to values",
                r"([a-z0-9.-]+/)?[A-Za-z0-9._-]+",
                lambda key: "set by the program" if key.startswith("pulumi.com/") else None,
            ),
            "map of annotation → value",
            "Extra annotations on the external Services, e.g. a cloud's load balancer settings (internal, type, source ranges).",
        ),
    ),
)

OBJECTS: dict[str, ConfigObject] = {
    o.name: o for o in (KAFKA, CONTROLLER, ZOOKEEPER, TOPIC, PRODUCER, CONSUMER, SECURITY, EXTERNAL)
}
CONFIG_KEYS = tuple(k.name for k in TOP_LEVEL) + tuple(OBJECTS)
