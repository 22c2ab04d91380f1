#!/usr/bin/env bash
# The test command. On a fresh machine it installs everything the tests need, then runs every tier:
#   unit      the program on Pulumi's mock engine, strict schema validation, checkov scan
#   realkafka the rendered config and scripts run as real Kafka/ZooKeeper clusters (tests/realkafka)
#   kube      the rendered manifests on a real kube-apiserver + controller-manager (tests/kube)
#   cluster   the real Pulumi engine deploying onto a local single-node cluster that runs the pods
#             (tests/cluster; scripts/local-cluster.sh starts and stops the cluster)
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit` or `scripts/test.sh -k decoupling`.
# Only what the selected tiers use is installed: `scripts/test.sh tests/unit` needs Python alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKA_DEMO_CACHE="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
mkdir -p "$KAFKA_DEMO_CACHE"
# Each step prints how long the previous one took: the cold and warm set-up costs, phase by phase.
step_started=$SECONDS
step_name=""
step() {
  [ -z "$step_name" ] || printf '== %s: %ss\n' "$step_name" "$((SECONDS - step_started))"
  step_name="$*"; step_started=$SECONDS
  printf '\n== %s\n' "$*"
}

# The tiers named by path arguments (tests/unit/..., tests/kube, ...); none named: every tier.
tiers=()
for arg in "$@"; do
  case "$arg" in tests/unit* | tests/realkafka* | tests/kube* | tests/cluster*) tier="${arg#tests/}"; tiers+=("${tier%%/*}") ;; esac
done
[ ${#tiers[@]} -gt 0 ] || tiers=(unit realkafka kube cluster)
wants() { [[ " ${tiers[*]} " == *" $1 "* ]]; }
echo "tiers: ${tiers[*]}"

step "Python: .venv (program + tests)$(wants unit && echo ' and .venv-checkov (scanner, kept apart for its pins)')"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
if wants unit; then
  [ -x .venv-checkov/bin/checkov ] || python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install -q --disable-pip-version-check -r tools/checkov-requirements.txt
fi

if wants realkafka || wants cluster; then
  step "Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tools/kafka/pom.xml) and ZooKeeper, and Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tools/kafka/pom-kafka4.xml) jars (Maven Central, cached)"
  KAFKA_DEMO_JARS="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE")"
  KAFKA_DEMO_JARS_4="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE" pom-kafka4.xml)"
  export KAFKA_DEMO_JARS KAFKA_DEMO_JARS_4
fi

if wants kube || wants cluster; then
  step "Kubernetes (Go module proxy, cached by version)"
  KAFKA_DEMO_KUBE_BIN="$(tools/kube/build.sh "$KAFKA_DEMO_CACHE")"
  export KAFKA_DEMO_KUBE_BIN
fi
if wants cluster; then
  step "Pulumi engine: CLI, pulumi-kubernetes provider, Python and YAML language hosts (Go module proxy, cached by version)"
  eval "$(tools/pulumi/engine.sh "$KAFKA_DEMO_CACHE" .venv-engine)"
fi
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

step "pytest"
exec .venv/bin/python -m pytest "$@"
