"""Kafka broker configuration as data: server.properties, logging and the per-pod start script.

Every pod of the StatefulSet gets the same files. The start script fills in the two per-pod values
(`{{NODE_ID}}` from the pod's ordinal, `{{POD_NAME}}` for the advertised per-pod DNS name), formats
KRaft storage once, and runs the image's stock `kafka-server-start.sh`. It does not use the image's
env-var-to-properties mapping.
"""

from __future__ import annotations

from .naming import CONTROLLER_PORT, KAFKA, KAFKA_PORT, fqdn_suffix, pod_fqdn, zookeeper_connect
from .settings import Settings

KAFKA_HOME = "/opt/kafka"  # where the apache/kafka image keeps Kafka
DATA_MOUNT = "/var/lib/kafka/data"  # the PVC; the image declares this path as its data volume
CONFIG_MOUNT = "/etc/kafka-demo"  # the ConfigMap with the files below
RUNTIME_CONFIG = "/tmp/server.properties"  # this pod's filled-in copy (/tmp is an emptyDir)
MODE_MARKER = ".kafka-demo-mode"

NODE_ID = "{{NODE_ID}}"
POD_NAME = "{{POD_NAME}}"


def log_dir(settings: Settings) -> str:
    # A subdirectory, never the volume root: a fresh ext4 volume has lost+found, which Kafka
    # would take for a corrupt partition directory.
    return f"{DATA_MOUNT}/{settings.mode}-logs"


def server_properties(settings: Settings) -> str:
    """The broker's server.properties, with `{{NODE_ID}}`/`{{POD_NAME}}` left for the start script."""
    kafka = settings.kafka
    suffix = fqdn_suffix(settings, KAFKA)
    props: dict[str, str] = {}
    if settings.kraft:
        voters = ",".join(
            f"{i}@{pod_fqdn(settings, KAFKA, i)}:{CONTROLLER_PORT}" for i in range(kafka.replicas)
        )
        props.update(
            {
                # Combined nodes: every broker is also a voter of the metadata quorum.
                "process.roles": "broker,controller",
                "node.id": NODE_ID,
                "controller.quorum.voters": voters,
                "controller.listener.names": "CONTROLLER",
                "listeners": f"PLAINTEXT://:{KAFKA_PORT},CONTROLLER://:{CONTROLLER_PORT}",
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            }
        )
    else:
        props.update(
            {
                "broker.id": NODE_ID,
                "zookeeper.connect": zookeeper_connect(settings),
                "zookeeper.connection.timeout.ms": "30000",
                "listeners": f"PLAINTEXT://:{KAFKA_PORT}",
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT",
            }
        )
    props.update(
        {
            "advertised.listeners": f"PLAINTEXT://{POD_NAME}.{suffix}:{KAFKA_PORT}",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": log_dir(settings),
            "auto.create.topics.enable": str(kafka.auto_create_topics).lower(),
            "default.replication.factor": str(kafka.default_replication_factor),
            "min.insync.replicas": str(kafka.min_insync_replicas),
            "offsets.topic.replication.factor": str(kafka.offsets_topic_replication_factor),
            "transaction.state.log.replication.factor": str(kafka.offsets_topic_replication_factor),
            "transaction.state.log.min.isr": str(kafka.transaction_state_log_min_isr),
            "unclean.leader.election.enable": "false",
        }
    )
    props.update(kafka.extra_config)
    header = [
        f"# Rendered by the kafka-demo Pulumi program, stack {settings.stack}, {settings.mode} mode.",
        f"# {NODE_ID} and {POD_NAME} are filled in per pod by start-kafka.sh.",
    ]
    return "\n".join(header + [f"{key}={value}" for key, value in props.items()]) + "\n"


def uses_log4j2(settings: Settings) -> bool:
    return int(settings.kafka.version.split(".")[0]) >= 4  # Kafka 4.0 moved from reload4j to log4j2


