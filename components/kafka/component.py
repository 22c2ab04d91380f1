"""KafkaBroker: the Kafka brokers (combined KRaft nodes, or brokers of a ZooKeeper ensemble)."""

from dataclasses import replace
from typing import NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..config import checks
from ..config.keys import CLUSTER_DOMAIN, CLUSTER_NAME, COMPONENT_NAMESPACE
from ..config.schema import Key, Labels
from ..engine.base import InvalidArgs, PlatformComponent, cluster_name, spec_from_args
from ..naming import KAFKA as DEFAULT_CLUSTER_NAME
from ..naming import Place
from ..security.keys import SCRAM, TLS
from . import manifests
from .keys import CONTROLLER, KAFKA
from .spec import BrokerSpec, broker_spec, derive_cluster_id

ZOOKEEPER_CONNECT = Key(
    "zookeeperConnect",
    None,
    checks.optional(checks.host_ports),
    "host:port,...",
    "ZooKeeper mode: the ensemble to use (ZookeeperCluster's connect_string). Left out: KRaft.",
)
# The `controller` object's keys as args, prefixed: controller_replicas, controller_storage_size, ...
CONTROLLER_PREFIX = "controller"
CONTROLLER_ARGS = {CONTROLLER_PREFIX + key.name[0].upper() + key.name[1:]: key.name for key in CONTROLLER.keys}
ARGS_KEYS = (
    (COMPONENT_NAMESPACE, CLUSTER_DOMAIN, CLUSTER_NAME, ZOOKEEPER_CONNECT)
    + KAFKA.keys
    + tuple(replace(key, name=arg) for arg, key in zip(CONTROLLER_ARGS, CONTROLLER.keys, strict=True))
    + (
        TLS,
        SCRAM,
        Key(
            "tlsRevision",
            None,
            checks.optional(checks.matching(r"[0-9a-f]{1,64}", "a certificate serial (hex)")),
            "text",
            "KafkaTls's `revision` output (may be an output): on the pod templates, so a certificate renewal rolls the pods.",
        ),
        Key(
            "external",
            False,
            checks.boolean,
            "boolean",
            "An EXTERNAL listener (port 9094, SASL_SSL) for clients outside the cluster; needs `tls`, `scram` and `external_addresses`.",
        ),
        Key(
            "externalAddresses",
            None,
            lambda value: value,
            "list of host:port",
            "KafkaExternalAccess's `addresses` output (may be an output): the address each broker advertises outside the cluster.",
        ),
    )
)
# Args that take another component's outputs (KafkaTls.revision, KafkaExternalAccess.addresses), which
# are not known while the spec is checked: spec_from_args lets them be outputs.
OUTPUT_ARGS = ("tls_revision", "external_addresses")


