#!/usr/bin/env bash
# The test command. On a fresh machine it installs everything the tests need, then runs every tier (after
# the verify gate, the real-Kafka tier beside the kube and cluster tiers: two lanes, see the end):
#   verify    scripts/verify.sh: lint, format, types, shellcheck and the unit tier (the program on
#             Pulumi's mock engine, strict schema validation, checkov scan); stops here if it fails
#   realkafka the rendered config and scripts run as real Kafka/ZooKeeper clusters (tests/realkafka)
#   kube      the rendered manifests on a real kube-apiserver + controller-manager (tests/kube)
#   cluster   the real Pulumi engine deploying onto a local single-node cluster that runs the pods
#             (tests/cluster; scripts/local-cluster.sh starts and stops the cluster)
# With arguments it runs pytest with them instead, and installs only what the named tiers use, e.g.
# `scripts/test.sh tests/unit` (Python alone), `scripts/test.sh tests/realkafka -k decoupling`.
# It ends with a summary: the time of each step, of each tier, and the slowest tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKA_DEMO_CACHE="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
mkdir -p "$KAFKA_DEMO_CACHE"
# Each step prints how long the previous one took; the summary lists them all.
step_started=$SECONDS
step_name=""
steps=()
end_step() {
  [ -z "$step_name" ] || { printf '== %s: %ss\n' "$step_name" "$((SECONDS - step_started))"; steps+=("$((SECONDS - step_started))s  $step_name"); }
  step_name=""
}
step() {
  end_step
  step_name="$*"
  step_started=$SECONDS
  printf '\n== %s\n' "$*"
}

# The tiers named by path arguments (tests/unit/..., tests/kube, ...); no arguments: every tier, the unit
# tier inside the verify gate.
tiers=()
for arg in "$@"; do
  case "$arg" in tests/unit* | tests/realkafka* | tests/kube* | tests/cluster*) tier="${arg#tests/}"; tiers+=("${tier%%/*}") ;; esac
