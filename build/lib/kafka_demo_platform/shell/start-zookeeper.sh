#!/bin/bash
# start-zookeeper.sh: start this pod's ZooKeeper server. Writes its myid (the StatefulSet ordinal
# + 1: zookeeper-0 is server.1 in zoo.cfg), then execs zkServer.sh start-foreground on the mounted
# zoo.cfg (identical on every pod).
# params: CONFIG_DIR ZK_DATA_DIR ZK_DATA_LOG_DIR ZK_SERVER_SH
# Environment: POD_NAME (metadata.name).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

ORDINAL="$(pod_ordinal)"
MYID=$((ORDINAL + 1))

mkdir -p "$ZK_DATA_DIR" "$ZK_DATA_LOG_DIR"
echo "$MYID" >"$ZK_DATA_DIR/myid"
echo "[start-zookeeper] $POD_NAME: myid $MYID"

exec "$ZK_SERVER_SH" start-foreground "$CONFIG_DIR/zoo.cfg"
