#!/usr/bin/env bash
# The slow builds of the kube and cluster tiers (Kubernetes, the Pulumi engine, CoreDNS, the provisioner,
# the local images: ~35 minutes cold on 2 cores, seconds warm). scripts/test.sh runs this in the
# background at low priority while the verify gate and the real-Kafka tier run, which need none of it:
#   scripts/lib/builds.sh DIR PART...      PART: kube, cluster (cluster needs kube too)
# The builds run in three lanes at once: Kubernetes; the Pulumi engine; CoreDNS, the provisioner and the
# images (the local cluster's build, which takes the Kubernetes binaries last, waiting for the first lane:
# tools/kube/build.sh holds a lock). A Go build leaves a core idle while it downloads modules or links a
# binary (one thread); another lane's compiler uses it meanwhile.
# For each part it writes DIR/PART.env (NAME=value lines the tier's tests add to their environment), then
# DIR/PART.status (the exit code, 0 for built); a part fails if any of its lanes does. Everything the
# builds print goes to DIR/log, each line prefixed with its lane. The tests wait for a part's status
# (tests/helpers.py: await_build).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${1:?usage: builds.sh DIR PART...}"
shift
cache="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
# lane NAME COMMAND...: run COMMAND with its output in the log (lines prefixed [NAME]), its exit code in
# DIR/lane-NAME.status, and how long it took.
lane() {
  local name="$1" started=$SECONDS code
  shift
  echo "== lane $name"
  "$@" 2>&1 | sed -u "s/^/[$name] /"
  code=${PIPESTATUS[0]}
  echo "== lane $name: exit $code after $((SECONDS - started))s"
  echo "$code" >"$dir/lane-$name.status"
}

build_kube() {
  local bin
  bin="$("$repo/tools/kube/build.sh" "$cache")" || return
  printf 'KAFKA_DEMO_KUBE_BIN=%s\n' "$bin" >"$dir/kube.env"
}

build_engine() {
  local exports name
  exports="$("$repo/tools/pulumi/engine.sh" "$cache" "$repo/.venv-engine")" || return
  eval "$exports"
  # The variables engine.sh exports, with their values (PATH expanded here).
  sed -n 's/^export \([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' <<<"$exports" | while read -r name; do
    printf '%s=%s\n' "$name" "${!name}"
  done >"$dir/cluster.env"
}

# await_lanes PART LANE...: when every LANE has ended, write PART's status (the first failure's code).
await_lanes() {
  local part="$1" name code=0
  shift
  for name in "$@"; do
    while [ ! -f "$dir/lane-$name.status" ]; do sleep 1; done
    [ "$code" != 0 ] || code="$(cat "$dir/lane-$name.status")"
  done
  echo "$code" >"$dir/$part.status"
  echo "== build $part: exit $code after ${SECONDS}s"
}

exec >>"$dir/log" 2>&1
parts=("$@")
lane kube build_kube &
for part in "${parts[@]}"; do
  if [ "$part" = cluster ]; then
    lane engine build_engine &
    lane images "$repo/scripts/local-cluster.sh" build &
  fi
done
for part in "${parts[@]}"; do
  case "$part" in
    kube) await_lanes kube kube ;;
    cluster) await_lanes cluster kube engine images ;;
    *) echo "builds.sh: unknown part $part" && echo 2 >"$dir/$part.status" ;;
  esac
done
wait
# Exit status (for a caller that waits for the whole, such as scripts/bench.sh): the first failed part's.
for part in "${parts[@]}"; do
  code="$(cat "$dir/$part.status")"
  [ "$code" = 0 ] || exit "$code"
done
