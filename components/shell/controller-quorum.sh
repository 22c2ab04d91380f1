#!/bin/bash
# controller-quorum.sh: make the KRaft voter set exactly the controllers the stack runs, after an up that
# may have changed their count (a Job of the KafkaBroker component, run after both StatefulSets).
# Controllers on an empty disk join by themselves (controller.quorum.auto.join.enable); this removes the
# voters that are no longer wanted (node ids outside FIRST_NODE_ID..FIRST_NODE_ID+CONTROLLERS-1: the pods
# a scale-down stopped) and waits until every wanted controller is a voter. Idempotent: on an unchanged
# quorum it only checks. A voter removed while its pod is still stopping may join again: the loop
# removes it again until it is gone.
# params: BOOTSTRAP_SERVERS CLIENT_CONFIG CONTROLLERS FIRST_NODE_ID KAFKA_HOME POLL_SECONDS
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

wanted="$(seq "$FIRST_NODE_ID" $((FIRST_NODE_ID + CONTROLLERS - 1)) | tr '\n' ' ')"

quorum() {
  kafka_cli kafka-metadata-quorum.sh --bootstrap-server "$BOOTSTRAP_SERVERS" "$@"
}

# voters: "<node id> <directory id>" per voter, from `describe --status`
# (CurrentVoters: [{"id": 100, "directoryId": "...", "endpoints": [...]}, ...]).
voters() {
  local status
  status="$(quorum describe --status)" || return 1
  sed -n 's/^CurrentVoters:[[:space:]]*//p' <<<"$status" |
    grep -o '"id": *[0-9]*, *"directoryId": *"[^"]*"' |
    sed 's/"id": *\([0-9]*\), *"directoryId": *"\([^"]*\)"/\1 \2/' || true
}

echo "[controller-quorum] wanted voters: $wanted"
while :; do
  if ! current="$(voters 2>/dev/null)" || [ -z "$current" ]; then
    echo "[controller-quorum] waiting for the quorum (via $BOOTSTRAP_SERVERS)"
    sleep "$POLL_SECONDS"
    continue
  fi
  have=""
  while read -r id directory; do
    if [ "$id" -lt "$FIRST_NODE_ID" ] || [ "$id" -ge $((FIRST_NODE_ID + CONTROLLERS)) ]; then
      echo "[controller-quorum] removing voter $id (directory $directory): no longer one of the stack's controllers"
      quorum remove-controller --controller-id "$id" --controller-directory-id "$directory" ||
        echo "[controller-quorum] removing voter $id failed; trying again"
    else
      have+="$id "
    fi
  done <<<"$current"
  have="$(tr ' ' '\n' <<<"$have" | sed '/^$/d' | sort -n | tr '\n' ' ')"
  if [ "$have" = "$wanted" ] && [ "$(wc -l <<<"$current")" -eq "$CONTROLLERS" ]; then
    echo "[controller-quorum] voters: $have- done"
    exit 0
  fi
  echo "[controller-quorum] voters: ${have:-none}; waiting for: $wanted"
  sleep "$POLL_SECONDS"
done
