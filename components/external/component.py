"""KafkaExternalAccess: the per-broker Services that reach the brokers from outside the cluster."""

from __future__ import annotations

from typing import Any, NotRequired, Optional, TypedDict

import pulumi

from ..config.keys import COMPONENT_NAMESPACE, EXTERNAL, KAFKA
from ..engine.base import PlatformComponent, spec_from_args
from ..naming import EXTERNAL_PORT, external_service
from . import manifests
from .spec import LOAD_BALANCER, ExternalSpec, external_spec, host_port

BROKERS = next(key for key in KAFKA.keys if key.name == "replicas")
ARGS_KEYS = (COMPONENT_NAMESPACE, BROKERS) + EXTERNAL.keys
UNASSIGNED = "<assigned by the load balancer of {service}>"


class KafkaExternalAccessArgs(TypedDict):
    namespace: str
    replicas: NotRequired[int]
    """The brokers: one Service each."""
    type: str
    """NodePort or LoadBalancer."""
    host: NotRequired[str]
    node_port_base: NotRequired[int]
    annotations: NotRequired[dict[str, str]]


def load_balancer_host(status: Any) -> str | None:
    """The address a load balancer was given (IP, else host name), from a Service's status."""
    balancer = getattr(status, "load_balancer", None) if status is not None else None
    for ingress in getattr(balancer, "ingress", None) or []:
        address = getattr(ingress, "ip", None) or getattr(ingress, "hostname", None)
        if address:
            return address
    return None


class KafkaExternalAccess(PlatformComponent):
    """Service `kafka-<i>-external` (NodePort or LoadBalancer) for every broker's EXTERNAL listener (port
    9094). Create it before the brokers and the certificates: `addresses` goes to KafkaBroker's
    `external_addresses`, `hosts` to KafkaTls's `external_hosts`. With LoadBalancer, `pulumi up` waits
    until each load balancer has its address."""

    addresses: pulumi.Output[list[str]]
    """host:port of every broker outside the cluster, in ordinal order."""
    hosts: pulumi.Output[list[str]]
    """The host names or addresses in `addresses`: the names the brokers' certificate must hold."""
    bootstrap_servers: pulumi.Output[str]
    """`addresses`, comma-separated: a client's bootstrap.servers outside the cluster."""

    def __init__(self, name: str, args: KafkaExternalAccessArgs, opts: Optional[pulumi.ResourceOptions] = None):
        def build(values, labels, problems) -> ExternalSpec | None:
            # Component args: the listener's security is the brokers' (KafkaBroker checks it).
            spec = external_spec(values, labels.full, problems, tls=True, scram=True, brokers=values["replicas"],
                                 security_label=labels.full)
            if spec is None:
                problems.append(f"{labels.full('type')} = none: KafkaExternalAccess needs NodePort or LoadBalancer")
            return spec

        values_spec = spec_from_args("KafkaExternalAccess", name, ARGS_KEYS, args, build)
        assert values_spec is not None
        spec: ExternalSpec = values_spec
        brokers = int(args.get("replicas") or BROKERS.default)
        super().__init__("KafkaExternalAccess", name, manifests.manifests(args["namespace"], spec, brokers), opts)
        if spec.type == LOAD_BALANCER:
            services = [self.object("Service", external_service(i)) for i in range(brokers)]
            hosts = pulumi.Output.all(*[
                service.status.apply(lambda status, s=external_service(i): load_balancer_host(status) or UNASSIGNED.format(service=s))
                for i, service in enumerate(services)
            ])
            self.hosts = hosts
            self.addresses = hosts.apply(lambda names: [host_port(host, EXTERNAL_PORT) for host in names])
        else:
            ready = pulumi.Output.all(*[self.object("Service", external_service(i)).id for i in range(brokers)])
            self.hosts = ready.apply(lambda _: [spec.host])
            self.addresses = ready.apply(lambda _: spec.node_port_addresses(brokers))
        self.bootstrap_servers = self.addresses.apply(",".join)
        self.register_outputs({"addresses": self.addresses, "hosts": self.hosts, "bootstrap_servers": self.bootstrap_servers})
