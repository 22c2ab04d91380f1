"""Access from outside the cluster: an EXTERNAL listener on every broker, each behind a Service of its own.

A client outside the cluster bootstraps from any broker's external address and is then sent to the
advertised external address of each partition leader, so every broker needs an address of its own:
- NodePort: broker i is reached at `host:nodePortBase+i`, where `host` is an address the clients reach
  the nodes at (a node's IP, or a DNS name resolving to the nodes); any node forwards the port to the
  broker (externalTrafficPolicy Cluster).
- LoadBalancer: each broker gets a load balancer; `pulumi up` waits for the address the cloud assigns and
  feeds it into the brokers' configuration and the certificate's names.
The listener is SASL_SSL (SCRAM-SHA-512) on port 9094: the same users, ACLs and CA as the in-cluster
client listener, which is why external access needs `security.tls` and `security.scram`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from ..config.checks import InvalidValue

NODE_PORT = "NodePort"
LOAD_BALANCER = "LoadBalancer"
TYPES = ("none", NODE_PORT, LOAD_BALANCER)
NODE_PORT_RANGE = (30000, 32767)  # the API server's default --service-node-port-range
HOST = r"(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*"


@dataclass(frozen=True)
class ExternalSpec:
    """KafkaExternalAccess's checked settings: one Service per broker of Kafka cluster `kafka_cluster`."""

    namespace: str
    kafka_cluster: str  # the Services select this cluster's pods, and are named after it
    type: str  # NodePort or LoadBalancer
    host: str | None  # NodePort: where clients reach the nodes
    node_port_base: int
    brokers: int  # one Service, and one address, per broker
    annotations: dict[str, str] = field(default_factory=dict)

    def node_port(self, ordinal: int) -> int:
        return self.node_port_base + ordinal

    def node_port_addresses(self) -> list[str]:
        """NodePort: the address each broker advertises, in ordinal order."""
        assert self.host is not None
        return [host_port(self.host, self.node_port(i)) for i in range(self.brokers)]


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_port(host: str, port: int) -> str:
    """`host:port`, with an IPv6 address in brackets (as Kafka's listener syntax wants it)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_host(value: Any) -> str:
    """An IP address or a DNS name: what a client dials, and a name in the brokers' certificate."""
    allowed = "an IP address or DNS name the clients reach the nodes at, such as 203.0.113.10 or kafka.example.com"
    if not isinstance(value, str):
        raise InvalidValue(allowed)
    if is_ip(value):
        if "%" in value:  # a link-local scope names an interface of one machine, not an address clients share
            raise InvalidValue(allowed + " (without a %scope)")
        return value
    # A name whose last label is all digits is a mistyped address (999.1.1.1, 1.2.3), not a DNS name.
    if re.fullmatch(HOST, value) and not value.rsplit(".", 1)[-1].isdigit():
        return value
    raise InvalidValue(allowed)


def external_spec(
    values: dict[str, Any],
    label: Any,
    problems: list[str],
    *,
    namespace: str,
    kafka_cluster: str,
    tls: bool,
    scram: bool,
    brokers: int,
    security_label: Any,
) -> ExternalSpec | None:
    """The spec from the `external` object's checked values (None: no external access) for the `brokers`
    of Kafka cluster `kafka_cluster` in `namespace`; rule violations are appended to `problems`.
    `label(key)` names a key of `external`, `security_label` one of `security`."""
    kind = values["type"]
    if kind == "none":
        for key in ("host", "annotations"):
            if values[key]:
                problems.append(
                    f"{label(key)} is set, but {label('type')} is none: set the type (NodePort or LoadBalancer) or remove it"
                )
        return None
    if not (tls and scram):
        problems.append(
            f"{label('type')} = {kind}: external access needs {security_label('tls')} = true and "
            f"{security_label('scram')} = true; a listener outside the cluster must encrypt and tell clients apart "
            f"(without SCRAM anyone who reaches the port could read and write every topic)"
        )
    if kind == NODE_PORT:
        if not values["host"]:
            problems.append(
                f"{label('host')} is required with {label('type')} = NodePort: the address clients reach the nodes at "
                f"(a node's IP or a DNS name for the nodes); each broker advertises host:nodePortBase+ordinal"
            )
        last = values["nodePortBase"] + brokers - 1
        if last > NODE_PORT_RANGE[1]:
            problems.append(
                f"{label('nodePortBase')} = {values['nodePortBase']}: broker {brokers - 1} would get node port {last}, "
                f"above {NODE_PORT_RANGE[1]} (the cluster's node port range); lower it"
            )
    elif values["host"]:
        problems.append(
            f"{label('host')} = {values['host']}: only for NodePort; a LoadBalancer broker advertises the address "
            f"its load balancer is given"
        )
    return ExternalSpec(
        namespace, kafka_cluster, kind, values["host"], values["nodePortBase"], brokers, dict(values["annotations"])
    )
