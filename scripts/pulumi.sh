#!/usr/bin/env bash
# Any pulumi command in the environment scripts/up.sh uses (cluster, engine, state backend):
#   scripts/pulumi.sh destroy --stack dev
#   scripts/pulumi.sh stack output --stack prod
# Only the commands that talk to the cluster (preview, up, refresh, destroy, import, watch) look for it,
# and start the local cluster when there is no kubeconfig; `config`, `stack output` and the like work
# without one and never start a Kubernetes node.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/pulumi-env.sh
. scripts/lib/pulumi-env.sh

# The pulumi subcommand: the first argument that is not an option.
subcommand=""
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    *) subcommand="$arg"; break ;;
  esac
done
case "$subcommand" in
  preview | pre | up | update | refresh | destroy | down | import | watch) use_cluster ;;
esac
use_engine
use_backend
exec pulumi "$@"
