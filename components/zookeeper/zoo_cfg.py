"""ZooKeeper configuration as data: zoo.cfg, identical on every pod (it lists every server);
start-zookeeper.sh (components/shell) writes the pod's `myid` (ordinal + 1)."""

from __future__ import annotations

from ..naming import ZK_CLIENT_PORT, ZK_ELECTION_PORT, ZK_PEER_PORT
from .spec import EnsembleSpec

DATA_MOUNT = "/var/lib/zookeeper"  # the PVC
CONFIG_MOUNT = "/etc/zookeeper-demo"  # the ConfigMap
DATA_DIR = f"{DATA_MOUNT}/data"  # snapshots and myid
DATA_LOG_DIR = f"{DATA_MOUNT}/log"  # the transaction log

# Four-letter words the probes use; everything else stays off.
FOUR_LETTER_WORDS = "srvr,ruok,mntr"


def zoo_cfg(spec: EnsembleSpec) -> str:
    servers = [
        f"server.{i + 1}={spec.place.pod_fqdn(spec.name, i)}:{ZK_PEER_PORT}:{ZK_ELECTION_PORT};{ZK_CLIENT_PORT}"
        for i in range(spec.replicas)
    ]
    lines = [
        f"# Rendered by the kafka-demo Pulumi program, {spec.origin}.",
        "tickTime=2000",
        "initLimit=10",
        "syncLimit=5",
        f"dataDir={DATA_DIR}",
        f"dataLogDir={DATA_LOG_DIR}",
        f"clientPort={ZK_CLIENT_PORT}",
        "maxClientCnxns=60",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=24",
        # The AdminServer's Jetty on :8080 is unused and would clash with anything else there.
        "admin.enableServer=false",
        f"4lw.commands.whitelist={FOUR_LETTER_WORDS}",
        # Bind peer ports on all addresses: a pod's own DNS name may not resolve yet when it starts.
        "quorumListenOnAllIPs=true",
        *servers,
    ]
    return "\n".join(lines) + "\n"
