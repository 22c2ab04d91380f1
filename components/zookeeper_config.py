"""ZooKeeper configuration as data: zoo.cfg and the per-pod start script.

zoo.cfg is identical on every pod (it lists every server); the start script writes this pod's
`myid` (ordinal + 1) and runs the image's stock `zkServer.sh start-foreground`.
"""

from __future__ import annotations

from .naming import ZK_CLIENT_PORT, ZK_ELECTION_PORT, ZK_PEER_PORT, ZOOKEEPER, pod_fqdn
from .settings import Settings

DATA_MOUNT = "/var/lib/zookeeper"  # the PVC
CONFIG_MOUNT = "/etc/zookeeper-demo"  # the ConfigMap

# Four-letter words the probes use; everything else stays off.
FOUR_LETTER_WORDS = "srvr,ruok,mntr"


def zoo_cfg(settings: Settings) -> str:
    assert settings.zookeeper is not None
    servers = [
        f"server.{i + 1}={pod_fqdn(settings, ZOOKEEPER, i)}:{ZK_PEER_PORT}:{ZK_ELECTION_PORT};{ZK_CLIENT_PORT}"
        for i in range(settings.zookeeper.replicas)
    ]
    lines = [
        f"# Rendered by the kafka-demo Pulumi program, stack {settings.stack}.",
        "tickTime=2000",
        "initLimit=10",
        "syncLimit=5",
        f"dataDir={DATA_MOUNT}/data",
        f"dataLogDir={DATA_MOUNT}/log",
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


def start_script(settings: Settings) -> str:
    return f"""#!/bin/bash
# start-zookeeper.sh, rendered by the kafka-demo Pulumi program (stack {settings.stack}).
set -euo pipefail

POD_NAME="${{POD_NAME:?POD_NAME must be set from metadata.name}}"
ORDINAL="${{POD_NAME##*-}}"
case "$ORDINAL" in ''|*[!0-9]*) echo "[start-zookeeper] no ordinal in pod name $POD_NAME" >&2; exit 1 ;; esac

# myid is the ordinal + 1: zookeeper-0 is server.1 in zoo.cfg.
mkdir -p {DATA_MOUNT}/data {DATA_MOUNT}/log
echo $((ORDINAL + 1)) > {DATA_MOUNT}/data/myid
echo "[start-zookeeper] $POD_NAME: myid $((ORDINAL + 1))"

exec zkServer.sh start-foreground {CONFIG_MOUNT}/zoo.cfg
"""


def ready_check() -> str:
    """Readiness: the server answers `srvr` with a Mode, i.e. it is part of a serving quorum."""
    return (
        f'reply="$( (exec 3<>/dev/tcp/127.0.0.1/{ZK_CLIENT_PORT} && printf srvr >&3 && cat <&3) 2>/dev/null)"; '
        'case "$reply" in *"Mode: "*) exit 0 ;; *) exit 1 ;; esac'
    )
