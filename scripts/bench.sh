#!/usr/bin/env bash
# The benchmarks: scripts/bench.sh [--quick] [NAME...]   (names: python -m bench --help)
# Sets up what they use (the test venv, the Kafka jars from Maven Central, cached like the test command's;
# for demo-up and engine-cost also the Kubernetes binaries, the Pulumi engine and the local cluster's
# images, built by scripts/lib/builds.sh: ~35 min cold, seconds warm), then runs them and prints one
# table; results go to bench/results/ (--quick: bench/results/quick/).
# Benchmarks that run Kafka use the real-Kafka tier's harness (root: network and mount namespaces); demo-up
# and engine-cost start the local single-node cluster (scripts/local-cluster.sh) and stop it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKA_DEMO_CACHE="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
mkdir -p "$KAFKA_DEMO_CACHE"
bash scripts/lib/venvs.sh
KAFKA_DEMO_JARS="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE")"
KAFKA_DEMO_JARS_4="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE" pom-kafka4.xml)"
export KAFKA_DEMO_JARS KAFKA_DEMO_JARS_4

# The engine builds, when a benchmark on the local cluster is selected (none named: all are).
names=()
for arg in "$@"; do case "$arg" in -*) ;; *) names+=("$arg") ;; esac; done
needs_engine=$([ ${#names[@]} -eq 0 ] && echo yes || true)
for name in "${names[@]}"; do case "$name" in demo-up | engine-cost) needs_engine=yes ;; esac; done
if [ -n "$needs_engine" ] && [ -z "${KAFKA_DEMO_PULUMI_ENGINE:-}" ]; then
  builds="$(mktemp -d "${TMPDIR:-/tmp}/kafka-demo-bench-builds.XXXXXX")"
  trap 'rm -rf "$builds"' EXIT
  echo "bench: building (or taking from the cache) Kubernetes, the Pulumi engine and the local images; log: $builds/log" >&2
  if ! bash scripts/lib/builds.sh "$builds" kube cluster; then
    tail -n 40 "$builds/log" >&2
    echo "bench: the builds failed (log above)" >&2
    exit 1
  fi
  set -a
  # shellcheck disable=SC1091  # written by scripts/lib/builds.sh at run time: nothing to follow statically
  . "$builds/kube.env"
  # shellcheck disable=SC1091  # the same, for the cluster part
  . "$builds/cluster.env"
  set +a
fi
.venv/bin/python -m bench "$@"
