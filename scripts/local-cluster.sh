#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for running the stacks with real pods.
#
#   scripts/local-cluster.sh up [--real-images]   start it (idempotent); last line of stdout: export KUBECONFIG=...
#   scripts/local-cluster.sh build                build or fetch what `up` needs (cached), start nothing
#   scripts/local-cluster.sh status               components, node readiness; exit 0 up, 1 broken, 3 down
#   scripts/local-cluster.sh down                 stop it and undo every change it made to this machine
#
# What runs, all as host processes of root, all listening on loopback or on the pod bridge only:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler   the control plane (loopback)
#   containerd + runc, kubelet                                      the node "kafka-demo-node"
#   kube-proxy (nftables mode)               NodePorts on the bridge's address only (10.244.0.1:<nodePort>)
#   CoreDNS                                  cluster DNS on the bridge's address, cluster.local only, no upstream
#   local-path-provisioner                   dynamic hostPath volumes, StorageClass "standard" (default)
# Pods get addresses on the bridge kdcni0 (10.244.0.0/24) from the CNI bridge plugin. The stacks use
# headless Services (DNS answers with pod addresses). kube-proxy forwards Services in its own nftables
# tables (ip/ip6 kube-proxy): a NodePort answers on 10.244.0.1 only (nodePortAddresses), never on
# loopback or this machine's other interfaces, so a client on this machine reaches a pod through it
# (ClusterIPs get rules too; the stacks do not use them). kube-proxy changes no sysctl (its conntrack
# settings are all 0, see write_configs). Pods have no default route, and IP forwarding is not
# enabled, so nothing a pod sends can leave this machine.
#
# Images: docker.io/apache/kafka:<v> for both Kafka versions the stacks use (3.x from tools/kafka/pom.xml,
# with docker.io/library/zookeeper:<v>; 4.x, KRaft only, from tools/kafka/pom-kafka4.xml) are built
# offline (tools/images/build.sh: Debian + JRE + the Maven Central jars + the real-Kafka tier's stand-in
# scripts), as is the sandbox ("pause") image, and imported into containerd; pods use
# imagePullPolicy IfNotPresent, so nothing is pulled. With --real-images nothing is built or imported
# and containerd pulls the real images from their registries (needs internet).
#
# Environment:
#   KAFKA_DEMO_CACHE        build cache (Kubernetes, CoreDNS, provisioner, jars, images); default ~/.cache/kafka-demo
#   KAFKA_DEMO_CLUSTER_DIR  the cluster's state (certificates, etcd, containerd, volumes, logs, PIDs and
#                           the snapshots `down` restores from); default /var/tmp/kafka-demo-cluster
#
# Needs root, Linux (tested: Debian 12, cgroup v1 hybrid), Debian/Ubuntu apt for missing system packages, and Go 1.26+
# for the first build of the Kubernetes binaries, CoreDNS and the provisioner (cached afterwards).
#
# The parts, in scripts/lib/local-cluster/ (sourcing this file defines their constants and functions
# and runs nothing: `main` does, when the file is run):
#   common.sh     names, addresses, ports; the paths of a run (init_paths); logging; the components' processes
#   build.sh      the Debian packages, tools and artifacts `up` needs; the `build` command
#   pki.sh        the CA, the components' certificates and keys
#   configs.sh    the configuration files and cluster objects, rendered from templates/*.in
#   snapshot.sh   the snapshots of the machine `up` takes, and what changed since (mounts, cgroups, sysctls)
#   netfilter.sh  kube-proxy's nftables tables, the iptables rules added since `up`
#   status.sh     the health checks; the `status` command
#   up.sh         the `up` command
#   down.sh       the `down` command: do_down and its steps, in order

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/local-cluster/common.sh
source "$repo/scripts/lib/local-cluster/common.sh"
# shellcheck source=scripts/lib/local-cluster/build.sh
source "$repo/scripts/lib/local-cluster/build.sh"
# shellcheck source=scripts/lib/local-cluster/pki.sh
source "$repo/scripts/lib/local-cluster/pki.sh"
# shellcheck source=scripts/lib/local-cluster/configs.sh
source "$repo/scripts/lib/local-cluster/configs.sh"
# shellcheck source=scripts/lib/local-cluster/snapshot.sh
source "$repo/scripts/lib/local-cluster/snapshot.sh"
# shellcheck source=scripts/lib/local-cluster/netfilter.sh
source "$repo/scripts/lib/local-cluster/netfilter.sh"
# shellcheck source=scripts/lib/local-cluster/status.sh
source "$repo/scripts/lib/local-cluster/status.sh"
# shellcheck source=scripts/lib/local-cluster/up.sh
source "$repo/scripts/lib/local-cluster/up.sh"
# shellcheck source=scripts/lib/local-cluster/down.sh
source "$repo/scripts/lib/local-cluster/down.sh"

main() {
  set -euo pipefail
  init_paths
  case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    build) shift; [ $# = 0 ] || die "build takes no options"; cmd_build ;;
    down) shift; [ $# = 0 ] || die "down takes no options"; cmd_down ;;
    status) shift; cmd_status ;;
    *) echo "usage: $(basename "$0") up [--real-images] | build | down | status" >&2; exit 2 ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
