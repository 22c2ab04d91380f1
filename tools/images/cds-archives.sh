#!/usr/bin/env bash
# Make the class data sharing archives the apache/kafka image ships, the way its build makes them (its
# Dockerfile runs a script that formats a storage directory and starts a server, each JVM with
# -XX:ArchiveClassesAtExit): KAFKA_HOME/storage.jsa from `kafka-storage.sh format`, KAFKA_HOME/kafka.jsa
# from a single-node KRaft server that starts, creates a topic and stops. The JVM that runs this is the
# one the archives are for, and KAFKA_HOME must be at the path the pods see it at (an archive records the
# class path).
#   cds-archives.sh KAFKA_HOME WORK_DIR
# The server listens on 127.0.0.1:19092 and :19093: the caller gives this script a network namespace of
# its own (tools/images/build.sh for the local cluster's images, tests/realkafka/harness.py for its pods).
set -euo pipefail
home="${1:?usage: cds-archives.sh KAFKA_HOME WORK_DIR}"
work="${2:?usage: cds-archives.sh KAFKA_HOME WORK_DIR}"
mkdir -p "$work/data"
cat >"$work/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:19093
listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093
advertised.listeners=PLAINTEXT://127.0.0.1:19092
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/data
offsets.topic.replication.factor=1
EOF
rm -f "$home/storage.jsa" "$home/kafka.jsa"
KAFKA_JVM_PERFORMANCE_OPTS="-XX:ArchiveClassesAtExit=$home/storage.jsa" \
  "$home/bin/kafka-storage.sh" format --cluster-id MkU3OEVBNTcwNTJENDM2Qk --config "$work/server.properties" >/dev/null
KAFKA_JVM_PERFORMANCE_OPTS="-XX:ArchiveClassesAtExit=$home/kafka.jsa" \
  "$home/bin/kafka-server-start.sh" "$work/server.properties" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 240); do
  if (exec 3<>/dev/tcp/127.0.0.1/19092) 2>/dev/null; then break; fi
  kill -0 "$server" 2>/dev/null || { tail -n 20 "$work/server.log" >&2; echo "cds-archives: the server exited" >&2; exit 1; }
  sleep 0.5
done
"$home/bin/kafka-topics.sh" --bootstrap-server 127.0.0.1:19092 --create --topic cds --partitions 1 --replication-factor 1 >/dev/null
kill -TERM "$server"
wait "$server" || true # the JVM writes the archive as it exits
for archive in storage.jsa kafka.jsa; do
  [ -s "$home/$archive" ] || { tail -n 20 "$work/server.log" >&2; echo "cds-archives: no $home/$archive" >&2; exit 1; }
done
