"""The `zookeeper` config object: the ensemble's keys, with their checks and docs."""

from __future__ import annotations

from ..config import checks as c
from ..config.keys import STORAGE_CLASS, ConfigObject
from ..config.resources import resource_keys
from ..config.schema import Key

DEFAULT_ZOOKEEPER_IMAGE = "docker.io/library/zookeeper:3.9.4"
MAX_QUORUM = 7  # a larger voter set slows every write and rarely buys anything (docs: 3 or 5)

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
