#!/bin/bash
# consumer.sh: once TOPIC exists, print its records (partition, offset, key, value) with the
# console consumer. GROUP_ID set: a consumer group with committed offsets. GROUP_ID empty: the
# seed's behaviour, no group of ours and the whole topic from offset 0 on every start.
# params: BOOTSTRAP_SERVERS CLIENT_CONFIG GROUP_ID KAFKA_HOME POLL_SECONDS TOPIC
# Environment: POD_NAME (optional; the client.id).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

wait_for_topic consumer

if [ -n "$GROUP_ID" ]; then
  # A restart resumes after the last commit (at-least-once); --from-beginning only applies while
  # the group has no committed offsets yet.
  mode_args=(--group "$GROUP_ID" --from-beginning
    --consumer-property enable.auto.commit=true --consumer-property auto.commit.interval.ms=1000)
  what="in consumer group '$GROUP_ID' from its committed offsets"
else
  mode_args=(--from-beginning)
  what="from the beginning (no consumer group, re-reads everything on every start)"
fi
echo "[consumer] Starting consumer, reading topic '$TOPIC' $what"

mapfile -t client_settings < <(client_options --consumer.config)
exec "$KAFKA_HOME/bin/kafka-console-consumer.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --topic "$TOPIC" \
  "${mode_args[@]}" "${client_settings[@]}" \
  --consumer-property client.id="${POD_NAME:-consumer}" \
  --property print.partition=true --property print.offset=true --property print.key=true
