"""The `topic`, `producer` and `consumer` config objects: the clients' keys, with their checks and docs."""

from __future__ import annotations

from ..config import checks as c
from ..config.keys import ConfigObject
from ..config.resources import resource_keys
from ..config.schema import Key

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