done
[ $# -gt 0 ] || tiers=(unit realkafka kube cluster)
[ ${#tiers[@]} -gt 0 ] || tiers=(unit realkafka kube cluster)
wants() { [[ " ${tiers[*]} " == *" $1 "* ]]; }
echo "tiers: ${tiers[*]}$([ $# -gt 0 ] || echo ' (unit inside the verify gate)')"

# System tools the tiers use: etcd (kube), openssl (kube certs), ip/unshare/setpriv (pod namespaces).
missing=()
if wants kube; then
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v openssl >/dev/null || missing+=(openssl)
fi
if wants realkafka; then
  command -v ip >/dev/null || missing+=(iproute2)
  { command -v unshare && command -v setpriv; } >/dev/null || missing+=(util-linux)
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Go builds (Kubernetes; for the cluster tier also the Pulumi engine, CoreDNS, the provisioner and
# the local images) take ~35 minutes cold: they start first and run in the background at low priority
# while the verify gate and the real-Kafka tier run (pytest.ini orders the tiers so), and the kube and
# cluster tiers wait for them (tests/helpers.py: await_build). Warm, they are done in seconds. Their
# log: the folder printed here.
builds=""
# shellcheck disable=SC2329  # invoked by the EXIT trap
stop_builds() {
  [ -n "$builds" ] || return 0
  if [ -f "$builds/pid" ]; then kill -TERM -- "-$(cat "$builds/pid")" 2>/dev/null || true; fi
  rm -rf "$builds"
}
trap stop_builds EXIT
trap 'exit 130' INT TERM
parts=()
if wants kube || wants cluster; then parts+=(kube); fi
if wants cluster; then parts+=(cluster); fi
if [ ${#parts[@]} -gt 0 ]; then
  step "background builds: ${parts[*]} (the kube and cluster tiers wait for them)"
  builds="$(mktemp -d "${TMPDIR:-/tmp}/kafka-demo-builds.XXXXXX")"
  export KAFKA_DEMO_BUILDS="$builds"
  # Its own process group (setsid), so that stop_builds ends every compiler it started.
  setsid nice -n 15 bash scripts/lib/builds.sh "$builds" "${parts[@]}" </dev/null &
  echo $! >"$builds/pid"
  echo "log: $builds/log"
fi

# Every test's time, for the summary at the end (tests/timings.py).
timings="$(mktemp "${TMPDIR:-/tmp}/kafka-demo-timings.XXXXXX")"
export KAFKA_DEMO_TIMINGS="$timings"
code=0
# shellcheck disable=SC2329  # invoked by the EXIT trap
summary() {
  end_step
  printf '\n== summary: %ss in all\n' "$SECONDS"
  printf '%s\n' "${steps[@]}"
  echo
  .venv/bin/python -m tests.timings "$timings" || true
  rm -f "$timings"
}
trap 'summary; stop_builds' EXIT

pytest_args=("$@")
if [ $# -eq 0 ]; then
  step "verify gate: scripts/verify.sh (lint, format, types, shellcheck, unit tier)"
  bash scripts/verify.sh
  pytest_args=()
else
  step "Python: .venv$(wants unit && echo ' and .venv-checkov (scanner, kept apart for its pins)')"
  bash scripts/lib/venvs.sh "$(wants unit && echo checkov)"
fi

if wants realkafka || wants cluster; then
  step "Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tools/kafka/pom.xml) and ZooKeeper, and Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tools/kafka/pom-kafka4.xml) jars (Maven Central, cached)"
  KAFKA_DEMO_JARS="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE")"
  KAFKA_DEMO_JARS_4="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE" pom-kafka4.xml)"
  export KAFKA_DEMO_JARS KAFKA_DEMO_JARS_4
fi

if [ ${#pytest_args[@]} -gt 0 ]; then
  step "pytest ${pytest_args[*]}"
  .venv/bin/python -m pytest "${pytest_args[@]}" || code=$?
  exit "$code"
fi

# Every tier after the verify gate, in two lanes at once: the real-Kafka tier here, and the kube then the
# cluster tier beside it (their lines prefixed). Measured one after the other, the two cores were busy
# 82 % of the real-Kafka tier's time but 34 % of the kube tier's and 65 % of the cluster tier's (they wait
# on the API server, the kubelet and the engine): side by side, each fills the other's idle time. Nothing
# is shared between the lanes: the real-Kafka tier's network namespaces and bridge (10.213.77.0/24), the
# local cluster's (10.244.0.0/24) and the kube tier's loopback ports are apart, and each removes only its
# own leftovers (tests/realkafka/harness.py, scripts/local-cluster.sh, tests/kube/control_plane.py). Cold,
# the second lane waits for the builds, as the tiers did in turn.
lane_dir="$(mktemp -d "${TMPDIR:-/tmp}/kafka-demo-lane.XXXXXX")"
lane_pid=""
# shellcheck disable=SC2329  # invoked by the EXIT trap
stop_lane() {
  # The lane has a process group of its own (job control). Its shell and sed ignore SIGTERM; pytest takes
  # it as Ctrl-C (tests/conftest.py) and tears down its fixtures (the local cluster's down among them).
  if [ -n "$lane_pid" ] && kill -0 "$lane_pid" 2>/dev/null; then
    kill -TERM -- "-$lane_pid" 2>/dev/null || true
    wait "$lane_pid" 2>/dev/null || true
  fi
  rm -rf "$lane_dir"
}
trap 'stop_lane; summary; stop_builds' EXIT
step "pytest tests/realkafka, and beside it pytest tests/kube tests/cluster (lines prefixed [kube+cluster])"
set -m # the lane in a process group of its own (see stop_lane)
{
  trap '' TERM INT
  lane_code=0 # pipefail: the pipeline's status is pytest's (sed's is 0)
  .venv/bin/python -m pytest tests/kube tests/cluster 2>&1 | sed -u 's/^/[kube+cluster] /' || lane_code=$?
  echo "$lane_code" >"$lane_dir/code"
} &
lane_pid=$!
set +m
.venv/bin/python -m pytest tests/realkafka || code=$?
wait "$lane_pid" || true
lane_pid=""
lane_code="$(cat "$lane_dir/code" 2>/dev/null || echo 1)"
echo "== pytest tests/realkafka: exit $code; pytest tests/kube tests/cluster: exit $lane_code"
[ "$code" != 0 ] || code="$lane_code"
exit "$code"
