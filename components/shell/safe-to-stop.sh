#!/bin/bash
# safe-to-stop.sh: a broker's preStop hook. Waits (at most STOP_WAIT_SECONDS) until stopping this broker
# leaves every partition at or above its min.insync.replicas: while a replica on a running broker is
# catching up (outside the ISR), no partition may be under its min ISR, and none at its min ISR may have
# this broker in its ISR (BROKER_ADDRESS: host:port of broker {id}). So a rolling restart does not take
# the next broker
# down while the previous one is still catching up, and acks=all writes keep being accepted. If the
# cluster cannot be asked (no controller, this broker not up) or the wait ends, it lets the stop go on:
# the kubelet would stop the pod at the end of its grace period anyway.
# params: BROKER_ADDRESS CLIENT_CONFIG KAFKA_HOME LOCAL_BOOTSTRAP POLL_SECONDS STOP_WAIT_SECONDS
# Environment: POD_NAME (metadata.name).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

# A hook's output is not kept; the broker's own output (PID 1) is what `kubectl logs` shows.
if [ -w /proc/1/fd/1 ]; then exec >>/proc/1/fd/1 2>&1; fi

node="$(pod_ordinal)"
TOOL_HEAP_OPTS="-Xmx256M" # kafka-run-class.sh's own default for tools: this pod's KAFKA_HEAP_OPTS is the broker's
mapfile -t client_settings < <(client_options --command-config)
describe() {
  kafka_tool --timeout 30 kafka-topics.sh --bootstrap-server "$LOCAL_BOOTSTRAP" --describe "$@" "${client_settings[@]}" 2>/dev/null
}

# waiting_helps DESCRIPTION MINE: how many partitions of DESCRIPTION (kafka-topics --describe lines) have a
# replica outside the ISR on a broker that is up, i.e. catching up; with MINE=yes only those with this node
# in their ISR. Waiting helps only those: a roll restarts the next broker once the previous one is up again,
# while a replica on a broker that is down (a destroy, a scale-down, a crash) will not come back by waiting.
waiting_helps() {
  local count=0 member behind id address
  while read -r member behind; do
    [ -n "$behind" ] || continue
    [ "$2" = yes ] && [ "$member" = no ] && continue
    for id in ${behind//,/ }; do
      address="${BROKER_ADDRESS//\{id\}/$id}"
      if answers "$address"; then
        count=$((count + 1))
        break
      fi
    done
  done < <(awk -F'\t' -v node="$node" '
    {
      replicas = ""; isr = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^Replicas: /) replicas = substr($i, 11)
        if ($i ~ /^Isr: /) isr = substr($i, 6)
      }
      if (replicas == "") next
      delete synced
      member = "no"
      n = split(isr, s, ",")
      for (j = 1; j <= n; j++) { synced[s[j]] = 1; if (s[j] == node) member = "yes" }
      behind = ""
      n = split(replicas, r, ",")
      for (j = 1; j <= n; j++) if (!(r[j] in synced)) behind = behind (behind == "" ? "" : ",") r[j]
      print member, behind
    }' <<<"$1")
  echo "$count"
}

deadline=$((SECONDS + STOP_WAIT_SECONDS))
while :; do
  if ! under="$(describe --under-min-isr-partitions)" || ! at="$(describe --at-min-isr-partitions)"; then
    echo "[safe-to-stop] $POD_NAME: the cluster does not answer; stopping"
    exit 0
  fi
  under="$(waiting_helps "$under" no)"
  mine="$(waiting_helps "$at" yes)"
  if [ "$under" -eq 0 ] && [ "$mine" -eq 0 ]; then
    echo "[safe-to-stop] $POD_NAME: no partition waits on a catching-up replica that needs node $node; stopping"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "[safe-to-stop] $POD_NAME: after ${STOP_WAIT_SECONDS}s still $under partitions under min ISR and $mine at min ISR with node $node, waiting on catching-up replicas; stopping anyway"
    exit 0
  fi
  echo "[safe-to-stop] $POD_NAME: waiting: $under partitions under min ISR and $mine at min ISR with node $node in their ISR wait on a catching-up replica"
  sleep "$POLL_SECONDS"
done
