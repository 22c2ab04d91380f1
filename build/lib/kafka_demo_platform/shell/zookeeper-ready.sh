#!/bin/bash
# zookeeper-ready.sh: readiness check of a ZooKeeper pod. Exits 0 if the local server answers
# `srvr` with a "Mode: " line (it is part of a serving quorum), 1 otherwise.
# params: ZK_CLIENT_PORT
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

# The last command: under set -e its failure is the script's exit 1.
zookeeper_serving "127.0.0.1:$ZK_CLIENT_PORT"
