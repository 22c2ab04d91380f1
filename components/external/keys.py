"""The `external` config object: access from outside the cluster, with its checks and docs."""

from __future__ import annotations

from ..config import checks as c
from ..config.keys import ConfigObject
from ..config.schema import Key
from .spec import NODE_PORT_RANGE, TYPES, check_host

EXTERNAL = ConfigObject(
    "external",
    "Access from outside the cluster (needs security.tls and security.scram)",
    (
        Key(
            "type",
            "none",
            c.one_of(*TYPES),
            "`none`, `NodePort`, `LoadBalancer`",
            "An EXTERNAL listener (port 9094, SASL_SSL with the SCRAM users) on every broker, each behind a Service of its "
            "own `kafka-<i>-external` of this type; `none`: reachable inside the cluster only.",
        ),
        Key(
            "host",
            None,
            c.optional(check_host),
            "IP address or DNS name",
            "NodePort: the address clients outside reach the nodes at (a node's IP, or a DNS name resolving to the nodes); "
            "broker i advertises `host:nodePortBase+i`, and the brokers' certificate names it. Required for NodePort.",
        ),
        Key(
            "nodePortBase",
            31090,
            c.integer(*NODE_PORT_RANGE),
            f"{NODE_PORT_RANGE[0]}-{NODE_PORT_RANGE[1]}",
            "NodePort: broker i's node port is nodePortBase + i (stable, so clients' configs stay valid).",
        ),
        Key(
            "annotations",
            {},
            c.string_map(
                "a map of annotation names to values",
                r"([a-z0-9.-]+/)?[A-Za-z0-9._-]+",
                lambda key: "set by the program" if key.startswith("pulumi.com/") else None,
            ),
            "map of annotation → value",
            "Extra annotations on the external Services, e.g. a cloud's load balancer settings (internal, type, source ranges).",
        ),
    ),
)
