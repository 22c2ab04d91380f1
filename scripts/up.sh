#!/usr/bin/env bash
# The run command: `pulumi up` of a stack (default dev).
#   scripts/up.sh              # stack dev
#   scripts/up.sh prod --yes   # another stack; extra arguments go to `pulumi up`
# Cluster: the current kube context when a kubeconfig exists; with none at all (Linux, root) it starts
# the local single-node cluster (scripts/local-cluster.sh) and deploys there.
# Pulumi: the CLI on PATH, with .venv and requirements.txt; with none, the engine built from the Go
# module proxy (tools/pulumi, cached) and its own .venv-engine.
# State: a local file backend (.pulumi-state/) unless you are logged in to one or set PULUMI_BACKEND_URL,
# so no Pulumi Cloud account is needed. Other pulumi commands in the same setup: scripts/pulumi.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
stack="${1:-dev}"
[ $# -gt 0 ] && shift
# shellcheck source=scripts/lib/pulumi-env.sh
. scripts/lib/pulumi-env.sh
[ -f "Pulumi.$stack.yaml" ] || fail "no Pulumi.$stack.yaml: stacks here are $(printf '%s ' Pulumi.*.yaml | sed 's/Pulumi\.\([^ ]*\)\.yaml/\1/g')"

use_cluster
use_engine
use_backend
pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"
pulumi up --stack "$stack" "$@"

namespace="$(pulumi stack output namespace --stack "$stack")"
say "stack $stack is up; this run took $(( $(date +%s) - started ))s"
{
  echo "Next, the seed's walkthrough:"
  if [ -n "$local_cluster" ]; then
    echo "  export KUBECONFIG=$KUBECONFIG"
    command -v kubectl >/dev/null || echo "  export PATH=\"$(tools/kube/build.sh "$cache"):\$PATH\"   # the kubectl built with the local cluster"
  fi
  echo "  kubectl get pods -n $namespace"
  echo "  kubectl logs -f deploy/producer -n $namespace"
  echo "  kubectl logs -f deploy/consumer -n $namespace"
  echo "  kubectl scale deployment consumer --replicas=0 -n $namespace   # the producer carries on"
  echo "  kubectl scale deployment consumer --replicas=1 -n $namespace   # the consumer catches up"
  echo "Remove it: scripts/pulumi.sh destroy --stack $stack"
  if [ -n "$local_cluster" ]; then echo "Stop the local cluster: scripts/local-cluster.sh down"; fi
} >&2
