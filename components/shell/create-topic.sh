#!/bin/bash
# create-topic.sh: create TOPIC if missing, grow its partitions to PARTITIONS, set its
# min.insync.replicas: safe to run any number of times. Refuses what Kafka cannot do in place:
# fewer partitions, or another replication factor.
# params: BOOTSTRAP_SERVERS CLIENT_CONFIG KAFKA_HOME MIN_INSYNC_REPLICAS PARTITIONS POLL_SECONDS REPLICATION_FACTOR TOPIC
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

# Creation fails until enough brokers have registered for the replication factor: retry.
until created="$(kafka_cli kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --create --if-not-exists --topic "$TOPIC" \
  --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR" --config min.insync.replicas="$MIN_INSYNC_REPLICAS")"; do
  echo "[topic] cluster not ready to create '$TOPIC' (RF $REPLICATION_FACTOR) yet; retrying"
  sleep "$POLL_SECONDS"
done
[ -z "$created" ] || echo "$created"
# Created just now: with exactly the partitions, replication factor and min.insync.replicas asked for, so
# there is nothing to compare or change (and no further tool to start). Otherwise it existed: check it.
if [[ "$created" == *"Created topic $TOPIC."* ]]; then
  echo "[topic] '$TOPIC' ready: $PARTITIONS partitions, replication factor $REPLICATION_FACTOR, min.insync.replicas $MIN_INSYNC_REPLICAS"
  exit 0
fi

describe="$(kafka_cli kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --describe --topic "$TOPIC")"

# described FIELD: the number after "FIELD:" in the description ("PartitionCount: 3"); an error
# naming the field if it is not there, rather than comparing an empty string further down.
described() {
  local pattern="$1: *([0-9]+)"
  if [[ ! $describe =~ $pattern ]]; then
    echo "[topic] no $1 in the description of '$TOPIC': $describe" >&2
    return 1
  fi
  echo "${BASH_REMATCH[1]}"
}
current_partitions="$(described PartitionCount)"
current_replication="$(described ReplicationFactor)"

if [ "$current_replication" != "$REPLICATION_FACTOR" ]; then
  echo "[topic] '$TOPIC' has replication factor $current_replication, config asks for $REPLICATION_FACTOR:" \
    "changing it needs a partition reassignment (kafka-reassign-partitions.sh), not this job" >&2
  exit 1
fi
if [ "$current_partitions" -gt "$PARTITIONS" ]; then
  echo "[topic] '$TOPIC' has $current_partitions partitions, config asks for $PARTITIONS: Kafka cannot remove partitions" >&2
  exit 1
fi
if [ "$current_partitions" -lt "$PARTITIONS" ]; then
  echo "[topic] growing '$TOPIC' from $current_partitions to $PARTITIONS partitions (keys may map to new partitions)"
  kafka_cli kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --alter --topic "$TOPIC" --partitions "$PARTITIONS"
fi
kafka_cli kafka-configs.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --alter --entity-type topics --entity-name "$TOPIC" \
  --add-config min.insync.replicas="$MIN_INSYNC_REPLICAS"
echo "[topic] '$TOPIC' ready: $PARTITIONS partitions, replication factor $REPLICATION_FACTOR, min.insync.replicas $MIN_INSYNC_REPLICAS"
