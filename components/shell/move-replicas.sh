#!/bin/bash
# move-replicas.sh: move partition replicas when the broker count changes; argument drain or spread
# (two Jobs of the KafkaBroker component; `pulumi up` waits for both).
#   drain   runs BEFORE the brokers' StatefulSet changes: moves every replica off the brokers a scale-down
#           is about to stop (ids >= BROKERS) and waits for the reassignment. If that is impossible (a
#           topic's replication factor above BROKERS, a failed reassignment) it fails: the up stops with
#           the tool's message and the StatefulSet is not changed. No broker answering means a new cluster
#           (the first up): nothing to move.
#   spread  runs AFTER the StatefulSet: if a broker of 0..BROKERS-1 holds no replica (new brokers), it
#           spreads all topics over all brokers, so a scale-up adds capacity; otherwise nothing.
# params: BOOTSTRAP_SERVERS BROKERS CLIENT_CONFIG KAFKA_HOME POLL_SECONDS
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

phase="${1:-}"
case "$phase" in drain | spread) ;; *) echo "[move-replicas] usage: move-replicas.sh drain|spread" >&2; exit 2 ;; esac
log() { echo "[move-replicas] $phase: $*"; }
broker_list="$(seq -s, 0 $((BROKERS - 1)))"
work="$(mktemp -d)"

any_broker_answers() {
  local servers server
  IFS=, read -ra servers <<<"$BOOTSTRAP_SERVERS"
  for server in "${servers[@]}"; do
    answers "$server" && return 0
  done
  return 1
}

topics_tool() { kafka_cli kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" "$@"; }
reassign() { kafka_cli kafka-reassign-partitions.sh --bootstrap-server "$BOOTSTRAP_SERVERS" "$@"; }

# replicas: "<topic> <replica ids, comma-separated>" per partition of every topic (internal ones too).
replicas() {
  topics_tool --describe | sed -n 's/.*Topic: \([^[:space:]]*\).*Partition: [0-9]*.*Replicas: \([0-9,]*\).*/\1 \2/p'
}

# move TOPIC...: reassign the topics' partitions onto brokers 0..BROKERS-1 and wait until done.
move() {
  local topic first=yes
  {
    printf '{"version":1,"topics":['
    for topic in "$@"; do
      [ "$first" = yes ] || printf ','
      printf '{"topic":"%s"}' "$topic"
      first=no
    done
    printf ']}\n'
  } >"$work/topics.json"
  if ! reassign --generate --topics-to-move-json-file "$work/topics.json" --broker-list "$broker_list" >"$work/plan.txt" 2>&1; then
    log "cannot place the replicas on brokers $broker_list:"
    cat "$work/plan.txt"
    exit 1
  fi
  sed -n '/^Proposed partition reassignment configuration/{n;p;}' "$work/plan.txt" >"$work/proposed.json"
  [ -s "$work/proposed.json" ] || { log "no proposed assignment in the tool's output:"; cat "$work/plan.txt"; exit 1; }
  reassign --execute --reassignment-json-file "$work/proposed.json" >"$work/execute.txt" 2>&1 || {
    log "starting the reassignment failed:"; cat "$work/execute.txt"; exit 1; }
  log "moving $(grep -o '"partition"' "$work/proposed.json" | wc -l) partitions of $# topics onto brokers $broker_list"
  while :; do
    reassign --verify --reassignment-json-file "$work/proposed.json" >"$work/verify.txt" 2>&1 || true
    if grep -qi "failed" "$work/verify.txt"; then
      log "the reassignment failed:"; cat "$work/verify.txt"; exit 1
    fi
    grep -q "still in progress" "$work/verify.txt" || break
    sleep "$POLL_SECONDS"
  done
  log "reassignment complete"
}

if ! any_broker_answers; then
  log "no broker answers at $BOOTSTRAP_SERVERS: a new cluster, nothing to move"
  exit 0
fi
until current="$(replicas 2>"$work/describe.err")"; do
  log "waiting for the brokers to describe the topics: $(tail -n 1 "$work/describe.err")"
  sleep "$POLL_SECONDS"
done

if [ "$phase" = drain ]; then
  mapfile -t off < <(awk -v n="$BROKERS" '{split($2, ids, ","); for (i in ids) if (ids[i] + 0 >= n) {print $1; break}}' <<<"$current" | sort -u)
  if [ ${#off[@]} -eq 0 ]; then
    log "no replica on brokers >= $BROKERS: nothing to move"
    exit 0
  fi
  move "${off[@]}"
  left="$(replicas | awk -v n="$BROKERS" '{split($2, ids, ","); for (i in ids) if (ids[i] + 0 >= n) print $1}')"
  [ -z "$left" ] || { log "replicas are still on brokers >= $BROKERS: $left"; exit 1; }
else
  empty=()
  for id in $(seq 0 $((BROKERS - 1))); do
    grep -Eq "[ ,]$id(,|$)" <<<"$current" || empty+=("$id")
  done
  if [ ${#empty[@]} -eq 0 ] || [ -z "$current" ]; then
    log "every broker holds replicas: nothing to move"
    exit 0
  fi
  log "brokers without replicas: ${empty[*]}"
  mapfile -t all < <(cut -d' ' -f1 <<<"$current" | sort -u)
  move "${all[@]}"
fi
