#!/usr/bin/env bash
# The slow builds of the kube and cluster tiers (Kubernetes, the Pulumi engine, CoreDNS, the provisioner,
# the local images: ~35 minutes cold on 2 cores, seconds warm). scripts/test.sh runs this in the
# background at low priority while the unit and real-Kafka tiers run, which need none of it:
#   scripts/lib/builds.sh DIR PART...      PART: kube, cluster (cluster needs kube first)
# For each part in order it writes DIR/PART.env (NAME=value lines the tier's tests add to their
# environment), then DIR/PART.status (the exit code, 0 for built). When a part fails, it and every later
# part get its exit code. Everything the builds print goes to DIR/log. The tests wait for a part's status
# (tests/helpers.py: await_build).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${1:?usage: builds.sh DIR PART...}"
shift
cache="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"

build_kube() {
  local bin
  bin="$("$repo/tools/kube/build.sh" "$cache")" || return
  printf 'KAFKA_DEMO_KUBE_BIN=%s\n' "$bin" >"$dir/kube.env"
}

build_cluster() {
  local exports name
  exports="$("$repo/tools/pulumi/engine.sh" "$cache" "$repo/.venv-engine")" || return
  eval "$exports"
  # The variables engine.sh exports, with their values (PATH expanded here).
  sed -n 's/^export \([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' <<<"$exports" | while read -r name; do
    printf '%s=%s\n' "$name" "${!name}"
  done >"$dir/cluster.env"
  "$repo/scripts/local-cluster.sh" build
}

exec >>"$dir/log" 2>&1
for part in "$@"; do
  started=$SECONDS
  echo "== build $part"
  "build_$part"
  code=$?
  echo "== build $part: exit $code after $((SECONDS - started))s"
  if [ "$code" != 0 ]; then
    for failed in "$@"; do [ -f "$dir/$failed.status" ] || echo "$code" >"$dir/$failed.status"; done
    exit "$code"
  fi
  echo 0 >"$dir/$part.status"
done
