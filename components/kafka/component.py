"""KafkaBroker: the Kafka brokers (combined KRaft nodes, or brokers of a ZooKeeper ensemble)."""

from typing import NotRequired, Optional, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..config.keys import CLUSTER_DOMAIN, COMPONENT_NAMESPACE, KAFKA
from ..config import checks
from ..config.schema import Key
from ..engine.base import PlatformComponent, spec_from_args
from ..naming import KAFKA as NAME, Place
from . import manifests
from .spec import BrokerSpec, broker_spec, derive_cluster_id

ZOOKEEPER_CONNECT = Key(
    "zookeeperConnect", None, checks.optional(checks.host_ports),
    "host:port,...", "ZooKeeper mode: the ensemble to use (ZookeeperCluster's connect_string). Left out: KRaft.",
)
ARGS_KEYS = (COMPONENT_NAMESPACE, CLUSTER_DOMAIN, ZOOKEEPER_CONNECT) + KAFKA.keys


class KafkaBrokerArgs(TypedDict):
    """Inputs of a KafkaBroker: the stack config's `kafka` keys (snake_case), where it runs, and in
    ZooKeeper mode the ensemble. Plain values: they shape the manifests, so they must be known."""

    namespace: str
    cluster_domain: NotRequired[str]
    zookeeper_connect: NotRequired[str]
    replicas: NotRequired[int]
    storage_size: NotRequired[str]
    storage_class: NotRequired[str]
    version: NotRequired[str]
    image: NotRequired[str]
    cpu_request: NotRequired[str]
    cpu_limit: NotRequired[str]
    memory: NotRequired[str]
    heap_size: NotRequired[str]
    default_replication_factor: NotRequired[int]
    min_insync_replicas: NotRequired[int]
    auto_create_topics: NotRequired[bool]
    cluster_id: NotRequired[str]
    config: NotRequired[dict[str, str]]


def spec_of(name: str, args: KafkaBrokerArgs) -> BrokerSpec:
    """The checked spec of a KafkaBroker named `name`; raises InvalidArgs listing every problem."""
    stack = pulumi.get_stack()

    def build(values, labels, problems) -> BrokerSpec:
        return broker_spec(
            values, labels, problems, place=Place(values["namespace"], values["clusterDomain"]),
            zookeeper_connect=values["zookeeperConnect"],
            default_cluster_id=derive_cluster_id(pulumi.get_project(), stack, name), origin=f"stack {stack}",
        )

    return spec_from_args("KafkaBroker", name, ARGS_KEYS, args, build)


class KafkaBroker(PlatformComponent):
    """ConfigMap (server.properties, start script, logging), headless Service `kafka`, StatefulSet `kafka`
    with a PVC per broker, NetworkPolicy, PDB. Pods are `kafka-<i>.kafka.<namespace>.svc.<domain>`."""

    bootstrap_servers: pulumi.Output[str]
    """host:port of every broker, comma-separated; known once the StatefulSet is ready."""
    broker_dns_names: pulumi.Output[list[str]]
    """The stable per-pod DNS name of every broker."""
    mode: pulumi.Output[str]
    """kraft or zookeeper."""
    stateful_set_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: KafkaBrokerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        spec = spec_of(name, args)  # before anything is registered: bad args create nothing
        super().__init__("KafkaBroker", name, manifests.manifests(spec), opts)
        self.spec = spec
        self.stateful_set: k8s.apps.v1.StatefulSet = self.object("StatefulSet", NAME)
        self.service: k8s.core.v1.Service = self.object("Service", NAME)
        self.config_map: k8s.core.v1.ConfigMap = self.object("ConfigMap", manifests.CONFIGMAP)
        self.bootstrap_servers = self.when_ready("StatefulSet", NAME, spec.bootstrap_servers)
        self.broker_dns_names = self.when_ready("StatefulSet", NAME, spec.place.broker_addresses(spec.replicas))
        self.mode = pulumi.Output.from_input(spec.mode)
        self.stateful_set_name = self.when_ready("StatefulSet", NAME, NAME)
        self.service_name = self.when_ready("Service", NAME, NAME)
        self.namespace = self.when_ready("StatefulSet", NAME, spec.place.namespace)
        self.register_outputs({
            "bootstrap_servers": self.bootstrap_servers, "broker_dns_names": self.broker_dns_names, "mode": self.mode,
            "stateful_set_name": self.stateful_set_name, "service_name": self.service_name, "namespace": self.namespace,
        })
