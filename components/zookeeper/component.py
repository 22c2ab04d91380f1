"""ZookeeperCluster: the ZooKeeper ensemble Kafka uses in ZooKeeper mode."""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..config.keys import CLUSTER_DOMAIN, CLUSTER_NAME, COMPONENT_NAMESPACE, KAFKA_CLUSTER
from ..engine.base import PlatformComponent, cluster_name, spec_from_args
from ..naming import ZOOKEEPER as DEFAULT_CLUSTER_NAME
from ..naming import Place
from . import manifests
from .keys import ZOOKEEPER
from .spec import EnsembleSpec, ensemble_spec

ARGS_KEYS = (COMPONENT_NAMESPACE, CLUSTER_DOMAIN, CLUSTER_NAME, KAFKA_CLUSTER) + ZOOKEEPER.keys


class ZookeeperClusterArgs(TypedDict):
    """Inputs of a ZookeeperCluster: the stack config's `zookeeper` keys (snake_case) and where it runs."""

    namespace: str
    """Namespace of the component's objects (it must exist)."""
    cluster_domain: NotRequired[str]
    """Cluster DNS domain used in advertised per-pod names."""
    cluster_name: NotRequired[str]
    """What the ensemble's objects are named after (left out: `zookeeper`, as before the key existed, so an
    existing program keeps its objects and volumes): StatefulSet and headless
    Service `<name>`, pods `<name>-<i>`, ConfigMap `<name>-config`. Give each ensemble in a namespace its own."""
    kafka_cluster: NotRequired[str]
    """The cluster name of the KafkaBroker that uses the ensemble: its brokers' pods alone may connect."""
    replicas: NotRequired[int]
    """Ensemble size (ZooKeeper mode). Even sizes tolerate no more failures than one fewer; >7 slows writes."""
    storage_size: NotRequired[str]
    """PVC size per ZooKeeper node."""
    storage_class: NotRequired[str]
    """PVC storage class."""
    image: NotRequired[str]
    """ZooKeeper image."""
    cpu_request: NotRequired[str]
    """ZooKeeper CPU request."""
    cpu_limit: NotRequired[str]
    """ZooKeeper CPU limit."""
    memory: NotRequired[str]
    """ZooKeeper memory request = limit (heap a third unless set)."""
    heap_size: NotRequired[str]
    """ZooKeeper JVM heap (-Xms/-Xmx); the rest is page cache and JVM overhead."""


def spec_of(name: str, args: ZookeeperClusterArgs) -> EnsembleSpec:
    origin = f"stack {pulumi.get_stack()}"
    return spec_from_args(
        "ZookeeperCluster",
        name,
        ARGS_KEYS,
        args,
        lambda values, labels, problems: ensemble_spec(
            values,
            labels,
            problems,
            name=cluster_name(values, DEFAULT_CLUSTER_NAME),
            kafka_cluster=values["kafkaCluster"],
            place=Place(values["namespace"], values["clusterDomain"]),
            origin=origin,
        ),
    )


class ZookeeperCluster(PlatformComponent):
    """ConfigMap `<name>-config` (zoo.cfg, scripts), headless Service and StatefulSet `<name>` with a PVC per
    pod, NetworkPolicy (clients: the brokers of `kafka_cluster` only), PDB, where `<name>` is the cluster name
    (`cluster_name`, else `zookeeper`)."""

    connect_string: pulumi.Output[str]
    """host:port of every server, comma-separated: KafkaBroker's zookeeper_connect."""
    stateful_set_name: pulumi.Output[str]
    service_name: pulumi.Output[str]

    def __init__(self, name: str, args: ZookeeperClusterArgs, opts: pulumi.ResourceOptions | None = None):
        self._create(name, spec_of(name, args), opts)  # checked before anything is registered: bad args create nothing

    @classmethod
    def from_spec(cls, name: str, spec: EnsembleSpec, opts: pulumi.ResourceOptions | None = None) -> "ZookeeperCluster":
        """A ZookeeperCluster from a checked spec (zookeeper/spec.py: ensemble_spec): the stack program's
        path, whose settings checked every key once."""
        return cls._of_spec(name, spec, opts)

    def _create(self, name: str, spec: EnsembleSpec, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("ZookeeperCluster", name, manifests.manifests(spec), opts)
        self.spec = spec
        sts = spec.name  # the ensemble's StatefulSet and headless Service
        self.stateful_set: k8s.apps.v1.StatefulSet = self.object("StatefulSet", sts)
        self.service: k8s.core.v1.Service = self.object("Service", sts)
        self.connect_string = self.when_ready("StatefulSet", sts, spec.connect_string)
        self.stateful_set_name = self.when_ready("StatefulSet", sts, sts)
        self.service_name = self.when_ready("Service", sts, sts)
        self.register_outputs(
            {
                "connect_string": self.connect_string,
                "stateful_set_name": self.stateful_set_name,
                "service_name": self.service_name,
            }
        )