class KafkaBrokerArgs(TypedDict):
    """Inputs of a KafkaBroker: the stack config's `kafka` keys (snake_case), where it runs, and in
    ZooKeeper mode the ensemble. Plain values: they shape the manifests, so they must be known."""

    namespace: str
    """Namespace of the component's objects (it must exist)."""
    cluster_domain: NotRequired[str]
    """Cluster DNS domain used in advertised per-pod names."""
    cluster_name: NotRequired[str]
    """What the cluster's objects are named after (left out: `kafka`, as before the key existed, so an existing
    program keeps its objects and volumes whatever its resource name): StatefulSet and headless
    Service `<name>`, pods `<name>-<i>`, `<name>-controller`, `<name>-config`, Secrets `<name>-tls` and
    `<name>-admin`, ... Give each cluster in a namespace its own, and the same to its KafkaTls, KafkaUsers,
    KafkaExternalAccess and ZookeeperCluster (as their `kafka_cluster`)."""
    zookeeper_connect: NotRequired[str]
    """ZooKeeper mode: the ensemble to use (ZookeeperCluster's connect_string). Left out: KRaft."""
    replicas: NotRequired[int]
    """Brokers. With combined KRaft nodes (`controller.replicas: 0`) every broker is a controller voter, so the count must be
    odd; with dedicated controllers any count. A change moves partition replicas off removed brokers before they stop, and
    onto new ones (see trade-offs)."""
    storage_size: NotRequired[str]
    """PVC size per broker."""
    storage_class: NotRequired[str]
    """PVC storage class."""
    version: NotRequired[str]
    """Kafka release; picks the default image, the logging format and the quorum kind (dynamic from 4.2, static before). Pin
    it in long-lived stacks: a new default is not an upgrade path (see trade-offs)."""
    image: NotRequired[str]
    """Image for brokers, controllers, topic job, producer and consumer."""
    cpu_request: NotRequired[str]
    """Broker CPU request."""
    cpu_limit: NotRequired[str]
    """Broker CPU limit."""
    memory: NotRequired[str]
    """Broker memory request = limit (heap a third unless set)."""
    heap_size: NotRequired[str]
    """Broker JVM heap (-Xms/-Xmx); the rest is page cache and JVM overhead."""
    default_replication_factor: NotRequired[int]
    """`default.replication.factor`."""
    min_insync_replicas: NotRequired[int]
    """`min.insync.replicas`. Internal topics follow the broker count (RF 3/min ISR 2 from three brokers)."""
    auto_create_topics: NotRequired[bool]
    """`auto.create.topics.enable`."""
    cluster_id: NotRequired[str]
    """KRaft cluster id, fixed for the stack's life (same after destroy/up, so retained disks are accepted)."""
    config: NotRequired[dict[str, str]]
    """Extra `server.properties` entries; keys and prefixes the program manages (listeners, listener.name.*, controller.*,
    ids, log and metadata dirs, replication, process roles) are refused."""
    controller_replicas: NotRequired[int]
    """0: combined nodes (every broker is also a controller; small and development clusters). 3 or 5: dedicated controllers in
    their own StatefulSet `kafka-controller`, brokers only in `kafka` (production). 3 <-> 5 scales the quorum with `pulumi
    up`; 0 <-> 3/5 is a new cluster on new volumes (see trade-offs)."""
    controller_storage_size: NotRequired[str]
    """PVC size per controller (the metadata log)."""
    controller_storage_class: NotRequired[str]
    """PVC storage class."""
    controller_cpu_request: NotRequired[str]
    """Controller CPU request."""
    controller_cpu_limit: NotRequired[str]
    """Controller CPU limit."""
    controller_memory: NotRequired[str]
    """Controller memory request = limit (heap a third unless set)."""
    controller_heap_size: NotRequired[str]
    """Controller JVM heap (-Xms/-Xmx); the rest is page cache and JVM overhead."""
    controller_config: NotRequired[dict[str, str]]
    """Extra properties for dedicated controllers; the same managed keys as `kafka.config` are refused."""
    tls: NotRequired[bool]
    """TLS listeners; Secrets `<cluster name>-tls` and `-admin` (KafkaTls) must exist in the namespace."""
    scram: NotRequired[bool]
    """SASL/SCRAM-SHA-512 on the client listener and Kafka's StandardAuthorizer: every client needs a user, and may do only
    what its ACLs allow. The producer and consumer get users of their own. Needs `tls`."""
    tls_revision: NotRequired[pulumi.Input[str]]
    """KafkaTls's `revision`: the pods roll when it changes (a certificate renewal)."""
    external: NotRequired[bool]
    """An EXTERNAL listener for clients outside the cluster (with KafkaExternalAccess)."""
    external_addresses: NotRequired[pulumi.Input[list[str]]]
    """KafkaExternalAccess's `addresses`: each broker's host:port outside the cluster, in ordinal order."""


def address_count_problem(label: str, given: int, brokers: int) -> str:
    return (
        f"{label}: {given} addresses for {brokers} brokers; give KafkaExternalAccess the brokers' count "
        f"(its replicas) so that every broker has its own"
    )


def spec_of(name: str, args: KafkaBrokerArgs) -> BrokerSpec:
    """The checked spec of a KafkaBroker named `name`; raises InvalidArgs listing every problem."""
    stack = pulumi.get_stack()

    def build(values, labels, problems) -> BrokerSpec:
        controller_labels = Labels(labels.prefix + "controller_", "controller_", labels.owner, python_names=True)
        addresses = args.get("external_addresses")
        if values["external"] and addresses is None:
            problems.append(
                f"{labels.full('externalAddresses')} is required with {labels.full('external')} = true: "
                f"KafkaExternalAccess's addresses output"
            )
        elif values["external"] and isinstance(addresses, list) and len(addresses) != values["replicas"]:
            problems.append(address_count_problem(labels.full("externalAddresses"), len(addresses), values["replicas"]))
        return broker_spec(
            values,
            labels,
            problems,
            name=cluster_name(values, DEFAULT_CLUSTER_NAME),
            place=Place(values["namespace"], values["clusterDomain"]),
            zookeeper_connect=values["zookeeperConnect"],
            default_cluster_id=derive_cluster_id(pulumi.get_project(), stack, name),
            origin=f"stack {stack}",
            controller_values={key: values[arg] for arg, key in CONTROLLER_ARGS.items()},
            controller_labels=controller_labels,
            tls=values["tls"],
            scram=values["scram"],
            security_labels=labels,
            external=values["external"],
        )

    return spec_from_args("KafkaBroker", name, ARGS_KEYS, args, build, outputs_allowed=OUTPUT_ARGS)


