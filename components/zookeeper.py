"""ZookeeperCluster: the ZooKeeper ensemble Kafka uses in ZooKeeper mode."""

from __future__ import annotations

import pulumi

from .base import ComponentArgs, PlatformComponent
from .manifests import zookeeper_manifests
from .naming import ZOOKEEPER, zookeeper_connect


class ZookeeperCluster(PlatformComponent):
    """ConfigMap (zoo.cfg, start script), headless Service, StatefulSet with a PVC per pod, PDB."""

    connect_string: pulumi.Output[str]

    def __init__(self, name: str, args: ComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ZookeeperCluster", name, args, zookeeper_manifests(args.settings), opts)
        self.connect_string = self._ready("StatefulSet", ZOOKEEPER, zookeeper_connect(args.settings))
        self.register_outputs({"connect_string": self.connect_string})
