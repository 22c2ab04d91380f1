"""The Kafka image and where things are inside a Kafka pod: which image a release runs, where the image
keeps Kafka, and where the pod mounts its data, configuration and certificates.

A leaf: it imports nothing from the package, so config's keys (the version and image defaults), the
renderers and every role's manifests can all use it without any of them reaching into another.
"""

from __future__ import annotations

DEFAULT_KAFKA_VERSION = "4.4.0"  # KRaft stacks
ZOOKEEPER_KAFKA_VERSION = "3.9.1"  # ZooKeeper mode ends with Kafka 3.9: its newest release
KAFKA_IMAGE_REPOSITORY = "docker.io/apache/kafka"

KAFKA_HOME = "/opt/kafka"  # where the apache/kafka image keeps Kafka
DATA_MOUNT = "/var/lib/kafka/data"  # the PVC; the image declares this path as its data volume
CONFIG_MOUNT = "/etc/kafka-demo"  # the ConfigMap with server.properties, logging and the scripts
RUNTIME_CONFIG = "/tmp/server.properties"  # this pod's filled-in copy (/tmp is an emptyDir)
TLS_MOUNT = "/etc/kafka-tls"  # Secret <cluster>-tls (kafka-tls): ca.crt and node.pem (this node's key and certificate chain)
NODE_CLIENT_CONFIG = f"{CONFIG_MOUNT}/node-client.properties"  # the node's own tools (preStop, start script)


def default_kafka_version(kraft: bool) -> str:
    return DEFAULT_KAFKA_VERSION if kraft else ZOOKEEPER_KAFKA_VERSION


def kafka_image(version: str) -> str:
    return f"{KAFKA_IMAGE_REPOSITORY}:{version}"
