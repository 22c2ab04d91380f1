"""Shell scripts for the Kafka clients: topic creation, the producer and the consumer.

They run in the Kafka image with its stock `bin/` tools. None of them sleeps a fixed time to
"give Kafka time": each polls the cluster until what it needs (brokers, the topic) is there.
"""

from __future__ import annotations

import shlex

from .kafka_config import KAFKA_HOME
from .naming import bootstrap_servers
from .settings import Settings

_PRELUDE = """#!/bin/bash
set -euo pipefail
BIN={home}/bin
BOOTSTRAP={bootstrap}
TOPIC={topic}
"""

_WAIT_FOR_TOPIC = """
# Poll until the topic exists (brokers up, topic job done); no fixed sleeps.
until "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --describe --topic "$TOPIC" 2>/dev/null | grep -q "PartitionCount"; do
  echo "[{who}] waiting for topic '$TOPIC' on $BOOTSTRAP"
  sleep 3
done
"""


def _prelude(settings: Settings) -> str:
    return _PRELUDE.format(
        home=KAFKA_HOME,
        bootstrap=shlex.quote(bootstrap_servers(settings)),
        topic=shlex.quote(settings.topic.name),
    )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def topic_script(settings: Settings) -> str:
    """Create the topic if missing, grow its partitions, set min ISR: safe to run any number of times."""
    topic = settings.topic
    return _prelude(settings) + f"""PARTITIONS={topic.partitions}
REPLICATION={topic.replication_factor}
MIN_ISR={topic.min_insync_replicas}

# Creation fails until enough brokers have registered for the replication factor: retry.
until "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$TOPIC" \\
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION" --config min.insync.replicas="$MIN_ISR"; do
  echo "[topic] cluster not ready to create '$TOPIC' (RF $REPLICATION) yet; retrying"
  sleep 3
done

describe="$("$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --describe --topic "$TOPIC")"
current_partitions="$(printf '%s\\n' "$describe" | sed -n 's/.*PartitionCount: *\\([0-9]*\\).*/\\1/p' | head -n1)"
current_replication="$(printf '%s\\n' "$describe" | sed -n 's/.*ReplicationFactor: *\\([0-9]*\\).*/\\1/p' | head -n1)"

if [ "$current_replication" != "$REPLICATION" ]; then
  echo "[topic] '$TOPIC' has replication factor $current_replication, config asks for $REPLICATION:" \\
       "changing it needs a partition reassignment (kafka-reassign-partitions.sh), not this job" >&2
  exit 1
fi
if [ "$current_partitions" -gt "$PARTITIONS" ]; then
  echo "[topic] '$TOPIC' has $current_partitions partitions, config asks for $PARTITIONS: Kafka cannot remove partitions" >&2
  exit 1
fi
if [ "$current_partitions" -lt "$PARTITIONS" ]; then
  echo "[topic] growing '$TOPIC' from $current_partitions to $PARTITIONS partitions (keys may map to new partitions)"
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --alter --topic "$TOPIC" --partitions "$PARTITIONS"
fi
"$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type topics --entity-name "$TOPIC" \\
  --add-config min.insync.replicas="$MIN_ISR"
echo "[topic] '$TOPIC' ready: $PARTITIONS partitions, replication factor $REPLICATION, min.insync.replicas $MIN_ISR"
"""


def producer_script(settings: Settings) -> str:
    """One long-lived console producer fed by a loop: one JVM, not one per event."""
    producer = settings.producer
    keyed = producer.key_count > 0
    key_args = "--property parse.key=true --property 'key.separator=|' " if keyed else ""
    line = (
        f'key="order-$(( (count - 1) % {producer.key_count} + 1 ))"\n'
        '    printf \'%s|%s\\n\' "$key" "$message"\n'
        '    echo "[producer] Sent: $message (key $key)" >&2'
        if keyed
        else 'printf \'%s\\n\' "$message"\n    echo "[producer] Sent: $message" >&2'
    )
    return _prelude(settings) + _WAIT_FOR_TOPIC.format(who="producer") + f"""
echo "[producer] Starting producer, sending to topic '$TOPIC' every {_seconds(producer.interval_seconds)}s" \\
     "(acks={producer.acks}, idempotence={str(producer.idempotence).lower()}, keys: {producer.key_count or 'none'})"

events() {{
  count=0
  while true; do
    count=$((count + 1))
    message="event-${{count}}: order-placed at $(date '+%Y-%m-%d %H:%M:%S')"
    {line}
    sleep {_seconds(producer.interval_seconds)}
  done
}}

# If the producer exits, pipefail ends the pod and Kubernetes restarts it.
events | "$BIN/kafka-console-producer.sh" --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" \\
  --producer-property acks={producer.acks} \\
  --producer-property enable.idempotence={str(producer.idempotence).lower()} \\
  --producer-property client.id="${{POD_NAME:-producer}}" \\
  {key_args}--timeout 100
"""


def consumer_script(settings: Settings) -> str:
    consumer = settings.consumer
    if consumer.from_beginning:
        # The seed's behaviour: no group of ours, every start re-reads the topic from offset 0.
        mode = "--from-beginning"
        what = "from the beginning (no consumer group, re-reads everything on every start)"
    else:
        # A consumer group with committed offsets: a restart resumes after the last commit
        # (at-least-once); --from-beginning only applies while the group has no offsets yet.
        mode = (
            f"--group {shlex.quote(consumer.group_id)} --from-beginning "
            "--consumer-property enable.auto.commit=true --consumer-property auto.commit.interval.ms=1000"
        )
        what = f"in consumer group '{consumer.group_id}' from its committed offsets"
    return _prelude(settings) + _WAIT_FOR_TOPIC.format(who="consumer") + f"""
echo "[consumer] Starting consumer, reading topic '$TOPIC' {what}"
exec "$BIN/kafka-console-consumer.sh" --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" \\
  {mode} \\
  --consumer-property client.id="${{POD_NAME:-consumer}}" \\
  --property print.partition=true --property print.offset=true --property print.key=true
"""
