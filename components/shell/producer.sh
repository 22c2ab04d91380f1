#!/bin/bash
# producer.sh: once TOPIC exists, send an "event-N: order-placed at <time>" line every
# INTERVAL_SECONDS through one long-lived console producer (one JVM, not one per event).
# KEY_COUNT > 0 keys the events order-1..order-KEY_COUNT in turn; 0 sends them without keys.
# Without client settings (a PLAINTEXT cluster) the console producer starts as soon as a broker answers: its
# JVM start overlaps the topic's creation, and event-1 is written once the topic is listed. With them (TLS,
# SCRAM) it starts only once the topic is listed with them, i.e. its user and ACLs exist: a producer started
# before them fails its sends for good while this script goes on logging "Sent" (found by the whole-path
# tier, where the clients start beside the users Job).
# params: ACKS BOOTSTRAP_SERVERS CLIENT_CONFIG IDEMPOTENCE INTERVAL_SECONDS KAFKA_HOME KEY_COUNT POLL_SECONDS TOPIC
# Environment: POD_NAME (optional; the client.id).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

topic_listed=no
if [ -n "$CLIENT_CONFIG" ]; then
  wait_for_topic producer
  topic_listed=yes
else
  wait_for_brokers producer
fi

key_args=()
keys=none
if ((KEY_COUNT > 0)); then
  # Lines are "key|value".
  key_args=(--property parse.key=true --property 'key.separator=|')
  keys="$KEY_COUNT"
fi
echo "[producer] Starting producer, sending to topic '$TOPIC' every ${INTERVAL_SECONDS}s" \
  "(acks=$ACKS, idempotence=$IDEMPOTENCE, keys: $keys)"

events() {
  local count=0 message key
  [ "$topic_listed" = yes ] || wait_for_topic producer # stdout is the console producer's input: it says nothing there
  while true; do
    count=$((count + 1))
    message="event-${count}: order-placed at $(date '+%Y-%m-%d %H:%M:%S')"
    if ((KEY_COUNT > 0)); then
      key="order-$(((count - 1) % KEY_COUNT + 1))"
      printf '%s|%s\n' "$key" "$message"
      echo "[producer] Sent: $message (key $key)" >&2
    else
      printf '%s\n' "$message"
      echo "[producer] Sent: $message" >&2
    fi
    sleep "$INTERVAL_SECONDS"
  done
}

mapfile -t client_settings < <(client_options --producer.config)
# The pipeline runs in the background and this script waits for it: as the container's PID 1 this bash
# gets no SIGTERM it has no handler for, so it handles it, passing it on to the console producer (which
# sends what it holds and exits) instead of the pod sitting out its grace period until it is killed.
events | "$KAFKA_HOME/bin/kafka-console-producer.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --topic "$TOPIC" \
  --producer-property acks="$ACKS" \
  --producer-property enable.idempotence="$IDEMPOTENCE" \
  --producer-property client.id="${POD_NAME:-producer}" \
  "${key_args[@]}" "${client_settings[@]}" --timeout 100 &
producer=$!
trap 'kill -TERM "$producer" 2>/dev/null || true' TERM
# If the console producer exits, so does the pod (with its code), and Kubernetes restarts it. `wait` also
# returns when the trap has run: then wait again, for the producer's own exit.
while :; do
  code=0
  wait "$producer" || code=$?
  kill -0 "$producer" 2>/dev/null || exit "$code"
done
