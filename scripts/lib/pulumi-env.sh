# Sourced by scripts/up.sh and scripts/pulumi.sh: the cluster, the Pulumi engine and the state backend
# the run command uses, set up the same way for every pulumi command of the stack.
# shellcheck shell=bash
cache="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
fail() { say "$*"; exit 1; }

kubeconfig_exists() {
  local path paths
  if [ -n "${KUBECONFIG:-}" ]; then
    IFS=: read -ra paths <<< "$KUBECONFIG"
    for path in "${paths[@]}"; do [ -f "$path" ] && return 0; done
    return 1
  fi
  [ -f "$HOME/.kube/config" ]
}

# The current kube context when a kubeconfig exists; with none at all (Linux, root) the local
# single-node cluster (scripts/local-cluster.sh), started if it is not running. Sets local_cluster=1 then.
use_cluster() {
  local_cluster=""  # read by the scripts that source this file
  if kubeconfig_exists; then
    command -v kubectl >/dev/null || fail "kubectl is not installed; it is used to check that a cluster is reachable"
    kubectl cluster-info >/dev/null 2>&1 || fail "no reachable Kubernetes cluster in the current kube context ($(kubectl config current-context 2>/dev/null || echo none)); start one, e.g. 'kind create cluster', or set kubeContext in the stack's config"
    return 0
  fi
  { [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ]; } || fail "no kubeconfig (${KUBECONFIG:-$HOME/.kube/config}) and no way to start the local cluster here (it needs Linux and root); point KUBECONFIG at a cluster, e.g. one from 'kind create cluster'"
  say "no kubeconfig: using the local single-node cluster (scripts/local-cluster.sh up)"
  eval "$(scripts/local-cluster.sh up | tail -n 1)"
  export KUBECONFIG
  # shellcheck disable=SC2034  # read by the scripts that source this file
  local_cluster=1
}

# The Pulumi CLI on PATH with .venv (requirements.txt); with none, the engine built from the Go module
# proxy (tools/pulumi, cached) with its own .venv-engine holding the SDK versions that match it.
use_engine() {
  if command -v pulumi >/dev/null; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  else
    say "no Pulumi CLI on PATH: using the one built from the Go module proxy (tools/pulumi; the first build takes ~15 minutes, the official installer at https://www.pulumi.com/docs/install/ is faster)"
    eval "$(tools/pulumi/engine.sh "$cache" .venv-engine)"
  fi
}

# A local file backend (.pulumi-state/) unless logged in to one or PULUMI_BACKEND_URL is set.
use_backend() {
  if ! pulumi whoami >/dev/null 2>&1; then
    mkdir -p .pulumi-state
    export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
    say "using the local state backend $PULUMI_BACKEND_URL"
  fi
  # The local backend encrypts secrets with a passphrase. With security off the stack stores none; with
  # security.tls/scram on it stores the generated keys and passwords: set PULUMI_CONFIG_PASSPHRASE yourself.
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
}
