#!/bin/bash
# lib.sh: the snippets the kafka-demo scripts share, written once. Sourced, never run: each script
# sources it from its own directory before params.env.
# It has no "# params:" line of its own: each function lists the variables it reads, and every
# script calling a function declares those in its own "# params:" line.
set -euo pipefail

# pod_ordinal: print this pod's StatefulSet ordinal, the trailing -N of POD_NAME (kafka-2 -> 2).
# Reads POD_NAME from the environment (the pod sets it from metadata.name). Without an ordinal it
# prints an error tagged with the calling script's name ([start-kafka] ...) and returns 1, so that
# `x="$(pod_ordinal)"` ends a `set -e` script.
pod_ordinal() {
  local who="${0##*/}" ordinal
  who="${who%.sh}"
  if [ -z "${POD_NAME:-}" ]; then
    echo "[$who] POD_NAME must be set (from metadata.name)" >&2
    return 1
  fi
  ordinal="${POD_NAME##*-}"
  case "$ordinal" in
    '' | *[!0-9]*)
      echo "[$who] no ordinal in pod name $POD_NAME" >&2
      return 1
      ;;
  esac
  # 10#: base ten, even if the ordinal had a leading zero (08 would be a bad octal number).
  echo "$((10#$ordinal))"
}

# zookeeper_serving SERVERS: true if any server of SERVERS (host:port,host:port; a /chroot suffix
# is ignored) answers the `srvr` four-letter word with a "Mode: " line, i.e. is part of a serving
# quorum. Plain bash /dev/tcp: the Kafka and ZooKeeper images have no nc.
zookeeper_serving() {
  local servers server reply
  IFS=, read -ra servers <<<"${1%%/*}"
  for server in "${servers[@]}"; do
    reply="$( (exec 3<>"/dev/tcp/${server%:*}/${server##*:}" && printf srvr >&3 && cat <&3) 2>/dev/null || true)"
    case "$reply" in *"Mode: "*) return 0 ;; esac
  done
  return 1
}

# answers HOST:PORT: true if something accepts a TCP connection there within 3 seconds. Bounded: the
# address of a vanished pod may not answer at all. Plain bash /dev/tcp (the images have no nc).
answers() {
  timeout 3 bash -c "exec 3<>/dev/tcp/${1%:*}/${1##*:}" 2>/dev/null
}

# client_options OPTION: the words that point a Kafka tool at CLIENT_CONFIG (the client settings of a
# secured cluster: TLS, SASL) with OPTION (--command-config for admin tools, --producer.config and
# --consumer.config for the console clients), one per line; nothing when CLIENT_CONFIG is empty
# (a PLAINTEXT cluster). Reads CLIENT_CONFIG.
client_options() {
  if [ -n "$CLIENT_CONFIG" ]; then printf '%s\n%s\n' "$1" "$CLIENT_CONFIG"; fi
}

# The JVM flags of a short-lived admin tool, given to kafka-run-class.sh as KAFKA_JVM_PERFORMANCE_OPTS in
# place of its defaults (which suit a server): the C1 compiler alone (no C2 compiler threads for a run of a
# second or two) and the serial collector. Measured on Kafka 4.4.0, one `kafka-topics.sh --list`: 1.4 s of
# CPU with the defaults, 0.85 s with these. The long-lived console clients keep the defaults.
TOOL_JVM_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true"

# kafka_tool [--timeout SECONDS] TOOL ARG...: run KAFKA_HOME/bin/TOOL with ARGs as a short-lived tool
# (TOOL_JVM_OPTS), stopped after SECONDS if given. Its heap: TOOL_HEAP_OPTS if the script set it (a broker's
# or controller's pod, whose KAFKA_HEAP_OPTS is the server's), else the pod's KAFKA_HEAP_OPTS (a Job's,
# sized for the tool). Reads KAFKA_HOME.
kafka_tool() {
  local limit=()
  if [ "$1" = --timeout ]; then
    limit=(timeout "$2")
    shift 2
  fi
  local tool="$1"
  shift
  KAFKA_JVM_PERFORMANCE_OPTS="$TOOL_JVM_OPTS" KAFKA_HEAP_OPTS="${TOOL_HEAP_OPTS:-${KAFKA_HEAP_OPTS:-}}" \
    "${limit[@]}" "$KAFKA_HOME/bin/$tool" "$@"
}

# kafka_cli TOOL ARG...: run the admin tool TOOL (kafka_tool) with ARGs and the client settings
# (client_options --command-config). Reads KAFKA_HOME CLIENT_CONFIG.
kafka_cli() {
  local tool="$1" options
  shift
  mapfile -t options < <(client_options --command-config)
  # Before the ARGs: kafka-metadata-quorum takes it only ahead of its subcommand.
  kafka_tool "$tool" "${options[@]}" "$@"
}

# wait_for_brokers WHO: poll every second until a broker of BOOTSTRAP_SERVERS accepts connections,
# logging as [WHO] (to stderr: a caller's stdout may be a pipe into a Kafka client). Plain bash, no JVM:
# a client created beside the brokers waits here without taking CPU from them while they start.
# Reads BOOTSTRAP_SERVERS.
wait_for_brokers() {
  local who="$1" servers server tries=0
  IFS=, read -ra servers <<<"$BOOTSTRAP_SERVERS"
  while :; do
    for server in "${servers[@]}"; do
      answers "$server" && return 0
    done
    # Said at the first try and every 30 s after it: the wait may last as long as the brokers' start.
    if ((tries % 30 == 0)); then echo "[$who] waiting for a broker of $BOOTSTRAP_SERVERS" >&2; fi
    tries=$((tries + 1))
    sleep 1
  done
}

# wait_for_topic WHO: wait for a broker (wait_for_brokers), then poll until TOPIC exists (topic job
# done), logging as [WHO] to stderr; no fixed sleeps. Reads KAFKA_HOME BOOTSTRAP_SERVERS CLIENT_CONFIG
# TOPIC POLL_SECONDS.
wait_for_topic() {
  local who="$1"
  wait_for_brokers "$who"
  # --list, not --describe: a describe also reads the topic's configs, which a least-privilege client
  # (an ACL for Write or Read, and Describe) may not. grep without -q reads the whole list: grep -q may
  # exit at the first match, and the tool's SIGPIPE would then fail the pipeline (pipefail).
  until kafka_cli kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" --list --topic "$TOPIC" 2>/dev/null |
    grep -Fx -- "$TOPIC" >/dev/null; do
    echo "[$who] waiting for topic '$TOPIC' on $BOOTSTRAP_SERVERS" >&2
    sleep "$POLL_SECONDS"
  done
}
