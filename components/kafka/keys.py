"""The `kafka` and `controller` config objects: the brokers' and the dedicated controllers' keys, with their
checks and docs (KafkaBroker's args are the same keys in snake_case)."""

from __future__ import annotations

from ..config import checks as c
from ..config.keys import STORAGE_CLASS, ConfigObject
from ..config.resources import resource_keys
from ..config.schema import Key
from .image import DEFAULT_KAFKA_VERSION, KAFKA_IMAGE_REPOSITORY, ZOOKEEPER_KAFKA_VERSION
from .managed_keys import managed_reason

MAX_BROKERS = 9

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
