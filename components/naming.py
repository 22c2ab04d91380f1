"""Names and addresses every part of the platform agrees on: object names, ports, labels, per-pod DNS.

A Kafka cluster's objects are named after its cluster name (KafkaBroker's `cluster_name`, by default
`kafka`, the name every cluster had before the key existed), a ZooKeeper ensemble's after its own: the functions below derive every name
from it, so several clusters can share a namespace. The constants are the stack's names (its KafkaBroker
is "kafka", its ZookeeperCluster "zookeeper"), exactly the names these functions give for those.
"""

from __future__ import annotations

from dataclasses import dataclass

KAFKA = "kafka"  # the stack's Kafka cluster: StatefulSet and headless Service, as in the seed
ZOOKEEPER = "zookeeper"  # the stack's ZooKeeper ensemble
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


def controllers(cluster: str) -> str:
    """The StatefulSet and headless Service of a Kafka cluster's dedicated KRaft controllers."""
    return f"{cluster}-controller"


# Secrets of a cluster with TLS on (components/security): the nodes' certificate, the admin jobs' client
# settings, and one per SCRAM user (or one for every client with TLS alone). A client mounts its Secret at
# CLIENT_MOUNT and passes client.properties from there to the Kafka tools.
def tls_secret(cluster: str) -> str:
    return f"{cluster}-tls"


def admin_secret(cluster: str) -> str:
    return f"{cluster}-admin"


def client_tls_secret(cluster: str) -> str:
    return f"{cluster}-client-tls"


def users_app(cluster: str) -> str:
    """The Job that sets a cluster's SCRAM users and ACLs: its app, ConfigMap and NetworkPolicy."""
    return f"{cluster}-users"


def user_secret(cluster: str, user: str) -> str:
    return f"{cluster}-user-{user}"


def external_service(cluster: str, ordinal: int) -> str:
    """The Service in front of broker `ordinal`'s EXTERNAL listener."""
    return f"{cluster}-{ordinal}-external"


def external_app(cluster: str) -> str:
    """The app label of a cluster's external Services."""
    return f"{cluster}-external"


KAFKA_CONTROLLER = controllers(KAFKA)
TLS_SECRET = tls_secret(KAFKA)
ADMIN_SECRET = admin_secret(KAFKA)
CLIENT_TLS_SECRET = client_tls_secret(KAFKA)
USERS = users_app(KAFKA)
CLIENT_MOUNT = "/etc/kafka-client"
CLIENT_CONFIG_FILE = "client.properties"

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

    def broker_addresses(self, cluster: str, brokers: int) -> list[str]:
        """The per-pod DNS names of Kafka cluster `cluster`'s brokers (its StatefulSet is named after it)."""
        return [self.pod_fqdn(cluster, i) for i in range(brokers)]

    def bootstrap_servers(self, cluster: str, brokers: int, port: int = KAFKA_PORT) -> str:
        return ",".join(f"{host}:{port}" for host in self.broker_addresses(cluster, brokers))

    def zookeeper_connect(self, ensemble: str, nodes: int) -> str:
        return ",".join(f"{self.pod_fqdn(ensemble, i)}:{ZK_CLIENT_PORT}" for i in range(nodes))
