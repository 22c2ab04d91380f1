"""KafkaBroker: the Kafka brokers (combined KRaft nodes, or brokers of a ZooKeeper ensemble)."""

from __future__ import annotations

import pulumi

from .base import ComponentArgs, PlatformComponent
from .manifests import kafka_manifests
from .naming import KAFKA, bootstrap_servers, broker_addresses


class KafkaBroker(PlatformComponent):
    """ConfigMap (server.properties, start script, logging), headless Service, StatefulSet, PDB."""

    bootstrap_servers: pulumi.Output[str]
    broker_dns_names: pulumi.Output[list]

    def __init__(self, name: str, args: ComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("KafkaBroker", name, args, kafka_manifests(args.settings), opts)
        self.bootstrap_servers = self._ready("StatefulSet", KAFKA, bootstrap_servers(args.settings))
        self.broker_dns_names = self._ready("StatefulSet", KAFKA, broker_addresses(args.settings))
        self.register_outputs(
            {"bootstrap_servers": self.bootstrap_servers, "broker_dns_names": self.broker_dns_names}
        )