def logging_config(settings: Settings) -> tuple[str, str]:
    """(file name, content) of a console-only logging config: kubectl logs is the log store,
    and the image's default file appenders would fill the pod's ephemeral storage."""
    if uses_log4j2(settings):
        return "log4j2.yaml", (
            "Configuration:\n"
            "  Appenders:\n"
            "    Console:\n"
            "      name: STDOUT\n"
            "      PatternLayout:\n"
            '        pattern: "[%d] %p %m (%c)%n"\n'
            "  Loggers:\n"
            "    Root:\n"
            "      level: INFO\n"
            "      AppenderRef:\n"
            "        - ref: STDOUT\n"
        )
    return "log4j.properties", (
        "log4j.rootLogger=INFO, stdout\n"
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.logger.kafka=INFO\n"
        "log4j.logger.org.apache.kafka=INFO\n"
    )


def logging_opts(settings: Settings) -> str:
    name, _ = logging_config(settings)
    flag = "-Dlog4j2.configurationFile" if uses_log4j2(settings) else "-Dlog4j.configuration"
    return f"{flag}=file:{CONFIG_MOUNT}/{name}"


def start_script(settings: Settings) -> str:
    """start-kafka.sh: this pod's identity into the properties, storage formatted once, then Kafka."""
    format_step = (
        """
# KRaft: format once with the stack's cluster id. --ignore-formatted leaves a formatted disk
# untouched, so a restarted pod keeps its data and its cluster id.
"$KAFKA_HOME/bin/kafka-storage.sh" format --ignore-formatted \\
  --cluster-id "$CLUSTER_ID" --config "$RUNTIME_CONFIG"
"""
        if settings.kraft
        else """
# ZooKeeper mode: wait until the ensemble serves requests rather than crash-looping on a timeout.
zk_serving() {
  local host port reply
  for server in ${ZOOKEEPER_CONNECT//,/ }; do
    host="${server%:*}"; port="${server##*:}"
    reply="$( (exec 3<>"/dev/tcp/$host/$port" && printf srvr >&3 && cat <&3) 2>/dev/null || true)"
    case "$reply" in *"Mode: "*) return 0 ;; esac
  done
  return 1
}
until zk_serving; do echo "[start-kafka] waiting for ZooKeeper ($ZOOKEEPER_CONNECT)"; sleep 2; done
"""
    )
    zk_line = f'ZOOKEEPER_CONNECT="{zookeeper_connect(settings)}"\n' if not settings.kraft else ""
    return f"""#!/bin/bash
# start-kafka.sh, rendered by the kafka-demo Pulumi program (stack {settings.stack}, {settings.mode} mode).
set -euo pipefail

KAFKA_HOME={KAFKA_HOME}
DATA={DATA_MOUNT}
MODE={settings.mode}
CLUSTER_ID="{settings.kafka.cluster_id if settings.kraft else ''}"
RUNTIME_CONFIG={RUNTIME_CONFIG}
{zk_line}
# Identity from the StatefulSet ordinal: kafka-2 is node 2.
POD_NAME="${{POD_NAME:?POD_NAME must be set from metadata.name}}"
ORDINAL="${{POD_NAME##*-}}"
case "$ORDINAL" in ''|*[!0-9]*) echo "[start-kafka] no ordinal in pod name $POD_NAME" >&2; exit 1 ;; esac

# Never start on another mode's data: a ZooKeeper-mode disk is not a KRaft log, nor the reverse.
MARKER="$DATA/{MODE_MARKER}"
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" != "$MODE" ]; then
  echo "[start-kafka] refusing to start: $DATA holds $(cat "$MARKER")-mode data and this node runs $MODE mode" >&2
  exit 1
fi
mkdir -p "{log_dir(settings)}"
echo "$MODE" > "$MARKER"

sed -e "s/{NODE_ID}/$ORDINAL/g" -e "s/{POD_NAME}/$POD_NAME/g" {CONFIG_MOUNT}/server.properties > "$RUNTIME_CONFIG"
echo "[start-kafka] $POD_NAME: node $ORDINAL, $MODE mode"
{format_step}
exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$RUNTIME_CONFIG"
"""
