#!/bin/bash
# start-kafka.sh: start this pod's Kafka node: a ZooKeeper-mode broker, a combined KRaft node, or a
# dedicated KRaft broker or controller (params.env says which: MODE, NODE_ROLE, DATA_ROLE).
# Fills this pod's node id (the StatefulSet ordinal plus NODE_ID_OFFSET: kafka-2 is node 2,
# kafka-controller-1 is node 101) and name into a copy of the mounted server.properties, refuses a data
# volume written for another role, formats KRaft storage once (ZooKeeper mode: waits for a serving
# ensemble instead), then execs kafka-server-start.sh. It does not use the image's env-var mapping.
# params: CLIENT_CONFIG CLUSTER_ID CONFIG_DIR CONTROLLER_ENDPOINTS DATA_DIR DATA_ROLE EXTERNAL_LISTENER INITIAL_CONTROLLERS JOIN_WAIT_SECONDS KAFKA_HOME KAFKA_LOG_DIR MODE NODE_ID_OFFSET NODE_ROLE POLL_SECONDS RUNTIME_CONFIG ZOOKEEPER_CONNECT
# Environment: POD_NAME (metadata.name); with external access EXTERNAL_ADDRESSES, `kafka-0=host:port,...`:
# the address outside the cluster each broker advertises on its EXTERNAL listener.
# What the node is (NODE_ROLE) and whether it has an EXTERNAL listener (EXTERNAL_LISTENER) come from
# params.env, written by the same code as server.properties; this script never infers them from its text.
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
case "$NODE_ROLE" in
  broker | combined | controller) ;;
  *) echo "[start-kafka] NODE_ROLE must be broker, combined or controller, not '$NODE_ROLE'" >&2; exit 1 ;;
esac
case "$EXTERNAL_LISTENER" in
  true | false) ;;
  *) echo "[start-kafka] EXTERNAL_LISTENER must be true or false, not '$EXTERNAL_LISTENER'" >&2; exit 1 ;;
esac
if [ "$NODE_ROLE" = controller ] && [ "$EXTERNAL_LISTENER" = true ]; then
  echo "[start-kafka] EXTERNAL_LISTENER is true on a dedicated controller: controllers have no EXTERNAL listener" >&2
  exit 1
fi

NODE_ID="$(( $(pod_ordinal) + NODE_ID_OFFSET ))"

# Never start on another role's data: a ZooKeeper-mode disk is not a KRaft log, a combined node's
# disk is not a dedicated broker's, nor the reverse.
MARKER="$DATA_DIR/.kafka-demo-mode"
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" != "$DATA_ROLE" ]; then
  echo "[start-kafka] refusing to start: $DATA_DIR holds $(cat "$MARKER") data and this node is $DATA_ROLE" >&2
  exit 1
fi
mkdir -p "$KAFKA_LOG_DIR"
echo "$DATA_ROLE" >"$MARKER"

# This broker's external address, if it has an EXTERNAL listener (EXTERNAL_LISTENER; never a controller).
EXTERNAL_ADDRESS=""
if [ "$EXTERNAL_LISTENER" = true ]; then
  IFS=, read -ra entries <<<"${EXTERNAL_ADDRESSES:-}"
  for entry in "${entries[@]}"; do
    if [ "${entry%%=*}" = "$POD_NAME" ]; then EXTERNAL_ADDRESS="${entry#*=}"; fi
  done
  if [[ ! "$EXTERNAL_ADDRESS" =~ ^[][A-Za-z0-9.:-]+:[0-9]+$ ]]; then
    echo "[start-kafka] no external address for $POD_NAME in EXTERNAL_ADDRESSES ('${EXTERNAL_ADDRESSES:-}')" >&2
    exit 1
  fi
fi

sed -e "s/{{NODE_ID}}/$NODE_ID/g" -e "s/{{POD_NAME}}/$POD_NAME/g" -e "s/{{EXTERNAL_ADDRESS}}/$EXTERNAL_ADDRESS/g" \
  "$CONFIG_DIR/server.properties" >"$RUNTIME_CONFIG"
echo "[start-kafka] $POD_NAME: node $NODE_ID, $DATA_ROLE${EXTERNAL_ADDRESS:+, external $EXTERNAL_ADDRESS}"

# other_controllers_listening: true if a controller other than this one accepts connections on its
# CONTROLLER endpoint.
other_controllers_listening() {
  local endpoints endpoint
  IFS=, read -ra endpoints <<<"$CONTROLLER_ENDPOINTS"
  for endpoint in "${endpoints[@]}"; do
    [ "${endpoint%%.*}" = "$POD_NAME" ] && continue
    answers "$endpoint" && return 0
  done
  return 1
}

