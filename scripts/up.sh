#!/usr/bin/env bash
# The run command: `pulumi up` of a stack (default dev) against the current kube context.
#   scripts/up.sh              # stack dev
#   scripts/up.sh prod --yes   # another stack; extra arguments go to `pulumi up`
# Creates .venv and installs requirements.txt, and keeps state in a local file backend
# (.pulumi-state/) unless you are already logged in to a backend, so no Pulumi Cloud account is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-dev}"
[ $# -gt 0 ] && shift

fail() { printf 'scripts/up.sh: %s\n' "$*" >&2; exit 1; }
[ -f "Pulumi.$stack.yaml" ] || fail "no Pulumi.$stack.yaml: stacks here are $(ls Pulumi.*.yaml | sed 's/Pulumi\.\(.*\)\.yaml/\1/' | tr '\n' ' ')"
command -v pulumi >/dev/null || fail "the Pulumi CLI (3.187 or newer) is not installed: see https://www.pulumi.com/docs/install/ (for example: curl -fsSL https://get.pulumi.com | sh)"
command -v kubectl >/dev/null || fail "kubectl is not installed; it is used to check that a cluster is reachable"
kubectl cluster-info >/dev/null 2>&1 || fail "no reachable Kubernetes cluster in the current kube context ($(kubectl config current-context 2>/dev/null || echo none)); start one, e.g. 'kind create cluster', or set kubeContext in Pulumi.$stack.yaml"

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt

if ! pulumi whoami >/dev/null 2>&1; then
  mkdir -p .pulumi-state
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
  # The local backend encrypts secrets with a passphrase; this project stores none. Set your own to override.
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
  echo "using the local state backend $PULUMI_BACKEND_URL"
fi
pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"
exec pulumi up --stack "$stack" "$@"
