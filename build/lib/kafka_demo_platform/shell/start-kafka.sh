#!/bin/bash
# start-kafka.sh: start this pod's Kafka node, in KRaft or ZooKeeper mode (MODE).
# Fills this pod's node id (the StatefulSet ordinal: kafka-2 is node 2) and name into a copy of the
# mounted server.properties, refuses a data volume written in the other mode, formats KRaft storage
# once (ZooKeeper mode: waits for a serving ensemble instead), then execs kafka-server-start.sh.
# It does not use the image's env-var-to-properties mapping.
# params: CLUSTER_ID CONFIG_DIR DATA_DIR KAFKA_HOME KAFKA_LOG_DIR MODE POLL_SECONDS RUNTIME_CONFIG ZOOKEEPER_CONNECT
# Environment: POD_NAME (metadata.name).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

# CLUSTER_ID and ZOOKEEPER_CONNECT are always in params.env; only the one of this mode may be empty.
case "$MODE" in
  kraft) [ -n "$CLUSTER_ID" ] || { echo "[start-kafka] CLUSTER_ID is empty: KRaft mode needs the cluster id" >&2; exit 1; } ;;
  zookeeper) [ -n "$ZOOKEEPER_CONNECT" ] || { echo "[start-kafka] ZOOKEEPER_CONNECT is empty: ZooKeeper mode needs it" >&2; exit 1; } ;;
  *) echo "[start-kafka] MODE must be kraft or zookeeper, not '$MODE'" >&2; exit 1 ;;
esac

ORDINAL="$(pod_ordinal)"

# Never start on another mode's data: a ZooKeeper-mode disk is not a KRaft log, nor the reverse.
MARKER="$DATA_DIR/.kafka-demo-mode"
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" != "$MODE" ]; then
  echo "[start-kafka] refusing to start: $DATA_DIR holds $(cat "$MARKER")-mode data and this node runs $MODE mode" >&2
  exit 1
fi
mkdir -p "$KAFKA_LOG_DIR"
echo "$MODE" >"$MARKER"

sed -e "s/{{NODE_ID}}/$ORDINAL/g" -e "s/{{POD_NAME}}/$POD_NAME/g" "$CONFIG_DIR/server.properties" >"$RUNTIME_CONFIG"
echo "[start-kafka] $POD_NAME: node $ORDINAL, $MODE mode"

if [ "$MODE" = kraft ]; then
  # KRaft: format once with the stack's cluster id. --ignore-formatted leaves a formatted disk
  # untouched, so a restarted pod keeps its data and its cluster id.
  "$KAFKA_HOME/bin/kafka-storage.sh" format --ignore-formatted \
    --cluster-id "$CLUSTER_ID" --config "$RUNTIME_CONFIG"
else
  # ZooKeeper mode: wait until the ensemble serves requests rather than crash-looping on a timeout.
  until zookeeper_serving "$ZOOKEEPER_CONNECT"; do
    echo "[start-kafka] waiting for ZooKeeper ($ZOOKEEPER_CONNECT)"
    sleep "$POLL_SECONDS"
  done
fi

exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$RUNTIME_CONFIG"