class KafkaBroker(PlatformComponent):
    """ConfigMap `<name>-config` (server.properties, start script, logging), headless Service and StatefulSet
    `<name>` with a PVC per broker, NetworkPolicy, PDB, where `<name>` is the cluster name (`cluster_name`,
    else `kafka`). Pods are `<name>-<i>.<name>.<namespace>.svc.<domain>`. KRaft with
    `controller_replicas` 3 or 5: the same objects again for dedicated controllers, named
    `<name>-controller`; otherwise the brokers are the controllers (combined nodes)."""

    bootstrap_servers: pulumi.Output[str]
    """host:port of every broker, comma-separated; known once the StatefulSet is ready."""
    broker_dns_names: pulumi.Output[list[str]]
    """The stable per-pod DNS name of every broker."""
    mode: pulumi.Output[str]
    """kraft or zookeeper."""
    stateful_set_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    namespace: pulumi.Output[str]
    controller_dns_names: pulumi.Output[list[str]]
    """The stable per-pod DNS name of every KRaft controller (the brokers' own for combined nodes; empty in ZooKeeper mode)."""

    def __init__(self, name: str, args: KafkaBrokerArgs, opts: pulumi.ResourceOptions | None = None):
        spec = spec_of(name, args)  # before anything is registered: bad args create nothing
        self._create(name, spec, opts, args.get("tls_revision"), args.get("external_addresses"))

    @classmethod
    def from_spec(
        cls,
        name: str,
        spec: BrokerSpec,
        opts: pulumi.ResourceOptions | None = None,
        tls_revision: pulumi.Input[str] | None = None,
        external_addresses: pulumi.Input[list[str]] | None = None,
    ) -> "KafkaBroker":
        """A KafkaBroker from a checked spec (kafka/spec.py: broker_spec): the stack program's path, whose
        settings checked every key once. `tls_revision` and `external_addresses` as in KafkaBrokerArgs."""
        return cls._of_spec(name, spec, opts, tls_revision, external_addresses)

    def _create(
        self,
        name: str,
        spec: BrokerSpec,
        opts: pulumi.ResourceOptions | None,
        tls_revision: pulumi.Input[str] | None,
        external_addresses: pulumi.Input[list[str]] | None,
    ) -> None:
        joined_addresses = None
        if spec.external:

            def joined(addresses: list[str]) -> str:
                # Known only now when they are an output: a broker without an address would never start.
                if len(addresses) != spec.replicas:
                    raise InvalidArgs(
                        address_count_problem(f'KafkaBroker "{name}": external_addresses', len(addresses), spec.replicas)
                    )
                return manifests.external_addresses_value(spec, addresses)

            if external_addresses is None:
                raise InvalidArgs(
                    f'KafkaBroker "{name}": external access needs external_addresses (KafkaExternalAccess\'s addresses)'
                )
            joined_addresses = pulumi.Output.from_input(external_addresses).apply(joined)
        revision = tls_revision if spec.tls else None
        super().__init__("KafkaBroker", name, manifests.manifests(spec, revision, joined_addresses), opts)
        self.spec = spec
        brokers, controller_pool = spec.broker_pool, spec.controller_pool
        sts = brokers.name  # the brokers' StatefulSet and headless Service
        self.stateful_set: k8s.apps.v1.StatefulSet = self.object("StatefulSet", sts)
        _, spread = manifests.replica_job_names(spec)
        self.serving: list[pulumi.Resource] = [self.stateful_set, self.object("Job", spread)]
        """What a client of the brokers waits for (the stack's topic and users Jobs): the brokers Ready, and a
        scale-up's replicas moved onto the new ones (a topic's partitions do not grow during a reassignment).
        Not the quorum Job: the brokers serve while the controllers' voter set settles."""
        self.service: k8s.core.v1.Service = self.object("Service", sts)
        self.config_map: k8s.core.v1.ConfigMap = self.object("ConfigMap", brokers.config_map_name)
        self.bootstrap_servers = self.when_ready("StatefulSet", sts, spec.bootstrap_servers)
        self.broker_dns_names = self.when_ready("StatefulSet", sts, spec.broker_addresses)
        self.mode = pulumi.Output.from_input(spec.mode)
        self.stateful_set_name = self.when_ready("StatefulSet", sts, sts)
        self.service_name = self.when_ready("Service", sts, sts)
        self.namespace = self.when_ready("StatefulSet", sts, spec.place.namespace)
        quorum_hosts = [endpoint.rsplit(":", 1)[0] for _, endpoint in spec.controller_endpoints] if spec.kraft else []
        self.controller_dns_names = self.when_ready("StatefulSet", spec.controller_statefulset, quorum_hosts)
        self.controller_stateful_set: k8s.apps.v1.StatefulSet | None = (
            self.object("StatefulSet", controller_pool.name) if controller_pool else None
        )
        self.register_outputs(
            {
                "controller_dns_names": self.controller_dns_names,
                "bootstrap_servers": self.bootstrap_servers,
                "broker_dns_names": self.broker_dns_names,
                "mode": self.mode,
                "stateful_set_name": self.stateful_set_name,
                "service_name": self.service_name,
                "namespace": self.namespace,
            }
        )
