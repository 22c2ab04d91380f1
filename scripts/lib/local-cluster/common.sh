# shellcheck shell=bash
# shellcheck disable=SC2034  # the constants are used by the other parts (and the paths set by init_paths)
# Part of scripts/local-cluster.sh (sourced by it, see there): the fixed names, addresses and ports;
# the paths of a run (init_paths); logging; the components' processes (start, find, wait for, stop);
# kubectl and ctr bound to the cluster; the values `up` recorded (load_env).

# --- fixed names, addresses and ports ---------------------------------------------------------------
CONTEXT=kafka-demo-local                  # kubeconfig context (and cluster) name
NODE=kafka-demo-node                      # the node's name
BRIDGE=kdcni0                             # the pod bridge (the real-Kafka tier uses kdbr0, 10.213.77.0/24)
POD_SUBNET=10.244.0.0/24
GATEWAY=10.244.0.1                        # the bridge's address: node IP, kubelet, CoreDNS
SERVICE_RANGE=10.96.0.0/16                # ClusterIPs
ETCD_PORT=12379; ETCD_PEER_PORT=12380     # 127.0.0.1
API_PORT=16443                            # 127.0.0.1
KUBELET_PORT=10250                        # $GATEWAY, TLS, client certificate or token required
KUBELET_HEALTHZ_PORT=10248                # 127.0.0.1
KUBE_PROXY_HEALTHZ_PORT=10256             # 127.0.0.1 (kube-proxy's default port, loopback only)
KUBE_PROXY_METRICS_PORT=10249             # 127.0.0.1
COREDNS_READY_PORT=18181                  # 127.0.0.1
SANDBOX_IMAGE=registry.k8s.io/pause:3.10  # containerd's sandbox_image; built from tools/cluster/pause.c
REAL_HELPER_IMAGE=docker.io/library/busybox:1.37   # provisioner helper pods with --real-images
PROVISIONER_MODULE=github.com/rancher/local-path-provisioner@v0.0.30   # the one version the Go proxy serves
PROVISIONER_NAME=rancher.io/local-path
STORAGE_NAMESPACE=local-path-storage
# Start order; `down` stops them in reverse (the kubelet and containerd first, see down.sh).
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns local-path-provisioner)
# Host paths the components may create outside the state dir. Seen here: /var/lib/kubelet/device-plugins
# (the kubelet's device plugin socket, a fixed path), /var/log/containers (the kubelet's log links),
# /var/lib/cni (libcni's result cache), /run/containerd/s (shim sockets), /run/netns (pod network
# namespaces). The rest are defaults this script overrides, watched in case. `up` records which
# exist; `down` removes the others (a parent first: it takes its children along).
WATCHED_PATHS=(/var/lib/kubelet /var/lib/kubelet/device-plugins /var/log/pods /var/log/containers
  /var/lib/cni /var/lib/cni/results /run/containerd /run/netns /var/lib/containerd /opt/containerd /etc/cni
  /opt/cni /run/runc /run/kubernetes /etc/kubernetes /usr/libexec/kubernetes)
# sysctl keys that change on their own (counters, random values): never "restored".
VOLATILE_SYSCTLS='^(kernel\.random\.|kernel\.ns_last_pid|kernel\.pty\.nr|kernel\.perf_event_max_sample_rate|fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)|net\.netfilter\.nf_conntrack_count)'

# The paths of a run, from the environment. main calls it after `set -euo pipefail` (an unset HOME
# without KAFKA_DEMO_CACHE is an error); whoever sources the parts calls it after setting
# KAFKA_DEMO_CLUSTER_DIR.
init_paths() {
  cache="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
  state="${KAFKA_DEMO_CLUSTER_DIR:-/var/tmp/kafka-demo-cluster}"
  state="${state%/}"
  pki="$state/pki"
  kubeconfig="$state/kubeconfig"   # the user's: admin, context $CONTEXT
  before="$state/before"           # snapshots of the machine taken by `up` before it changed anything
}

log() { echo "local-cluster: $*" >&2; }
die() { echo "local-cluster: error: $*" >&2; exit 1; }
now() { date +%s; }

# --- processes -----------------------------------------------------------------------------------

# (In pipelines this script uses `grep ... >/dev/null`, not `grep -q`: with pipefail, grep -q exiting
# early can fail the pipeline through the writer's SIGPIPE.)

# The PID of a component if it is running. Every component's command line names the state dir, which
# guards against a recorded PID that has been reused by another process.
pid_of() {
  local file="$state/pids/$1" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -F "$state/" >/dev/null \
    && echo "$pid"
}

# Start a component in its own session, detached from this script's stdin/stdout/stderr (a caller
# reading our stdout must not wait for the cluster), log to logs/<name>.log, record the PID.
spawn() {
  local name="$1"; shift
  log "starting $name"
  # A background setsid that is not a process group leader execs directly: $! is the component.
  setsid "$@" </dev/null >>"$state/logs/$name.log" 2>&1 &
  echo "$!" >"$state/pids/$name"
}

# Fail early with the log of any started component that has exited.
check_running() {
  local name
  for name in "${COMPONENTS[@]}"; do
    [ -f "$state/pids/$name" ] || continue
    if ! pid_of "$name" >/dev/null; then
      tail -n 25 "$state/logs/$name.log" >&2 || true
      die "$name exited (log: $state/logs/$name.log)"
    fi
  done
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND each second until it succeeds.
wait_until() {
  local timeout="$1" what="$2" deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for $what"
    check_running
    sleep 1
  done
}

# Whether a PID runs (an exited process that its parent has not reaped yet, a zombie, does not).
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat%% *}" != Z ]
}

# stop_pids SECONDS PID...: SIGTERM to all, up to SECONDS for them to exit, then SIGKILL the rest.
stop_pids() {
  local seconds="$1" pid i alive
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for ((i = 0; i < seconds * 4; i++)); do
    alive=0
    for pid in "$@"; do alive "$pid" && alive=1; done
    [ "$alive" = 1 ] || return 0
    sleep 0.25
  done
  kill -KILL "$@" 2>/dev/null || true
  sleep 0.25
  return 0
}

# kubectl's discovery cache goes to the state dir, not ~/.kube.
kc() { "$KUBE_BIN/kubectl" --kubeconfig "$kubeconfig" --cache-dir "$state/kubectl-cache" "$@"; }
ctr_() { ctr --address "$state/containerd/containerd.sock" "$@"; }

# Values recorded by `up` for status and down: KUBE_BIN, MODE, IMAGES (space-separated).
load_env() {
  KUBE_BIN="" MODE="" IMAGES=""
  # shellcheck source=/dev/null
  [ -f "$state/cluster.env" ] && . "$state/cluster.env"
  return 0
}

# Processes of ours not (or no longer) recorded: binaries run from the state dir, and our kinds of
# binaries (components, containerd's shims by their -address) whose command line names the state dir.
# A binary in the cache is not enough: the kube test tier runs kube-apiserver from the same cache.
leftover_pids() {
  local dir pid exe
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    [ "$pid" = $$ ] && continue
    exe="$(readlink "$dir/exe" 2>/dev/null)" || continue
    if [[ "$exe" == "$state/"* ]]; then
      echo "$pid"
    elif [[ "${exe##*/}" =~ ^(etcd|containerd|containerd-shim.*|runc|kube-.*|kubelet|kubectl|coredns|local-path-provisioner)$ ]] \
      && tr '\0' ' ' <"$dir/cmdline" 2>/dev/null | grep -F "$state/" >/dev/null; then
      echo "$pid"
    fi
  done
}
