"""Names and addresses every part of the platform agrees on: object names, ports, labels, per-pod DNS."""

from __future__ import annotations

from dataclasses import dataclass

KAFKA = "kafka"  # StatefulSet and headless Service, as in the seed
KAFKA_CONTROLLER = "kafka-controller"  # dedicated KRaft controllers
ZOOKEEPER = "zookeeper"
PRODUCER = "producer"
CONSUMER = "consumer"
TOPIC = "topic"

KAFKA_PORT = 9092
CONTROLLER_PORT = 9093
INTERNAL_PORT = 9091  # with TLS on: broker to broker and the admin jobs, mutual TLS
EXTERNAL_PORT = 9094  # with external access on: clients outside the cluster (SASL_SSL), one Service per broker
# Node ids are one namespace for brokers and controllers: brokers keep their ordinal (kafka-2 is node 2),
# dedicated controllers count from here (kafka-controller-1 is node 101).
CONTROLLER_NODE_ID_OFFSET = 100
ZK_CLIENT_PORT = 2181
ZK_PEER_PORT = 2888
ZK_ELECTION_PORT = 3888

# Secrets of a cluster with TLS on (components/security): the nodes' certificate, the admin jobs' client
# settings, and one per SCRAM user (or one for every client with TLS alone). A client mounts its Secret at
# CLIENT_MOUNT and passes client.properties from there to the Kafka tools.
TLS_SECRET = "kafka-tls"
ADMIN_SECRET = "kafka-admin"
CLIENT_TLS_SECRET = "kafka-client-tls"
USERS = "kafka-users"  # the Job that sets SCRAM users and ACLs, and its ConfigMap
CLIENT_MOUNT = "/etc/kafka-client"
CLIENT_CONFIG_FILE = "client.properties"


def user_secret(user: str) -> str:
    return f"kafka-user-{user}"


def external_service(ordinal: int) -> str:
    """The Service in front of broker `ordinal`'s EXTERNAL listener."""
    return f"{KAFKA}-{ordinal}-external"


PART_OF = "kafka-demo"
DEFAULT_CLUSTER_DOMAIN = "cluster.local"


def labels(app: str) -> dict[str, str]:
    """Selector labels: `app` as in the seed, plus the recommended name/part-of labels."""
    return {"app": app, "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": PART_OF}


@dataclass(frozen=True)
class Place:
    """Where a workload lives: its namespace and the cluster's DNS domain."""

    namespace: str
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN

    def fqdn_suffix(self, statefulset: str) -> str:
        """What follows the pod name in every pod FQDN of a StatefulSet."""
        return f"{statefulset}.{self.namespace}.svc.{self.cluster_domain}"

    def pod_fqdn(self, statefulset: str, ordinal: int) -> str:
        """`<pod>.<headless-svc>.<namespace>.svc.<cluster-domain>`: stable across pod restarts."""
        return f"{statefulset}-{ordinal}.{self.fqdn_suffix(statefulset)}"

    def broker_addresses(self, brokers: int) -> list[str]:
        return [self.pod_fqdn(KAFKA, i) for i in range(brokers)]

    def bootstrap_servers(self, brokers: int, port: int = KAFKA_PORT) -> str:
        return ",".join(f"{host}:{port}" for host in self.broker_addresses(brokers))

    def zookeeper_connect(self, nodes: int) -> str:
        return ",".join(f"{self.pod_fqdn(ZOOKEEPER, i)}:{ZK_CLIENT_PORT}" for i in range(nodes))
