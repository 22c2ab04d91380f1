"""KafkaExternalAccess: the per-broker Services that reach the brokers from outside the cluster."""

import functools
from dataclasses import replace
from typing import Any, NotRequired, TypedDict

import pulumi

from ..config.keys import COMPONENT_NAMESPACE, KAFKA_CLUSTER
from ..engine.base import PlatformComponent, spec_from_args
from ..kafka.keys import KAFKA
from ..naming import EXTERNAL_PORT, external_service
from . import manifests
from .keys import EXTERNAL
from .spec import LOAD_BALANCER, ExternalSpec, external_spec, host_port

BROKERS = next(key for key in KAFKA.keys if key.name == "replicas")
# `type` is required of a library user: the component is the external access ("none" would be no component).
ARGS_KEYS = (COMPONENT_NAMESPACE, KAFKA_CLUSTER, BROKERS) + tuple(
    replace(key, default=None, required=True) if key.name == "type" else key for key in EXTERNAL.keys
)
# What a run without a cluster (render.py, the mock engine) shows where a load balancer's address goes.
UNASSIGNED = "<assigned by the load balancer of {service}>"


class KafkaExternalAccessArgs(TypedDict):
    namespace: str
    """Namespace of the component's objects (it must exist)."""
    kafka_cluster: NotRequired[str]
    """The KafkaBroker's cluster name (default kafka): Service `<kafka_cluster>-<i>-external` selects its pod
    `<kafka_cluster>-<i>`."""
    type: str
    """NodePort or LoadBalancer."""
    replicas: NotRequired[int]
    """The brokers: one Service each."""
    host: NotRequired[str]
    """NodePort: the address clients outside reach the nodes at (a node's IP, or a DNS name resolving to the nodes); broker i
    advertises `host:nodePortBase+i`, and the brokers' certificate names it. Required for NodePort."""
    node_port_base: NotRequired[int]
    """NodePort: broker i's node port is nodePortBase + i (stable, so clients' configs stay valid)."""
    annotations: NotRequired[dict[str, str]]
    """Extra annotations on the external Services, e.g. a cloud's load balancer settings (internal, type, source ranges)."""


def load_balancer_host(status: Any) -> str | None:
    """The address a load balancer was given (IP, else host name), from a Service's status."""
    balancer = getattr(status, "load_balancer", None) if status is not None else None
    for ingress in getattr(balancer, "ingress", None) or []:
        address = getattr(ingress, "ip", None) or getattr(ingress, "hostname", None)
        if address:
            return address
    return None


def assigned_host(service: str, status: Any) -> str:
    """The load balancer's address of `service`. No status at all: a run without a cluster (a placeholder
    says whose address goes there). A status without an address after pulumi-kubernetes waited for one
    (pulumi.com/waitFor): an error, never a placeholder in a real certificate or broker configuration."""
    if status is None:
        return UNASSIGNED.format(service=service)
    host = load_balancer_host(status)
    if host is None:
        raise pulumi.RunError(f"Service {service}: its load balancer has no IP or host name in .status.loadBalancer.ingress")
    return host


class KafkaExternalAccess(PlatformComponent):
    """Service `<kafka_cluster>-<i>-external` (`kafka-<i>-external` by default; NodePort or LoadBalancer)
    for every broker's EXTERNAL listener (port 9094). Create it before the brokers and the certificates: `addresses` goes to KafkaBroker's
    `external_addresses`, `hosts` to KafkaTls's `external_hosts`. With LoadBalancer, `pulumi up` waits
    until each load balancer has its address."""

    addresses: pulumi.Output[list[str]]
    """host:port of every broker outside the cluster, in ordinal order."""
    hosts: pulumi.Output[list[str]]
    """The host names or addresses in `addresses`: the names the brokers' certificate must hold."""
    bootstrap_servers: pulumi.Output[str]
    """`addresses`, comma-separated: a client's bootstrap.servers outside the cluster."""

    def __init__(self, name: str, args: KafkaExternalAccessArgs, opts: pulumi.ResourceOptions | None = None):
        def build(values, labels, problems) -> ExternalSpec | None:
            # Component args: whether the listener is secured is KafkaBroker's to check (its tls, scram).
            spec = external_spec(
                values,
                labels.full,
                problems,
                namespace=values["namespace"],
                kafka_cluster=values["kafkaCluster"],
                tls=True,
                scram=True,
                brokers=values["replicas"],
                security_label=labels.full,
            )
            if spec is None:
                problems.append(f"{labels.full('type')} = none: KafkaExternalAccess needs NodePort or LoadBalancer")
            return spec

        spec = spec_from_args("KafkaExternalAccess", name, ARGS_KEYS, args, build)
        assert spec is not None
        self._create(name, spec, opts)

    @classmethod
    def from_spec(cls, name: str, spec: ExternalSpec, opts: pulumi.ResourceOptions | None = None) -> "KafkaExternalAccess":
        """A KafkaExternalAccess from a checked spec (external/spec.py: external_spec)."""
        return cls._of_spec(name, spec, opts)

    def _create(self, name: str, spec: ExternalSpec, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("KafkaExternalAccess", name, manifests.manifests(spec), opts)
        self.spec = spec
        cluster = spec.kafka_cluster
        services = [self.object("Service", external_service(cluster, i)) for i in range(spec.brokers)]
        if spec.type == LOAD_BALANCER:
            self.hosts = pulumi.Output.all(
                *[
                    service.status.apply(functools.partial(assigned_host, external_service(cluster, i)))
                    for i, service in enumerate(services)
                ]
            )
            self.addresses = self.hosts.apply(lambda names: [host_port(host, EXTERNAL_PORT) for host in names])
        else:
            created = pulumi.Output.all(*[service.id for service in services])
            host = spec.host
            assert host is not None, "external_spec requires a host with NodePort"
            self.hosts = created.apply(lambda _: [host])
            self.addresses = created.apply(lambda _: spec.node_port_addresses())
        self.bootstrap_servers = self.addresses.apply(",".join)
        self.register_outputs({"addresses": self.addresses, "hosts": self.hosts, "bootstrap_servers": self.bootstrap_servers})