# The tools this script runs (kafka_tool) get a heap of their own: this pod's KAFKA_HEAP_OPTS is the server's.
TOOL_HEAP_OPTS="-Xmx256M" # kafka-run-class.sh's own default for tools

# quorum_has_leader: true if the controller quorum answers with a leader.
mapfile -t client_settings < <(client_options --command-config)
quorum_has_leader() {
  kafka_tool --timeout 20 kafka-metadata-quorum.sh --bootstrap-controller "$CONTROLLER_ENDPOINTS" \
    "${client_settings[@]}" describe --status 2>/dev/null | grep "^LeaderId:" >/dev/null
}

# shared_archive NAME: the JVM flag that maps the image's class data sharing archive KAFKA_HOME/NAME, if
# the image has one (the apache/kafka image makes storage.jsa and kafka.jsa at its build, for its own
# launcher, which this script takes the place of); nothing otherwise. With it the JVM starts with
# Kafka's classes already parsed: measured here, a broker's port opens in 3.3 s instead of 5.7 s. An
# archive that does not match the JVM or the jars is ignored by the JVM with a warning.
shared_archive() {
  if [ -f "$KAFKA_HOME/$1" ]; then echo " -XX:SharedArchiveFile=$KAFKA_HOME/$1"; fi
}

# first_format: how a dynamic-quorum controller with an empty disk formats it: prints join or initial.
# - No other controller is even listening: the very first start of the cluster; every initial
#   controller formats with the same --initial-controllers voter set (no tool JVM is started).
# - Others listen and the quorum has a leader: join it as a new member, --no-initial-controllers (a
#   fresh random directory id; auto-join makes it a voter, replacing an entry of a lost disk). Never the
#   derived initial id: a voter that lost its log must not vote again under its old identity.
# - Others listen but no leader yet: wait, they are electing (up to JOIN_WAIT_SECONDS); after that the
#   others are initial controllers waiting for this one to form a majority.
# A controller outside the initial set waits until it can join.
first_format() {
  local deadline=$((SECONDS + JOIN_WAIT_SECONDS)) initial=no
  case ",$INITIAL_CONTROLLERS" in *",$NODE_ID@"*) initial=yes ;; esac
  while :; do
    if other_controllers_listening; then
      if quorum_has_leader; then
        echo "[start-kafka] the controller quorum runs: joining it as a new controller" >&2
        echo join
        return
      fi
      if [ "$initial" = yes ] && [ "$SECONDS" -ge "$deadline" ]; then
        echo "[start-kafka] the other controllers have no leader after ${JOIN_WAIT_SECONDS}s: formatting as an initial controller" >&2
        echo initial
        return
      fi
    elif [ "$initial" = yes ]; then
      echo "[start-kafka] no other controller runs: formatting as an initial controller" >&2
      echo initial
      return
    fi
    echo "[start-kafka] waiting for the controller quorum ($CONTROLLER_ENDPOINTS)" >&2
    sleep "$POLL_SECONDS"
  done
}

if [ "$MODE" = kraft ]; then
  # KRaft: format once with the stack's cluster id. --ignore-formatted leaves a formatted disk
  # untouched, so a restarted pod keeps its data, its cluster id and its directory id.
  format=(--ignore-formatted --cluster-id "$CLUSTER_ID" --config "$RUNTIME_CONFIG")
  if [ -n "$INITIAL_CONTROLLERS" ]; then  # a controller of a dynamic quorum: the tool needs a flag
    if [ -f "$KAFKA_LOG_DIR/meta.properties" ]; then
      format+=(--no-initial-controllers)  # ignored on a formatted disk
    elif [ "$(first_format)" = initial ]; then
      format+=(--initial-controllers "$INITIAL_CONTROLLERS")
    else
      format+=(--no-initial-controllers)
    fi
  fi
  KAFKA_JVM_PERFORMANCE_OPTS="$TOOL_JVM_OPTS$(shared_archive storage.jsa)" KAFKA_HEAP_OPTS="$TOOL_HEAP_OPTS" \
    "$KAFKA_HOME/bin/kafka-storage.sh" format "${format[@]}"
else
  # ZooKeeper mode: wait until the ensemble serves requests rather than crash-looping on a timeout.
  until zookeeper_serving "$ZOOKEEPER_CONNECT"; do
    echo "[start-kafka] waiting for ZooKeeper ($ZOOKEEPER_CONNECT)"
    sleep "$POLL_SECONDS"
  done
fi

# The server keeps kafka-run-class.sh's own JVM flags (KAFKA_JVM_PERFORMANCE_OPTS replaces them, so they are
# repeated here), with the image's archive added.
SERVER_JVM_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35"
SERVER_JVM_OPTS+=" -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:-$SERVER_JVM_OPTS}$(shared_archive kafka.jsa)"
export KAFKA_JVM_PERFORMANCE_OPTS
exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$RUNTIME_CONFIG"
