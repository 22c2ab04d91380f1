#!/bin/bash
# safe-to-stop.sh: a broker's preStop hook. Waits (at most STOP_WAIT_SECONDS) until stopping this broker
# leaves every partition at or above its min.insync.replicas: no partition is under its min ISR, and no
# partition at its min ISR has this broker in its ISR. So a rolling restart does not take the next broker
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

deadline=$((SECONDS + STOP_WAIT_SECONDS))
while :; do
  if ! under="$(describe --under-min-isr-partitions)" || ! at="$(describe --at-min-isr-partitions)"; then
    echo "[safe-to-stop] $POD_NAME: the cluster does not answer; stopping"
    exit 0
  fi
  under="$(grep -c "Partition:" <<<"$under" || true)"
  mine="$(grep -Ec "Isr: ([0-9]+,)*$node([,[:space:]]|$)" <<<"$at" || true)"
  if [ "$under" -eq 0 ] && [ "$mine" -eq 0 ]; then
    echo "[safe-to-stop] $POD_NAME: every partition keeps its min ISR without node $node; stopping"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "[safe-to-stop] $POD_NAME: still $under partitions under min ISR, $mine at min ISR with node $node after ${STOP_WAIT_SECONDS}s; stopping anyway"
    exit 0
  fi
  echo "[safe-to-stop] $POD_NAME: waiting: $under partitions under min ISR, $mine at min ISR with node $node in their ISR"
  sleep "$POLL_SECONDS"
done
