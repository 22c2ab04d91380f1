#!/usr/bin/env bash
# Any pulumi command in the environment scripts/up.sh uses (cluster, engine, state backend):
#   scripts/pulumi.sh destroy --stack dev
#   scripts/pulumi.sh stack output --stack prod
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/pulumi-env.sh
. scripts/lib/pulumi-env.sh
use_cluster
use_engine
use_backend
exec pulumi "$@"
