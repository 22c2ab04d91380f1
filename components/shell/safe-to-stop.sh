#!/bin/bash
# safe-to-stop.sh: a broker's preStop hook. Waits (at most STOP_WAIT_SECONDS) until stopping this broker
# leaves every partition at or above its min.insync.replicas: no partition is under its min ISR, and no
# partition at its min ISR has this broker in its ISR while another replica catches up. So a rolling
# restart does not take the next broker
# down while the previous one is still catching up, and acks=all writes keep being accepted. If the
# cluster cannot be asked (no controller, this broker not up) or the wait ends, it lets the stop go on:
# the kubelet would stop the pod at the end of its grace period anyway.
# params: KAFKA_HOME POLL_SECONDS STOP_WAIT_SECONDS
# Environment: POD_NAME (metadata.name).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

# A hook's output is not kept; the broker's own output (PID 1) is what `kubectl logs` shows.
if [ -w /proc/1/fd/1 ]; then exec >>/proc/1/fd/1 2>&1; fi

node="$(pod_ordinal)"
describe() {
  timeout 30 "$KAFKA_HOME/bin/kafka-topics.sh" --bootstrap-server localhost:9092 --describe "$@" 2>/dev/null
}

# at_min_waiting_on_others DESCRIPTION: how many partitions at their min ISR have this node in their ISR
# and a replica outside it, i.e. one still catching up: stopping this node now would take them under
# min ISR, and waiting helps. A partition whose every replica is in sync (RF = min ISR, a single broker)
# cannot get better by waiting, and does not hold the stop.
at_min_waiting_on_others() {
  awk -F'\t' -v node="$node" '
    {
      replicas = ""; isr = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^Replicas: /) replicas = substr($i, 11)
        if ($i ~ /^Isr: /) isr = substr($i, 6)
      }
      if (replicas == "") next
      total = split(replicas, r, ","); synced = split(isr, s, ",")
      member = 0
      for (j = 1; j <= synced; j++) if (s[j] == node) member = 1
      if (member && total > synced) count++
    }
    END { print count + 0 }' <<<"$1"
}

deadline=$((SECONDS + STOP_WAIT_SECONDS))
while :; do
  if ! under="$(describe --under-min-isr-partitions)" || ! at="$(describe --at-min-isr-partitions)"; then
    echo "[safe-to-stop] $POD_NAME: the cluster does not answer; stopping"
    exit 0
  fi
  under="$(grep -c "Partition:" <<<"$under" || true)"
  mine="$(at_min_waiting_on_others "$at")"
  if [ "$under" -eq 0 ] && [ "$mine" -eq 0 ]; then
    echo "[safe-to-stop] $POD_NAME: every partition keeps its min ISR without node $node; stopping"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "[safe-to-stop] $POD_NAME: still $under partitions under min ISR, $mine at min ISR with node $node after ${STOP_WAIT_SECONDS}s; stopping anyway"
    exit 0
  fi
  echo "[safe-to-stop] $POD_NAME: waiting: $under partitions under min ISR, $mine at min ISR with node $node in their ISR and a replica catching up"
  sleep "$POLL_SECONDS"
done
